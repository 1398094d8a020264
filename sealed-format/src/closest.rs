//! The name meant by a typo: the closest of the names there are, if it is near (for `sealed!`'s
//! messages and the runtime's "did you mean").

/// The name in `names` closest to `name`, if it is near (a typo).
pub fn closest<'a>(name: &str, names: &[&'a str]) -> Option<&'a str> {
    names
        .iter()
        .map(|candidate| (edit_distance(name, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= (candidate.len().max(3) / 3))
        .min()
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_insertions_deletions_and_substitutions() {
        assert_eq!(edit_distance("db_password", "db_password"), 0);
        assert_eq!(edit_distance("db_pasword", "db_password"), 1);
        assert_eq!(edit_distance("db_passwodr", "db_password"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("ünï", "uni"), 2);
    }

    #[test]
    fn only_a_near_name_is_suggested() {
        let names = ["api_token", "db_password"];
        assert_eq!(closest("db_pasword", &names), Some("db_password"));
        assert_eq!(closest("api_tokn", &names), Some("api_token"));
        assert_eq!(closest("smtp", &names), None);
        assert_eq!(closest("x", &[]), None);
    }
}
