//! `cargo sealed check`: every `sealed!` under the paths with the macro's verdict, and with
//! `--kms` the proof that each decrypts.

use std::process::ExitCode;

use clap::Args;
use sealed_runtime::{Sealed, Verified};

use crate::args::ScanArgs;
use crate::context::declare;
use crate::output::{println, BAD, GOOD};
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

/// `cargo sealed check`: one line per value; non-zero exit if any fails.
pub async fn run(args: &CheckArgs) -> Result<ExitCode, String> {
    let kms = args.kms;
    let invocations = crate::scan::invocations(&args.scan)?;
    let mut failed = 0;
    let ok_mark = format!("{GOOD}ok{GOOD:#}");
    // a bundle's data key is proved once, however many values name it
    let mut bundles: std::collections::HashMap<std::path::PathBuf, Result<Verified, String>> =
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
                    .filter(|_| value.checked.bundle.is_some());
                let outcome = if let Some(outcome) = known.and_then(|path| bundles.get(path)) {
                    outcome.clone()
                } else {
                    let outcome = match sealed_of(invocation, value, args.scan.emulator) {
                        Ok(sealed) => sealed.verify().await.map_err(|e| e.to_string()),
                        Err(e) => Err(e),
                    };
                    if let Some(path) = known {
                        bundles.insert(path.clone(), outcome.clone());
                    }
                    outcome
                };
                match outcome {
                    Ok(Verified::DryRun) => println!("{summary}  {ok_mark} (decrypts: KMS dry run)"),
                    Ok(_) => println!(
                        "{summary}  {ok_mark} (decrypts: the server ignored DryRun and decrypted; the plaintext was discarded unread)"
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
    let total = invocations.len();
    eprintln!(
        "{total} sealed value{} found, {failed} failed{}",
        if total == 1 { "" } else { "s" },
        if kms { " (checked against KMS)" } else { "" }
    );
    if failed > 0 {
        Ok(ExitCode::from(1))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}
