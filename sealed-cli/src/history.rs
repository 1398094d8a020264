//! A bundle file against its version at an earlier git revision (`cargo sealed check --since
//! REV`): what a review should never let through without a command that explains it. A value's
//! generation that went down (a line rolled back from history), a line edited by hand (same
//! generation, other bytes), a generation line that went down, a changed header (id, key,
//! context, public key, wrapped private key) unless `bundle rotate` made it (a new id and key
//! pair, every value newer, the same context; the key may change, and then the code's `key = …`
//! pins must change with it, which the build checks).

use std::path::{Path, PathBuf};
use std::process::Command;

use sealed_format::{Bundle, Reader, ReaderKind, Readers};

use crate::error::CliError;

/// How far a bundle's generation may move in one range before `--since` calls it written by
/// hand: each `set`, `rm` and `rotate` adds one, and no pull request makes a thousand.
pub const MAX_GENERATION_STEP: u64 = 1024;

/// The text of `file` at git revision `rev`, or `None` if it did not exist there.
pub fn at_revision(file: &Path, rev: &str) -> Result<Option<String>, CliError> {
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = file
        .file_name()
        .ok_or_else(|| CliError::from(format!("`{}` is not a file", file.display())))?;
    let output = Command::new("git")
        // git's own words are read below: in English, whatever the user's locale
        .env("LC_ALL", "C")
        .arg("-C")
        .arg(dir)
        .arg("show")
        .arg(format!("{rev}:./{}", name.to_string_lossy()))
        .output()
        .map_err(|e| CliError::new("cannot run git (needed by --since)").because(e))?;
    if output.status.success() {
        return String::from_utf8(output.stdout)
            .map(Some)
            .map_err(|_| CliError::from(format!("`{}` at {rev} is not UTF-8", file.display())));
    }
    let said = String::from_utf8_lossy(&output.stderr);
    // git's words for a path the revision does not have
    if said.contains("does not exist in") || said.contains("exists on disk, but not in") {
        return Ok(None);
    }
    Err(format!(
        "git cannot show `{}` at `{rev}`: {}",
        file.display(),
        said.trim()
    )
    .into())
}

/// The file at `rev` parsed with `parse`: `None` if it did not exist there, or what `--since`
/// says of a version that does not parse (it is not compared).
pub fn parsed_at_revision<T, E: std::fmt::Display>(
    file: &Path,
    rev: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Result<Option<T>, String>, CliError> {
    Ok(match at_revision(file, rev)? {
        None => Ok(None),
        Some(text) => parse(&text)
            .map(Some)
            .map_err(|error| format!("at {rev} it does not parse ({error}): not compared")),
    })
}

/// The bundles and stage sets under `path` that differ from `rev` (added or changed, not
/// deleted), canonical; none outside a git work tree.
pub fn changed_data_files(path: &Path, rev: &str) -> Result<Vec<PathBuf>, CliError> {
    let dir = if path.is_dir() {
        path
    } else {
        path.parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    };
    let output = Command::new("git")
        .env("LC_ALL", "C")
        .arg("-C")
        .arg(dir)
        .args([
            "diff",
            "--name-only",
            "-z",
            "--relative",
            "--diff-filter=d",
            rev,
            "--",
        ])
        .args(["*.bundle", "*.stages"])
        .output()
        .map_err(|e| CliError::new("cannot run git (needed by --since)").because(e))?;
    if !output.status.success() {
        return Err(format!(
            "git cannot list what changed since `{rev}`: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )
        .into());
    }
    Ok(crate::scan::git_paths(&output.stdout, dir)
        .filter(|file| !path.is_file() || file.as_path() == path)
        .filter_map(|file| std::fs::canonicalize(file).ok())
        .collect())
}

/// Fails unless `rev` names a commit of the git repository around `dir`, saying why not: outside
/// a repository, in a shallow clone without it, or a revision never fetched. (`--since` compares
/// nothing it cannot read, and a comparison that silently read nothing would pass.)
pub fn require_revision(dir: &Path, rev: &str) -> Result<(), CliError> {
    let git = |args: &[&str]| {
        Command::new("git")
            .env("LC_ALL", "C")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .map_err(|e| CliError::new("cannot run git (needed by --since)").because(e))
    };
    let inside = git(&["rev-parse", "--is-inside-work-tree"])?;
    if !inside.status.success() {
        return Err(CliError::from(format!(
            "--since {rev}: `{}` is not in a git repository: there is no earlier version to compare with",
            dir.display()
        ))
        .help("run `cargo sealed check --since` in a clone of the repository"));
    }
    let found = git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        &format!("{rev}^{{commit}}"),
    ])?;
    if found.status.success() {
        return Ok(());
    }
    let shallow = git(&["rev-parse", "--is-shallow-repository"])?;
    if String::from_utf8_lossy(&shallow.stdout).trim() == "true" {
        return Err(CliError::from(format!(
            "--since {rev}: this is a shallow clone and it does not have `{rev}`: nothing to compare with"
        ))
        .help("fetch the history (`git fetch --unshallow`, or `fetch-depth: 0` with actions/checkout)"));
    }
    Err(CliError::from(format!(
        "--since {rev}: git knows no revision `{rev}` here: nothing to compare with"
    ))
    .help(format!(
        "fetch it (`git fetch origin {rev}` for a branch of origin)"
    )))
}

/// How `reader`, which `then` did not have, came to be: a key pair new under a key that read
/// before (a rotation's, or one planted with `kms:Encrypt`), a reader moved to another key or
/// account, or a new reader.
pub fn how_new(reader: &Reader, then: &Readers) -> String {
    let same_role = |r: &&Reader| r.stage == reader.stage && r.kind == reader.kind;
    if then
        .readers
        .iter()
        .filter(same_role)
        .any(|r| r.key == reader.key)
    {
        return format!("another key pair under a key that read before (a rotation's, or one wrapped with kms:Encrypt): {reader}");
    }
    let moved: Vec<String> = then
        .readers
        .iter()
        .filter(same_role)
        .filter(|r| r.kind == ReaderKind::Key)
        .map(|r| {
            let account = match (r.account(), reader.account()) {
                (Some(a), Some(b)) if a != b => format!(", from account {a} to {b}"),
                _ => String::new(),
            };
            format!("moved from {}{account}", r.key)
        })
        .collect();
    match moved.first() {
        Some(moved) => format!("{moved}: {reader}"),
        None => format!("new reader: {reader}"),
    }
}

/// What changed in a stage set besides its readers, for review to see: its selector, and each
/// stage's account and regions.
pub fn set_changes(then: &sealed_format::StageSet, now: &sealed_format::StageSet) -> Vec<String> {
    let regions = |r: &[String]| {
        if r.is_empty() {
            "(any)".to_owned()
        } else {
            r.join(",")
        }
    };
    let mut changes = Vec::new();
    if then.selector != now.selector {
        changes.push(format!(
            "the selector changed from `{}` to `{}`",
            then.selector, now.selector
        ));
    }
    for stage in &now.stages {
        let Some(old) = then.stages.iter().find(|s| s.name == stage.name) else {
            changes.push(format!("stage `{}` is new", stage.name));
            continue;
        };
        if old.account != stage.account {
            changes.push(format!(
                "stage `{}`: account {} → {}",
                stage.name,
                old.account.as_deref().unwrap_or("(none)"),
                stage.account.as_deref().unwrap_or("(none)")
            ));
        }
        if old.regions != stage.regions {
            changes.push(format!(
                "stage `{}`: regions {} → {}",
                stage.name,
                regions(&old.regions),
                regions(&stage.regions)
            ));
        }
    }
    changes
}

/// Of `bundles` (path, contents), each whose id or public key an earlier one has too, and did
/// not at `rev`, by index, with the problem: a header copied from another bundle, whose readers
/// would read this one's values.
pub fn shared_key_pairs(
    bundles: &[(&Path, Bundle)],
    rev: &str,
) -> Result<Vec<(usize, String)>, CliError> {
    let share = |a: &Bundle, b: &Bundle| a.id == b.id || a.public_key() == b.public_key();
    let then = |path: &Path| -> Result<Option<Bundle>, CliError> {
        Ok(at_revision(path, rev)?.and_then(|text| Bundle::parse(&text).ok()))
    };
    let mut problems = Vec::new();
    for (index, (path, bundle)) in bundles.iter().enumerate() {
        let Some((first, _)) = bundles[..index]
            .iter()
            .find(|(_, other)| share(other, bundle))
        else {
            continue;
        };
        if let (Some(a), Some(b)) = (then(path)?, then(first)?) {
            if share(&a, &b) {
                continue; // shared before the range: not this change's doing
            }
        }
        problems.push((
            index,
            format!(
                "its id or key pair is also `{}`'s: a header copied from another bundle, whose readers would read this one's values",
                first.display()
            ),
        ));
    }
    Ok(problems)
}

/// What changed in `now` since `then` that no `cargo sealed` command explains; empty when
/// every change is one `set`, `rm`, `rotate` or `reseal` makes.
pub fn unexplained(then: &Bundle, now: &Bundle) -> Vec<String> {
    let mut problems = Vec::new();
    if now.generation > then.generation.saturating_add(MAX_GENERATION_STEP) {
        problems.push(format!(
            "the bundle's generation jumped from {} to {}, more than {MAX_GENERATION_STEP} sets in one range: a generation line written by hand (each `set` adds one)",
            then.generation, now.generation
        ));
    }
    if now.generation < then.generation {
        problems.push(format!(
            "the bundle's generation went down from {} to {}",
            then.generation, now.generation
        ));
    }
    if now.id == then.id {
        same_bundle(then, now, &mut problems);
    } else {
        // a rotation: everything new at once, under the same context
        if now.public_key() == then.public_key() || now.private_key == then.private_key {
            problems.push("the id changed but the key pair did not: `bundle rotate` changes both; this is an edit by hand".to_owned());
        }
        if now.context != then.context {
            problems.push("the id and the encryption context changed together: `bundle rotate` keeps the context; this is an edit by hand".to_owned());
        }
        for value in &now.values {
            if value.generation <= then.generation {
                problems.push(format!(
                    "`{}` has generation {}, not above {} (the last before the rotation): a line from before the rotation",
                    value.name, value.generation, then.generation
                ));
            }
        }
    }
    problems
}

/// The rules for a bundle that kept its id.
fn same_bundle(then: &Bundle, now: &Bundle, problems: &mut Vec<String>) {
    if now.public_key() != then.public_key() {
        problems.push("the public key changed but the id did not: values set now would be sealed to someone else's key; restore the `public-key` line".to_owned());
    }
    if now.context != then.context {
        problems.push(
            "the encryption context changed: the wrapped private key is bound to the old one"
                .to_owned(),
        );
    }
    match (now.key == then.key, now.private_key == then.private_key) {
        (true, true) => {}
        (false, _) => problems.push("the key changed but the id did not: a bundle moves to another key only with `bundle rotate --to-key`".to_owned()),
        (true, false) => problems.push("the wrapped private key changed but the id did not: only `bundle rotate` changes it (with the id)".to_owned()),
    }
    for (index, recipient) in now.recipients.iter().enumerate() {
        let before = then.recipients.iter().find(|r| r.key == recipient.key);
        if let Some(before) = before {
            if before.public_key() != recipient.public_key() {
                problems.push(format!(
                    "the public key of recipient {} (`{}`) changed but the id did not: only a rotation makes a recipient a new key pair",
                    index + 2,
                    recipient.key
                ));
            } else if before.private_key != recipient.private_key {
                problems.push(format!(
                    "the wrapped private key of recipient {} (`{}`) changed but its public key did not: edited by hand",
                    index + 2,
                    recipient.key
                ));
            }
        }
    }
    for value in &now.values {
        match then.value(&value.name) {
            Some(old) if value.generation < old.generation => problems.push(format!(
                "`{}` went back from generation {} to {}: a line rolled back from history",
                value.name, old.generation, value.generation
            )),
            Some(old) if value.generation == old.generation => {
                // every sealing, by the key it is sealed to: the bundle's, then each recipient's
                // (`stage add-key` adds one at the same generation, `rm-key` removes one)
                let sealings = |bundle: &Bundle, v: &sealed_format::BundleValue| {
                    std::iter::once(bundle.key.clone())
                        .chain(bundle.recipients.iter().map(|r| r.key.clone()))
                        .zip(std::iter::once(v.sealed.clone()).chain(v.others.iter().cloned()))
                        .collect::<Vec<_>>()
                };
                let was = sealings(then, old);
                for (index, (key, sealed)) in sealings(now, value).iter().enumerate() {
                    if was.iter().any(|(k, s)| k == key && s != sealed) {
                        let which = if index == 0 {
                            "its sealing to the bundle's key".to_owned()
                        } else {
                            format!("its sealing to recipient {} (`{key}`)", index + 1)
                        };
                        problems.push(format!(
                            "`{}`: {which} changed but kept generation {}: edited by hand (`set` gives a new generation)",
                            value.name, value.generation
                        ));
                    }
                }
            }
            None if value.generation <= then.generation => problems.push(format!(
                "`{}` is new but has generation {}, not above {}: a line from history",
                value.name, value.generation, then.generation
            )),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Bundle {
        let text = include_str!("../../tests/tests/fixtures/app.bundle");
        Bundle::parse(text).unwrap()
    }

    /// An edit of the bundle now, given the bundle then.
    type Edit = fn(&Bundle, &mut Bundle);

    fn set(bundle: &mut Bundle, name: &str, byte: u8) {
        let generation = bundle.next_generation().unwrap();
        bundle.set(name, generation, vec![vec![byte; 90]]).unwrap();
    }

    /// Finding M1 of issue 34: a value's sealing to a stage's failover recipient edited, its
    /// generation kept, used to pass (only the first sealing was compared).
    #[test]
    fn a_second_sealing_edited_at_the_same_generation_is_named() {
        let text = include_str!("../../tests/tests/fixtures/recipients/app.prod.bundle");
        let then = Bundle::parse(text).unwrap();
        let mut now = then.clone();
        now.values[0].others[0][40] ^= 1;
        let problems = unexplained(&then, &now);
        assert!(
            problems
                .iter()
                .any(|p| p.contains("its sealing to recipient 2") && p.contains("kept generation")),
            "{problems:?}"
        );
        // a recipient's wrapped private key edited, its public key kept
        let mut now = then.clone();
        now.recipients[0].private_key.insert(0, 'A');
        let problems = unexplained(&then, &now);
        assert!(
            problems
                .iter()
                .any(|p| p.contains("wrapped private key of recipient")),
            "{problems:?}"
        );
    }

    #[test]
    fn what_the_commands_do_is_explained_and_nothing_else() {
        let then = sample();
        let mut now = then.clone();
        set(&mut now, "db_password", 1);
        set(&mut now, "new_one", 2);
        now.remove("api_token");
        assert_eq!(unexplained(&then, &now), Vec::<String>::new());

        let cases: [(&str, Edit); 9] = [
            ("went back from generation", |then, now| {
                set(now, "db_password", 1);
                let old = then.value("db_password").unwrap().clone();
                now.values[0] = old.clone();
                now.values[0].generation = old.generation - 1;
            }),
            ("changed but kept generation", |_, now| {
                now.values[0].sealed[0] ^= 1;
            }),
            ("more than 1024 sets in one range", |_, now| {
                now.generation += 2000;
            }),
            ("generation went down", |_, now| now.generation -= 1),
            ("the public key changed", |then, now| {
                let other = include_str!("../../tests/tests/fixtures/emulator.bundle");
                let other = Bundle::parse(other).unwrap();
                *now = Bundle::new(
                    then.id,
                    then.key.clone(),
                    then.context.clone(),
                    other.public_key().to_vec(),
                    then.private_key.clone(),
                )
                .unwrap();
                now.generation = then.generation;
                now.values.clone_from(&then.values);
            }),
            (
                "the wrapped private key changed but the id did not",
                |_, now| {
                    now.private_key.push('A');
                },
            ),
            ("the key changed but the id did not", |_, now| {
                "alias/other".clone_into(&mut now.key);
            }),
            (
                "the id and the encryption context changed together",
                |then, now| {
                    let other = include_str!("../../tests/tests/fixtures/emulator.bundle");
                    *now = Bundle::parse(other).unwrap();
                    now.id[0] = then.id[0] ^ 1;
                    now.generation = then.generation;
                },
            ),
            ("the id changed but the key pair did not", |_, now| {
                now.id[0] ^= 1;
            }),
        ];
        for (expected, edit) in cases {
            let mut now = then.clone();
            edit(&then, &mut now);
            let problems = unexplained(&then, &now);
            assert!(
                problems.iter().any(|p| p.contains(expected)),
                "{expected}: {problems:?}"
            );
        }
    }
}
