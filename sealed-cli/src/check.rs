//! `cargo sealed check`: every `sealed!` under the paths with the macro's verdict; with `--kms`
//! the proof that each decrypts (a KMS dry run: for a bundle value, of the bundle's private
//! key, and for a stage's value each of its failover keys too); with `--open` each value decrypted
//! and opened for real, with each key it may use, its plaintext discarded unread.

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
        return Sealed::from_bundle(text, &bundle.name)
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
    crate::key_policy::report(keys).await
}

/// `--since REV`: each bundle file the values name, against its version at `rev`; one line per
/// file, and the number that fail.
fn since(invocations: &[Invocation], rev: &str) -> Result<usize, CliError> {
    let mut files: Vec<&std::path::Path> = invocations
        .iter()
        .filter_map(|invocation| invocation.verdict.as_ref().ok())
        .filter(|value| value.bundle.is_some())
        .filter_map(|value| value.sent.file.as_deref())
        .collect();
    files.sort();
    files.dedup();
    let mut failed = 0;
    for file in files {
        let shown = file.display();
        let Some(then) = crate::history::at_revision(file, rev)? else {
            println!("{shown}  new since {rev}  {GOOD}ok{GOOD:#}");
            continue;
        };
        let now = crate::bundle_file::read(file)?;
        let then = match sealed_format::Bundle::parse(&then) {
            Ok(then) => then,
            Err(error) => {
                println!("{shown}  at {rev} it does not parse ({error}): not compared");
                continue;
            }
        };
        let problems = crate::history::unexplained(&then, &now);
        if problems.is_empty() {
            println!(
                "{shown}  since {rev}: generation {} → {}, {} value{}  {GOOD}ok{GOOD:#}",
                then.generation,
                now.generation,
                now.values.len(),
                if now.values.len() == 1 { "" } else { "s" }
            );
        } else {
            failed += 1;
            println!("{shown}  since {rev}  {BAD}fails{BAD:#}");
            for problem in problems {
                println!("    {problem}");
            }
        }
    }
    Ok(failed)
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
        failed += since(&invocations, rev)?;
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
