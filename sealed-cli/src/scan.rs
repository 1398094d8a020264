//! Finding `sealed!` invocations in a tree of Rust sources, and checking each exactly as the
//! macro would (through `sealed-syntax`).

use std::fs;
use std::path::{Path, PathBuf};

use proc_macro2::Span;
use sealed_format::ContextValue;
use sealed_syntax::{Checked, CheckedBundle, CheckedCiphertext};
use syn::visit::Visit;
use syn::LitStr;

use crate::error::CliError;

/// One `sealed!` invocation found in a file: where it is, and what the macro would say of it.
pub struct Invocation {
    /// The file, as found from the paths given.
    pub file: PathBuf,
    /// 1-based line of the invocation.
    pub line: usize,
    /// 1-based column of the invocation.
    pub column: usize,
    /// What the macro would say.
    pub verdict: Result<ValidInvocation, CliError>,
    /// For a value of a stage set: the stage this entry is (a `sealed!(stages = …)` is listed
    /// once per stage that has its value; once, with no stage, when it fails).
    pub stage: Option<String>,
    /// For `sealed!(stages = …)`, valid or not: the set, the name and `only`, as written.
    pub staged: Option<StagedUse>,
}

/// What a `sealed!(stages = …, name = …)` asks of its stage set.
#[derive(Clone)]
pub struct StagedUse {
    /// The set file, resolved against the crate's directory.
    pub set: PathBuf,
    /// The value's name.
    pub name: String,
    /// `only = […]`, if given.
    pub only: Option<Vec<String>>,
}

/// An invocation the macro accepts: its checked arguments, and where their literals are in the file.
pub struct ValidInvocation {
    /// What `Decrypt` is sent: the ciphertext, or the bundle's wrapped private key.
    pub sent: CheckedCiphertext,
    /// For a value of a bundle (or of one stage's bundle): the value.
    pub bundle: Option<CheckedBundle>,
    /// Where the ciphertext literal is in the file (byte range), when it is a literal.
    pub literal: Option<std::ops::Range<usize>>,
    /// Where the `key = "…"` literal is (byte range).
    pub key_literal: Option<std::ops::Range<usize>>,
    /// Where the `file = "…"` literal is (byte range).
    pub file_literal: Option<std::ops::Range<usize>>,
    /// The context with `env(…)` names kept.
    pub context: Vec<(String, ContextValue<String>)>,
}

impl Invocation {
    pub fn location(&self) -> String {
        let stage = self
            .stage
            .as_ref()
            .map(|s| format!(" (stage {s})"))
            .unwrap_or_default();
        format!(
            "{}:{}:{}{stage}",
            self.file.display(),
            self.line,
            self.column
        )
    }
}

/// Every `.rs` file under `paths`, as git would see them: files `.gitignore` (and `.ignore`)
/// exclude (unless `no_ignore`), hidden directories, `target` and `node_modules` are skipped;
/// symbolic links are followed, with loops detected. Every file git tracks is read whatever the
/// ignore rules say: a pull request could otherwise hide code from `check` with a `.ignore`
/// or `.gitignore` of its own, which cargo does not read.
pub fn rust_files(paths: &[PathBuf], no_ignore: bool) -> Result<Vec<PathBuf>, CliError> {
    let mut out = Vec::new();
    for path in paths {
        fs::metadata(path)
            .map_err(|e| CliError::new(format!("cannot read `{}`", path.display())).because(e))?;
        let walk = ignore::WalkBuilder::new(path)
            .follow_links(true)
            // the rules of the repository the paths are in, even outside a git work tree
            .require_git(false)
            .git_ignore(!no_ignore)
            .git_exclude(!no_ignore)
            .ignore(!no_ignore)
            .filter_entry(|entry| {
                let name = entry.file_name();
                !(entry.depth() > 0
                    && entry.file_type().is_some_and(|t| t.is_dir())
                    && (name == "target" || name == "node_modules"))
            })
            .build();
        for entry in walk {
            let entry = match entry {
                Ok(entry) => entry,
                // a file that cannot be read fails the check; a loop of symbolic links or a
                // broken ignore rule only narrows it
                Err(e) if e.is_io() => return Err(format!("cannot read: {e}").into()),
                Err(e) => {
                    crate::output::warning(&format!("skipped: {e}"));
                    continue;
                }
            };
            let is_file = entry.file_type().is_some_and(|t| t.is_file());
            if is_file && entry.path().extension().is_some_and(|e| e == "rs") {
                out.push(entry.into_path());
            }
        }
    }
    for path in paths {
        out.extend(tracked_rust_files(path)?);
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// The `.rs` files git tracks under `path` (submodules' too; none outside a git work tree), but
/// build output; an error when `path` is in a work tree and git does not answer.
fn tracked_rust_files(path: &Path) -> Result<Vec<PathBuf>, CliError> {
    if !path.is_dir() {
        return Ok(Vec::new()); // a file given by name is read as it is
    }
    let absolute = fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    if !absolute.ancestors().any(|dir| dir.join(".git").exists()) {
        return Ok(Vec::new()); // not in a git work tree: the ignore rules are all there is
    }
    // in a work tree, git must answer: what it tracks is what ignore files cannot hide
    let output = std::process::Command::new("git")
        .env("LC_ALL", "C")
        .arg("-C")
        .arg(path)
        .args(["ls-files", "-z", "--recurse-submodules", "--", "*.rs"])
        .output()
        .map_err(|e| {
            CliError::new(format!(
                "`{}` is in a git work tree, and git cannot be run to list the files it tracks",
                path.display()
            ))
            .because(e)
        })?;
    if !output.status.success() {
        return Err(CliError::from(format!(
            "`{}` is in a git work tree, and `git ls-files` failed: {}",
            path.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
        .help("the scan reads every file git tracks, whatever ignore files say; make git work here (`git config --global --add safe.directory DIR` for a checkout another user owns)"));
    }
    Ok(git_paths(&output.stdout, path)
        .filter(|file| file.is_file() && !in_build_output(file))
        .collect())
}

/// The paths of git's `-z` output (NUL-separated, relative to `dir`), joined to `dir`.
pub fn git_paths<'a>(stdout: &'a [u8], dir: &'a Path) -> impl Iterator<Item = PathBuf> + 'a {
    stdout
        .split(|b| *b == 0)
        .filter(|name| !name.is_empty())
        .filter_map(|name| std::str::from_utf8(name).ok())
        .map(move |name| dir.join(name))
}

/// Whether `file` is under a cargo target directory (`target` beside a `Cargo.toml`) or a
/// `node_modules`: build output, not code, even when tracked.
fn in_build_output(file: &Path) -> bool {
    file.ancestors().any(|dir| {
        let name = dir.file_name();
        name.is_some_and(|n| n == "node_modules")
            || (name.is_some_and(|n| n == "target")
                && dir.parent().is_some_and(|p| p.join("Cargo.toml").is_file()))
    })
}

/// The directory of the nearest `Cargo.toml` above `file`: what `CARGO_MANIFEST_DIR` is when the
/// crate builds.
pub fn manifest_dir(file: &Path) -> Option<PathBuf> {
    let absolute = fs::canonicalize(file).ok()?;
    absolute
        .ancestors()
        .skip(1)
        .find(|dir| dir.join("Cargo.toml").is_file())
        .map(Path::to_owned)
}

/// The readers one `sealed!` pins (`readers = […]`) for the file it names.
pub struct ReadersPins {
    /// Where the invocation is (`src/main.rs:4:21`).
    pub location: String,
    /// The bundle or stage set it names, canonical.
    pub file: PathBuf,
    /// Its pins, as written.
    pub pins: Vec<String>,
    /// Its `allow_env = […]`, as written.
    pub allow_env: Vec<String>,
}

/// The variables the context of the bundle `file` may read when `cargo sealed` opens it:
/// what the code of its crate allows for it (`allow_env = […]` beside `bundle = …` naming it,
/// or beside `stages = …` naming a set in its directory). Lambda's own
/// (`sealed_format::CONTEXT_VARIABLES`) need no allowing.
pub fn allowed_env(file: &Path) -> Result<Vec<String>, CliError> {
    let Some(dir) = manifest_dir(file) else {
        return Ok(Vec::new());
    };
    let target = fs::canonicalize(file).unwrap_or_else(|_| file.to_owned());
    let mut allowed = Vec::new();
    for code in readers_pins(&dir)? {
        let set = code.file.extension().is_some_and(|e| e == "stages")
            && code.file.parent() == target.parent();
        if code.file == target || set {
            allowed.extend(code.allow_env);
        }
    }
    Ok(allowed)
}

/// Every `readers = […]` written beside `bundle = …` or `stages = …` in the Rust files under
/// `dir` (names resolved against each file's crate, as the macro resolves them). A `sealed!` inside the user's own
/// `macro_rules!` is not seen: its arguments are tokens until the macro is used.
pub fn readers_pins(dir: &Path) -> Result<Vec<ReadersPins>, CliError> {
    let mut found = Vec::new();
    for file in rust_files(&[dir.to_owned()], false)? {
        if let Ok(source) = fs::read_to_string(&file) {
            found.extend(pins_in(&file, &source));
        }
    }
    Ok(found)
}

/// The `readers = […]` of `source`, the text of the Rust file `file` (now, or at a revision:
/// names are resolved against the crate `file` is in today).
pub fn pins_in(file: &Path, source: &str) -> Vec<ReadersPins> {
    let mut found = Vec::new();
    let Ok(syntax) = syn::parse_file(source) else {
        return found;
    };
    // resolved as the macro resolves them: against the crate the source file is in
    let Some(manifest) = manifest_dir(file) else {
        return found;
    };
    for mac in sealed_macros(&syntax) {
        let (invocation, _) = sealed_syntax::Invocation::parse(mac.tokens);
        let (Some(named), Some(readers)) = (
            invocation.bundle.as_ref().or(invocation.stages.as_ref()),
            invocation.readers.as_ref(),
        ) else {
            continue;
        };
        let Ok(target) = fs::canonicalize(manifest.join(named.value())) else {
            continue;
        };
        let start = named.span().start();
        found.push(ReadersPins {
            location: format!("{}:{}", file.display(), start.line),
            file: target,
            pins: readers.items.iter().map(LitStr::value).collect(),
            allow_env: invocation.allowed_env(),
        });
    }
    found
}

/// Every `sealed!` invocation of a parsed file, in order.
fn sealed_macros(syntax: &syn::File) -> Vec<syn::Macro> {
    let mut found = Vec::new();
    Macros { found: &mut found }.visit_file(syntax);
    found
}

struct Macros<'a> {
    found: &'a mut Vec<syn::Macro>,
}

impl<'ast> Visit<'ast> for Macros<'_> {
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if mac
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "sealed")
        {
            self.found.push(mac.clone());
        }
        syn::visit::visit_macro(self, mac);
    }
}

/// Byte offsets of the start of each line.
fn line_starts(source: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(source.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// The byte range of `span` in `source` (proc-macro2 `span-locations`: 1-based lines, columns in
/// characters).
pub fn byte_range(source: &str, starts: &[usize], span: Span) -> std::ops::Range<usize> {
    let offset = |lc: proc_macro2::LineColumn| {
        let line_start = starts
            .get(lc.line.saturating_sub(1))
            .copied()
            .unwrap_or(source.len());
        let rest = &source[line_start..];
        line_start
            + rest
                .char_indices()
                .nth(lc.column)
                .map_or(rest.len(), |(i, _)| i)
    };
    offset(span.start())..offset(span.end())
}

/// Every `sealed!` in `file`, checked. `allow_emulator` as the `emulator` feature.
pub fn scan_file(file: &Path, allow_emulator: bool) -> Result<Vec<Invocation>, CliError> {
    let source = fs::read_to_string(file)
        .map_err(|e| CliError::new(format!("cannot read `{}`", file.display())).because(e))?;
    let syntax = syn::parse_file(&source).map_err(|e| {
        let at = e.span().start();
        format!(
            "cannot parse `{}` ({}:{}): {e}",
            file.display(),
            at.line,
            at.column + 1
        )
    })?;
    let macros = sealed_macros(&syntax);
    let starts = line_starts(&source);
    let manifest = manifest_dir(file);
    let mut found = Vec::new();
    for mac in macros {
        let start = mac
            .path
            .segments
            .first()
            .map_or_else(Span::call_site, |s| s.ident.span())
            .start();
        let staged = staged_use(&mac.tokens, manifest.as_deref());
        let verdict =
            sealed_syntax::check_tokens(mac.tokens.clone(), manifest.as_deref(), allow_emulator)
                .map_err(|error| messages(&error));
        let entry = |verdict, stage| Invocation {
            file: file.to_owned(),
            line: start.line,
            column: start.column + 1,
            verdict,
            stage,
            staged: staged.clone(),
        };
        match verdict {
            Ok(Checked::Ciphertext(sent)) => {
                found.push(entry(Ok(valid(&source, &starts, sent, None)), None));
            }
            Ok(Checked::Bundled(value)) => {
                let value = *value;
                let valid = valid(&source, &starts, value.sent, Some(value.bundle));
                found.push(entry(Ok(valid), None));
            }
            // a value of a stage set: each stage's value on its own
            Ok(Checked::Staged(every_stage)) => {
                for stage in every_stage.stages {
                    if let Some(value) = stage.value {
                        let valid = valid(&source, &starts, value.sent, Some(value.bundle));
                        found.push(entry(Ok(valid), Some(stage.name)));
                    }
                }
            }
            Err(message) => found.push(entry(Err(CliError::new(message)), None)),
        }
    }
    Ok(found)
}

/// A checked invocation (what it sends, and the bundle value it is) with where its literals are
/// in `source`.
fn valid(
    source: &str,
    starts: &[usize],
    sent: CheckedCiphertext,
    bundle: Option<CheckedBundle>,
) -> ValidInvocation {
    let range = |literal: &Option<LitStr>| {
        literal
            .as_ref()
            .map(|l| byte_range(source, starts, l.span()))
    };
    ValidInvocation {
        literal: range(&sent.literal),
        key_literal: range(&sent.key_literal),
        file_literal: range(&sent.file_literal),
        context: sent
            .context
            .iter()
            .map(|(key, value)| (key.clone(), value.as_ref().map(LitStr::value)))
            .collect(),
        sent,
        bundle,
    }
}

/// `stages = …`, `name = …` and `only = …` of an invocation, read whatever else it says.
fn staged_use(tokens: &proc_macro2::TokenStream, manifest: Option<&Path>) -> Option<StagedUse> {
    let (invocation, _) = sealed_syntax::Invocation::parse(tokens.clone());
    let set = invocation.stages.as_ref()?.value();
    Some(StagedUse {
        set: manifest.map_or_else(|| PathBuf::from(&set), |dir| dir.join(&set)),
        name: invocation.name.as_ref()?.value(),
        only: invocation
            .only
            .as_ref()
            .map(|only| only.items.iter().map(LitStr::value).collect()),
    })
}

/// Every message of a combined `syn::Error`, one per line.
fn messages(error: &syn::Error) -> String {
    error
        .into_iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `sealed!` invocation in the files under the paths `args` gives, checked (emulator
/// ciphertexts accepted with `--emulator`, as a build with the `emulator` feature accepts them).
pub fn invocations(
    args: &crate::args::ScanArgs,
    emulator: bool,
) -> Result<Vec<Invocation>, CliError> {
    let mut all = Vec::new();
    for file in rust_files(&args.paths(), args.no_ignore)? {
        all.extend(scan_file(&file, emulator)?);
    }
    Ok(all)
}
