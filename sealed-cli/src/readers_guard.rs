//! Before a writer seals (`bundle set`, `stage set`): every key it would seal to is one the code
//! allows (`readers = […]` beside `bundle = …` or `stages = …` in the crate) and one the default
//! branch's version of the file has, which a pull request cannot change. A local record of keys
//! (`known_bundles`) says only what this machine saw before.

use std::path::{Path, PathBuf};
use std::process::Command;

use sealed_format::{Bundle, PinnedReader, Readers};

use crate::error::CliError;

/// What a writer is about to seal to, and how to read the file's readers from another version.
pub struct ReadersGuard<'a> {
    /// The file whose readers they are: a standalone bundle, or a stage set.
    pub file: &'a Path,
    /// Its readers, given the bundle about to be sealed into (a stage set's are its own).
    pub readers: &'a dyn Fn(&Bundle) -> Readers,
    /// How to read them from the text of another version of the file.
    pub read: fn(&str) -> Option<Readers>,
    /// `--new-readers`: readers the default branch does not have are sealed to all the same.
    pub new_readers: bool,
}

impl ReadersGuard<'_> {
    /// The readers sealing into `bundle` reaches, held to the code's pins, then to the default
    /// branch's file.
    pub fn check(&self, bundle: &Bundle) -> Result<(), CliError> {
        let readers = (self.readers)(bundle);
        self.against_code(&readers)?;
        self.against_default_branch(&readers)
    }

    /// Every `readers = […]` for this file in its crate names exactly `readers`.
    fn against_code(&self, readers: &Readers) -> Result<(), CliError> {
        code_pins(self.file, readers, "nothing was sealed")
    }

    /// Every reader is one the default branch's version of the file has, or `--new-readers`.
    /// Outside a git repository, with no default branch known, or for a file git ignores, there
    /// is nothing to compare.
    fn against_default_branch(&self, readers: &Readers) -> Result<(), CliError> {
        let Some(top) = work_tree(self.file) else {
            return Ok(()); // not in a git repository: no reviewed version to compare with
        };
        let Some((branch, commit)) = default_branch(&top) else {
            eprintln!(
                "note: `{}` was not compared with a default branch: this repository has no `origin/HEAD` (`git remote set-head origin --auto` sets it)",
                self.file.display()
            );
            return Ok(());
        };
        let Some(relative) = std::fs::canonicalize(self.file)
            .ok()
            .and_then(|f| f.strip_prefix(&top).ok().map(Path::to_owned))
        else {
            return Ok(());
        };
        // a file git ignores is never pushed nor reviewed (local data, an emulator's)
        if git(&top, &["check-ignore", "-q", &relative.to_string_lossy()]).is_some() {
            return Ok(());
        }
        let on_branch = git(&top, &["show", &format!("{commit}:{}", relative.display())]);
        let absent = on_branch.is_none();
        let old = on_branch
            .and_then(|text| (self.read)(&text))
            .unwrap_or(Readers {
                readers: Vec::new(),
            });
        let new: Vec<_> = readers.added_since(&old).collect();
        if new.is_empty() {
            return Ok(());
        }
        let listed = new
            .iter()
            .map(|r| format!("  {r}"))
            .collect::<Vec<_>>()
            .join("\n");
        if self.new_readers {
            eprintln!(
                "sealing to readers that `{branch}`'s `{}` does not have (--new-readers):\n{listed}",
                relative.display()
            );
            return Ok(());
        }
        let why = if absent {
            format!(
                "`{}` is not on `{branch}` (a new or moved file), so none of its readers is",
                relative.display()
            )
        } else {
            format!(
                "`{}` has readers that `{branch}`'s version of it does not have",
                self.file.display()
            )
        };
        Err(CliError::new(format!("{why}; nothing was sealed:\n{listed}"))
        .help(format!(
            "a pull request can add a reader to the file, but not to `{branch}`: check each one (its account, its kind, its fingerprint) with whoever holds its key. If you expect them all, pass --new-readers; the code's `readers = […]` must name them too"
        )))
    }
}

/// Every `readers = […]` for `file` in its crate names exactly `readers`; the error ends with
/// `outcome` (what was not done). `stage check` asks this alone: a gate compares with code,
/// which review saw.
pub fn code_pins(file: &Path, readers: &Readers, outcome: &str) -> Result<(), CliError> {
    let (Some(dir), Ok(target)) = (crate::scan::manifest_dir(file), std::fs::canonicalize(file))
    else {
        return Ok(());
    };
    for code in crate::scan::readers_pins(&dir)? {
        if code.file != target {
            continue;
        }
        let Ok(pinned) = code
            .pins
            .iter()
            .map(|p| PinnedReader::parse(p))
            .collect::<Result<Vec<_>, _>>()
        else {
            continue; // the build says what is wrong with them
        };
        let change = readers.compared_with(&pinned);
        if !change.is_empty() {
            return Err(CliError::new(format!(
                    "the code at {} pins other readers of `{}` than it has; {outcome}:\n{}",
                    code.location,
                    file.display(),
                    change.listed("  ")
                ))
                .help(format!(
                    "the build fails there too. Compare `{}` with your default branch's (`git diff origin/HEAD -- {}`), which a change cannot forge; if its readers changed on purpose (a rotation, `stage add-key`), change the code's `readers = […]` first",
                    file.display(),
                    file.display()
                )));
        }
    }
    Ok(())
}

/// The top of the git work tree holding `file`, canonical.
fn work_tree(file: &Path) -> Option<PathBuf> {
    let dir = std::fs::canonicalize(file).ok()?.parent()?.to_owned();
    let top = PathBuf::from(git(&dir, &["rev-parse", "--show-toplevel"])?.trim());
    std::fs::canonicalize(top).ok()
}

/// The default branch of the repository at `top` (`origin/HEAD`): its name for messages
/// (`origin/main`) and the commit it is at, which a local branch or tag of the same name cannot
/// shadow.
fn default_branch(top: &Path) -> Option<(String, String)> {
    let branch = git(
        top,
        &["symbolic-ref", "-q", "--short", "refs/remotes/origin/HEAD"],
    )?;
    let commit = git(
        top,
        &[
            "rev-parse",
            "-q",
            "--verify",
            "refs/remotes/origin/HEAD^{commit}",
        ],
    )?;
    Some((branch.trim().to_owned(), commit.trim().to_owned()))
}

/// `git ARGS` in `dir`: its standard output, when it succeeds.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}
