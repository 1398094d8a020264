//! `cargo sealed check`: every `sealed!` under the paths with the macro's verdict; with `--kms`
//! the proof that each decrypts (a KMS dry run: for a bundle value, of the bundle's private
//! key); with `--open` each value decrypted and opened for real, its plaintext discarded unread.

use std::process::ExitCode;

use clap::Args;
use sealed_runtime::Sealed;

use crate::args::ScanArgs;
use crate::context::declare;
use crate::output::{println, BAD, GOOD};
use crate::proof::{prove_one, Proved};
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

/// A run-time `Sealed` for a found value, pointing at its `sealed!` in errors.
fn sealed_of(
    invocation: &Invocation,
    value: &ValidInvocation,
    allow_emulator: bool,
) -> Result<Sealed, String> {
    if let (Some(bundle), Some(path)) = (&value.checked.bundle, &value.file) {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        let pinned = value.checked.key.clone().unwrap_or_default();
        return Sealed::from_bundle(text, &bundle.name)
            .expect_key(pinned)
            .path(bundle.path.clone())
            .location(
                invocation.file.display().to_string(),
                u32::try_from(invocation.line).unwrap_or(0),
                u32::try_from(invocation.column).unwrap_or(0),
            )
            .allow_emulator(allow_emulator)
            .build()
            .map_err(|e| e.to_string());
    }
    let mut builder = Sealed::builder(value.text.clone())
        .location(
            invocation.file.display().to_string(),
            u32::try_from(invocation.line).unwrap_or(0),
            u32::try_from(invocation.column).unwrap_or(0),
        )
        .algorithm(value.checked.algorithm)
        .allow_emulator(allow_emulator);
    if let Some(key) = &value.checked.key {
        builder = builder.key(key);
    }
    declare(builder, &value.context)
        .build()
        .map_err(|e| e.to_string())
}

/// `--kms` for one value: a dry run, or with `--open` the value decrypted (and opened).
async fn prove(
    invocation: &Invocation,
    value: &ValidInvocation,
    args: &CheckArgs,
) -> Result<Proved, String> {
    let sealed = sealed_of(invocation, value, args.scan.emulator)?;
    prove_one(sealed, args.open).await
}

/// `--since REV`: each bundle file the values name, against its version at `rev`; one line per
/// file, and the number that fail.
fn since(invocations: &[Invocation], rev: &str) -> Result<usize, String> {
    let mut files: Vec<&std::path::Path> = invocations
        .iter()
        .filter_map(|invocation| invocation.verdict.as_ref().ok())
        .filter(|value| value.checked.bundle.is_some())
        .filter_map(|value| value.file.as_deref())
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
pub async fn run(args: &CheckArgs) -> Result<ExitCode, String> {
    let kms = args.kms;
    let invocations = crate::scan::invocations(&args.scan)?;
    let mut failed = 0;
    let ok_mark = format!("{GOOD}ok{GOOD:#}");
    // a bundle's private key is proved once by a dry run, however many values name it
    let mut bundles: std::collections::HashMap<std::path::PathBuf, Result<Proved, String>> =
        std::collections::HashMap::new();
    for invocation in &invocations {
        match &invocation.verdict {
            Err(message) => {
                failed += 1;
                println!("{}  {BAD}invalid{BAD:#}", invocation.location());
                for line in message.lines() {
                    println!("    {line}");
                }
            }
            Ok(value) => {
                let key = value.checked.key.as_deref().unwrap_or("-");
                let what = match &value.checked.bundle {
                    Some(bundle) => format!("bundle {} value {}", bundle.path, bundle.name),
                    None => value.checked.blob.family().to_string(),
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
                    .file
                    .as_ref()
                    .filter(|_| value.checked.bundle.is_some() && !args.open);
                let outcome = if let Some(outcome) = known.and_then(|path| bundles.get(path)) {
                    outcome.clone()
                } else {
                    let outcome = prove(invocation, value, args).await;
                    if let Some(path) = known {
                        bundles.insert(path.clone(), outcome.clone());
                    }
                    outcome
                };
                match outcome {
                    Ok(proved) => println!(
                        "{summary}  {ok_mark} ({})",
                        proved.words(value.checked.bundle.is_some())
                    ),
                    Err(message) => {
                        failed += 1;
                        println!("{summary}  {BAD}fails{BAD:#}");
                        println!("    {message}");
                    }
                }
            }
        }
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
