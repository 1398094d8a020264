//! `cargo sealed check`: every `sealed!` under the paths with the macro's verdict; with `--kms`
//! the proof that each decrypts (a KMS dry run: for a bundle value, of the bundle's private
//! key, and for a stage's value each of its failover keys too); with `--open` each value decrypted
//! and opened for real, with each key it may use, its plaintext discarded unread.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use sealed_runtime::Sealed;

use crate::args::ScanArgs;
use crate::context::declare;
use crate::error::CliError;
use crate::output::{println, BAD, GOOD};
use crate::proof::{prove_keys, prove_one, Proved};
use crate::scan::{Invocation, ValidInvocation};

/// `cargo sealed check`.
#[derive(Args)]
pub struct CheckArgs {
    #[command(flatten)]
    scan: ScanArgs,
    /// Also prove that each value decrypts with the current credentials (`Decrypt` with
    /// `DryRun`; the plaintext, if a server returns one anyway, is discarded unread)
    #[arg(long)]
    kms: bool,
    /// With `--kms`: decrypt each value for real, and open each bundle value with its bundle's
    /// private key (after checking it against the file's public key), discarding the plaintext
    /// unread; for a role allowed to read, such as the function's
    #[arg(long, requires = "kms")]
    open: bool,
    /// Also compare each bundle file with its version at git revision REV (the base branch, in
    /// CI): a value's generation that went down, a line edited by hand, or a changed header that
    /// no `bundle rotate` or `reseal` explains fails the check
    #[arg(long, value_name = "REV")]
    since: Option<String>,
}

fn context_keys(value: &ValidInvocation) -> String {
    let keys: Vec<&str> = value.context.iter().map(|(k, _)| k.as_str()).collect();
    if keys.is_empty() {
        "-".to_owned()
    } else {
        keys.join(",")
    }
}

/// A run-time `Sealed` for a found value, pointing at its `sealed!` in errors; for a bundle
/// value, pinned to `key` (its bundle's own key, or one of its failover recipients').
fn sealed_of(
    invocation: &Invocation,
    value: &ValidInvocation,
    key: Option<&str>,
    allow_emulator: bool,
) -> Result<Sealed, CliError> {
    let (file, line, column) = (
        invocation.file.display().to_string(),
        u32::try_from(invocation.line).unwrap_or(0),
        u32::try_from(invocation.column).unwrap_or(0),
    );
    if let (Some(bundle), Some(path)) = (&value.bundle, &value.sent.file) {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::new(format!("cannot read `{}`", path.display())).because(e))?;
        // the readers were held to the code's `readers = […]` when the tree was checked
        let readers = sealed_format::Bundle::parse(&text)
            .map(|b| crate::bundle_ops::own_readers(&b))
            .unwrap_or_default();
        let mut builder = Sealed::from_bundle(text, &bundle.name);
        for name in &value.sent.allow_env {
            builder = builder.allow_env(name);
        }
        return builder
            .expect_key(key.unwrap_or_default())
            .expect_readers(readers)
            .path(bundle.path.clone())
            .location(file, line, column)
            .allow_emulator(allow_emulator)
            .build()
            .map_err(|e| refused(&e));
    }
    let mut builder = Sealed::builder(value.sent.text.clone())
        .location(file, line, column)
        .algorithm(value.sent.algorithm)
        .allow_emulator(allow_emulator);
    for name in &value.sent.allow_env {
        builder = builder.allow_env(name);
    }
    if let Some(key) = key {
        builder = builder.key(key);
    }
    declare(builder, &value.context)
        .build()
        .map_err(|e| refused(&e))
}

/// A value the builder refused, at its `sealed!`.
fn refused(error: &sealed_runtime::build::BuildError) -> CliError {
    let place = format!("the sealed value at {}", error.location());
    crate::messages::built(&place, error)
}

/// `--kms` for one value: a dry run, or with `--open` the value decrypted (and opened); a stage's
/// value with each key the function may open it with, its failover recipients' too.
async fn prove<'a>(
    invocation: &Invocation,
    value: &'a ValidInvocation,
    args: &CheckArgs,
    emulator: bool,
) -> Result<(Proved, Vec<&'a str>), CliError> {
    let failover: Vec<&str> = value
        .bundle
        .iter()
        .flat_map(|b| b.failover.iter().map(|f| f.key.as_str()))
        .collect();
    let own = value.sent.key.as_deref();
    if failover.is_empty() {
        let sealed = sealed_of(invocation, value, own, emulator)?;
        return Ok((prove_one(sealed, args.open).await?, failover));
    }
    let keys: Vec<&str> = std::iter::once(own.unwrap_or_default())
        .chain(failover.iter().copied())
        .collect();
    let build = |key: &str| sealed_of(invocation, value, Some(key), emulator);
    let fix = match (&invocation.staged, &invocation.stage) {
        (Some(staged), Some(stage)) => format!(
            "set it again with `cargo sealed stage set {} {stage} {}`",
            staged.set.display(),
            staged.name
        ),
        _ => "set it again".to_owned(),
    };
    let name = value.bundle.as_ref().map_or("", |b| b.name.as_str());
    let proved = prove_keys(&keys, args.open, build)
        .await
        .map_err(|e| e.words(name, "the bundle's own key", &fix))?;
    Ok((proved, failover))
}

/// `--kms`: the key policy of each key that holds a bundle the values name (its own, and its
/// failover recipients'), read and held to what `policy --key-policy` prints; one line per key,
/// and the number that fail. A policy that cannot be read is said, not failed.
async fn key_policies(invocations: &[Invocation]) -> usize {
    let keys: Vec<&str> = invocations
        .iter()
        .filter_map(|invocation| invocation.verdict.as_ref().ok())
        .filter_map(|value| Some((value, value.bundle.as_ref()?)))
        .flat_map(|(value, bundle)| {
            value
                .sent
                .key
                .as_deref()
                .into_iter()
                .chain(bundle.failover.iter().map(|f| f.key.as_str()))
        })
        .collect();
    // a stage set's break-glass recipients hold key pairs too, though the function never uses them
    let mut keys: Vec<String> = keys.into_iter().map(str::to_owned).collect();
    let mut sets: Vec<&Path> = invocations
        .iter()
        .filter_map(|i| i.staged.as_ref().map(|s| s.set.as_path()))
        .collect();
    sets.sort_unstable();
    sets.dedup();
    for set in sets {
        if let Ok(set) = crate::bundle_file::read_stage_set(set) {
            for stage in &set.stages {
                keys.extend(stage.recipients.iter().map(|r| r.key.clone()));
            }
        }
    }
    crate::key_policy::report(keys.iter().map(String::as_str).collect()).await
}

/// A data file `--since` compares: a bundle (standalone, or one stage's) or a stage set.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum DataFile<'a> {
    Bundle { path: &'a Path, standalone: bool },
    Set(&'a Path),
}

/// `--since REV`: each bundle file and stage set the values name, against its version at `rev`:
/// what no command explains, and each reader that is new since (named, with the pin in code
/// that allows it); one block per file, and the number that fail.
fn since(invocations: &[Invocation], rev: &str, paths: &[PathBuf]) -> Result<usize, CliError> {
    let mut files: Vec<DataFile<'_>> = Vec::new();
    for invocation in invocations {
        if let Some(staged) = &invocation.staged {
            files.push(DataFile::Set(&staged.set));
        }
        if let Ok(value) = &invocation.verdict {
            if let (Some(bundle), Some(path)) = (&value.bundle, value.sent.file.as_deref()) {
                files.push(DataFile::Bundle {
                    path,
                    standalone: bundle.stage.is_none(),
                });
            }
        }
    }
    files.sort();
    files.dedup();
    for path in paths {
        let dir = if path.is_dir() {
            path.as_path()
        } else {
            path.parent().unwrap_or(Path::new("."))
        };
        crate::history::require_revision(dir, rev)?;
    }
    let mut pins = Pins::default();
    let mut failed = 0;
    // a data file the range changed that no value led to: not compared, so not passed (the code
    // that names it may be where the scan does not look)
    let compared: Vec<PathBuf> = files
        .iter()
        .map(|(DataFile::Bundle { path, .. } | DataFile::Set(path))| {
            std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
        })
        .collect();
    for path in paths {
        for changed in crate::history::changed_data_files(path, rev)? {
            if !compared.contains(&changed) {
                failed += 1;
                println!("{}  since {rev}  {BAD}fails{BAD:#}", changed.display());
                println!("    changed since {rev}, and no `sealed!` under the paths names it: not compared; name it in code, check the paths that hold its code, or remove it");
            }
        }
    }
    // every bundle compared, now: none may share a key pair with another
    let mut bundles = Vec::new();
    for file in &files {
        if let DataFile::Bundle { path, .. } = file {
            bundles.push((*path, crate::bundle_file::read(path)?));
        }
    }
    let shared = crate::history::shared_key_pairs(&bundles, rev)?;
    for file in &files {
        let (mut problems, notes) = match file {
            DataFile::Bundle { path, standalone } => {
                // read once, above, for the shared-key-pair check
                let now = &bundles
                    .iter()
                    .find(|(p, _)| p == path)
                    .expect("read above")
                    .1;
                compare_bundle(path, now, *standalone, rev, &mut pins)?
            }
            DataFile::Set(path) => compare_set(path, rev, &mut pins)?,
        };
        let (DataFile::Bundle { path, .. } | DataFile::Set(path)) = file;
        problems.extend(
            shared
                .iter()
                .filter(|(index, _)| bundles[*index].0 == *path)
                .map(|(_, problem)| problem.clone()),
        );
        let shown = path.display();
        if problems.is_empty() {
            println!("{shown}  since {rev}  {GOOD}ok{GOOD:#}");
        } else {
            failed += 1;
            println!("{shown}  since {rev}  {BAD}fails{BAD:#}");
        }
        for line in notes.iter().chain(&problems) {
            println!("    {line}");
        }
    }
    Ok(failed)
}

/// The pins code writes (`readers = […]`), read once per crate directory.
#[derive(Default)]
struct Pins(std::collections::HashMap<PathBuf, Vec<crate::scan::ReadersPins>>);

impl Pins {
    /// Where code pins `reader` for `file`, and whether that pin is new since `rev` (the text
    /// of its source file at `rev` lacks it); `None` when no code under the file's crate does.
    fn of(
        &mut self,
        file: &Path,
        reader: &sealed_format::Reader,
        rev: &str,
    ) -> Result<Option<(String, bool)>, CliError> {
        let Some(dir) = crate::scan::manifest_dir(file) else {
            return Ok(None);
        };
        if !self.0.contains_key(&dir) {
            let found = crate::scan::readers_pins(&dir)?;
            self.0.insert(dir.clone(), found);
        }
        let target = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_owned());
        let pin = reader.pinned();
        // the pins as the macro reads them: words, whatever the spaces between them
        let pinned = |code: &crate::scan::ReadersPins| {
            code.file == target
                && code
                    .pins
                    .iter()
                    .any(|p| p.split_whitespace().eq(pin.split_whitespace()))
        };
        let Some(code) = self.0[&dir].iter().find(|code| pinned(code)) else {
            return Ok(None);
        };
        let source = code
            .location
            .rsplit_once(':')
            .map_or(code.location.as_str(), |(f, _)| f);
        // new unless a `sealed!` in the same source file at `rev` pinned it for the same data
        // file: another value's pin (a wider bundle's) in the file's text does not count
        let before = crate::history::at_revision(Path::new(source), rev)?;
        let new = !before.is_some_and(|text| {
            crate::scan::pins_in(Path::new(source), &text)
                .iter()
                .any(pinned)
        });
        Ok(Some((code.location.clone(), new)))
    }
}

/// The readers of `now` that `then` lacks, each named; a problem for each that no code pins.
fn new_readers(
    file: &Path,
    then: &sealed_format::Readers,
    now: &sealed_format::Readers,
    rev: &str,
    pins: &mut Pins,
) -> Result<(Vec<String>, Vec<String>), CliError> {
    let (mut problems, mut notes) = (Vec::new(), Vec::new());
    for reader in now.added_since(then) {
        let what = crate::history::how_new(reader, then);
        match pins.of(file, reader, rev)? {
            Some((at, true)) => notes.push(format!("{what}\n      pinned at {at}, by this range: review the pin there")),
            Some((at, false)) => notes.push(format!("{what}\n      pinned at {at} since before {rev}")),
            None => problems.push(format!("{what}\n      no code under the file's crate pins it (`readers = […]`): the range must change the pins that allow a reader, where review sees them")),
        }
    }
    Ok((problems, notes))
}

/// `--since` for a bundle file: what no command explains, and (for a standalone bundle, whose
/// readers it holds itself) each new reader.
fn compare_bundle(
    path: &Path,
    now: &sealed_format::Bundle,
    standalone: bool,
    rev: &str,
    pins: &mut Pins,
) -> Result<(Vec<String>, Vec<String>), CliError> {
    let then = match crate::history::parsed_at_revision(path, rev, sealed_format::Bundle::parse)? {
        Ok(then) => then,
        Err(problem) => return Ok((vec![problem], Vec::new())),
    };
    let mut problems = match &then {
        Some(then) => crate::history::unexplained(then, now),
        None => Vec::new(),
    };
    let mut notes = vec![match &then {
        Some(then) => format!(
            "generation {} → {}, {} value(s)",
            then.generation,
            now.generation,
            now.values.len()
        ),
        None => format!("new since {rev}, {} value(s)", now.values.len()),
    }];
    if standalone {
        let before = then.as_ref().map_or(
            sealed_format::Readers {
                readers: Vec::new(),
            },
            sealed_format::Readers::of_bundle,
        );
        let (more, named) = new_readers(
            path,
            &before,
            &sealed_format::Readers::of_bundle(now),
            rev,
            pins,
        )?;
        problems.extend(more);
        notes.extend(named);
    }
    Ok((problems, notes))
}

/// `--since` for a stage set: each reader new since `rev` (a stage's key, failover or
/// break-glass recipient), named, with the pin that allows it.
fn compare_set(
    path: &Path,
    rev: &str,
    pins: &mut Pins,
) -> Result<(Vec<String>, Vec<String>), CliError> {
    let set = crate::bundle_file::read_stage_set(path)?;
    let then = match crate::history::parsed_at_revision(path, rev, sealed_format::StageSet::parse)?
    {
        Ok(then) => then,
        Err(problem) => return Ok((vec![problem], Vec::new())),
    };
    let before = then.as_ref().map_or(
        sealed_format::Readers {
            readers: Vec::new(),
        },
        sealed_format::Readers::of_stage_set,
    );
    let now = sealed_format::Readers::of_stage_set(&set);
    let (problems, mut notes) = new_readers(path, &before, &now, rev, pins)?;
    let new = now.added_since(&before).count();
    notes.insert(0, format!("{} reader(s), {new} new", now.readers.len()));
    if let Some(then) = &then {
        notes.extend(crate::history::set_changes(then, &set));
    }
    Ok((problems, notes))
}

/// `cargo sealed check`: one line per value; non-zero exit if any fails.
pub async fn run(args: &CheckArgs, emulator: bool) -> Result<ExitCode, CliError> {
    let kms = args.kms;
    let invocations = crate::scan::invocations(&args.scan, emulator)?;
    let mut failed = 0;
    let ok_mark = format!("{GOOD}ok{GOOD:#}");
    // a bundle's private key is proved once by a dry run, however many values name it with the
    // same keys (its own, then its failover recipients')
    let mut bundles: std::collections::HashMap<_, Result<String, CliError>> =
        std::collections::HashMap::new();
    for invocation in &invocations {
        match &invocation.verdict {
            Err(message) => {
                failed += 1;
                println!("{}  {BAD}invalid{BAD:#}", invocation.location());
                for line in message.render().lines() {
                    println!("    {line}");
                }
            }
            Ok(value) => {
                let key = value.sent.key.as_deref().unwrap_or("-");
                let what = match &value.bundle {
                    Some(bundle) => format!("bundle {} value {}", bundle.path, bundle.name),
                    None => value.sent.blob.family().to_string(),
                };
                let summary = format!(
                    "{}  {what}  key={key}  context={}",
                    invocation.location(),
                    context_keys(value)
                );
                if !kms {
                    println!("{summary}  {ok_mark}");
                    continue;
                }
                let known = value
                    .sent
                    .file
                    .as_ref()
                    .zip(value.bundle.as_ref())
                    .filter(|_| !args.open)
                    .map(|(path, bundle)| {
                        let keys: Vec<&str> = std::iter::once(key)
                            .chain(bundle.failover.iter().map(|f| f.key.as_str()))
                            .collect();
                        (path.clone(), keys)
                    });
                let outcome = if let Some(outcome) = known.as_ref().and_then(|k| bundles.get(k)) {
                    outcome.clone()
                } else {
                    let outcome =
                        prove(invocation, value, args, emulator)
                            .await
                            .map(|(proved, failover)| {
                                let words = proved.words(value.bundle.is_some());
                                if failover.is_empty() {
                                    words
                                } else {
                                    format!(
                                        "{words}; so does each failover recipient's ({})",
                                        failover.join(", ")
                                    )
                                }
                            });
                    if let Some(known) = known {
                        bundles.insert(known, outcome.clone());
                    }
                    outcome
                };
                match outcome {
                    Ok(words) => println!("{summary}  {ok_mark} ({words})"),
                    Err(message) => {
                        failed += 1;
                        println!("{summary}  {BAD}fails{BAD:#}");
                        for line in message.render().lines() {
                            println!("    {line}");
                        }
                    }
                }
            }
        }
    }
    if kms {
        failed += key_policies(&invocations).await;
    }
    if let Some(rev) = &args.since {
        failed += since(&invocations, rev, &args.scan.paths())?;
    }
    let total = invocations.len();
    eprintln!(
        "{total} sealed value{} found, {failed} failed{}",
        if total == 1 { "" } else { "s" },
        match (kms, args.open) {
            (true, true) => " (decrypted and opened with KMS)",
            (true, false) => " (checked against KMS)",
            _ => "",
        }
    );
    if failed > 0 {
        Ok(ExitCode::from(1))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}
