//! The name meant by a typo: the closest of the names there are, if it is near, and the one
//! wording of the suggestion ("did you mean"), for `sealed!`'s messages, the runtime's and the
//! CLI's.

/// The name in `names` closest to `name`, if it is near (a typo): at most one edit in three
/// characters, where an edit is a letter added, removed or changed, or two neighbours swapped
/// (optimal string alignment distance, over characters).
pub fn closest<'a>(name: &str, names: &[&'a str]) -> Option<&'a str> {
    names
        .iter()
        .map(|candidate| (strsim::osa_distance(name, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= (candidate.len().max(3) / 3))
        .min()
        .map(|(_, candidate)| candidate)
}

/// "did you mean `NAME`?" for the name in `names` closest to `name`, if it is near: the one
/// wording of a suggestion, wherever a name is not found.
pub fn did_you_mean(name: &str, names: &[&str]) -> Option<String> {
    closest(name, names).map(|near| format!("did you mean `{near}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_is_a_character_added_removed_changed_or_two_swapped() {
        let names = ["db_password"];
        assert_eq!(closest("db_password", &names), Some("db_password"));
        assert_eq!(closest("db_pasword", &names), Some("db_password"));
        assert_eq!(closest("db_passsword", &names), Some("db_password"));
        assert_eq!(closest("db_passwerd", &names), Some("db_password"));
        // six edits from an 11-character name: not a typo
        assert_eq!(closest("db_pa", &names), None);
        // characters, not bytes: `ünï` is two edits from `uni`, too many for three letters
        assert_eq!(closest("ünï", &["uni"]), None);
        assert_eq!(closest("ün", &["un"]), Some("un"));
    }

    #[test]
    fn only_a_near_name_is_suggested() {
        let names = ["api_token", "db_password"];
        assert_eq!(closest("db_pasword", &names), Some("db_password"));
        assert_eq!(closest("api_tokn", &names), Some("api_token"));
        assert_eq!(closest("smtp", &names), None);
        assert_eq!(closest("x", &[]), None);
    }

    #[test]
    fn two_letters_swapped_are_one_typo() {
        // `SEALED_STAGE=prdo`: the stage meant is plain, though its Levenshtein distance is 2
        assert_eq!(closest("prdo", &["dev", "prod"]), Some("prod"));
        assert_eq!(closest("dve", &["dev", "prod"]), Some("dev"));
        assert_eq!(
            closest("db_passwodr", &["db_password"]),
            Some("db_password")
        );
    }
}
