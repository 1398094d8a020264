//! The gate before deploying a stage: each stage's bundle against the set, and with `--kms` proved to open (`check`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use sealed_format::Stage;
use sealed_runtime::Sealed;

use crate::error::CliError;
use crate::output::{println, BAD, GOOD};
use crate::proof::prove_keys;

use crate::stage::pins::{bundle_path, stage_bundle, stage_of};

#[derive(Args)]
pub(crate) struct CheckArgs {
    /// The stage set file
    file: PathBuf,
    /// The stages to check [default: every stage]
    stages: Vec<String>,
    /// Also prove that each checked stage's private key decrypts with the current credentials
    /// (`Decrypt` with `DryRun`, pinned to the stage's key, with its context and `sealed:stage`)
    #[arg(long)]
    kms: bool,
    /// With `--kms`: decrypt for real and open every value of the stage, discarding the
    /// plaintext unread; for the stage's own role
    #[arg(long, requires = "kms")]
    open: bool,
}

/// `cargo sealed stage check`: per stage, the bundle against the set and `sealed!`'s checks; with
/// `--kms` a dry run of its private key (`--open`: every value opened), with the stage bound.
pub(crate) async fn check(args: &CheckArgs, emulator: bool) -> Result<ExitCode, CliError> {
    let set = crate::bundle_file::read_stage_set(&args.file)?;
    let mut chosen = Vec::new();
    for name in &args.stages {
        chosen.push(stage_of(&set, &args.file, name)?);
    }
    if chosen.is_empty() {
        chosen = set.stages.iter().collect();
    }
    if chosen.is_empty() {
        return Err(format!(
            "`{}` has no stages: add one with `cargo sealed stage new {} STAGE --key ARN`",
            args.file.display(),
            args.file.display()
        )
        .into());
    }
    let mut failed = 0;
    // who can read, as the set says, against who the code allows (the build's check, for a
    // gate that may run on a tree not built yet)
    let readers = sealed_format::Readers::of_stage_set(&set);
    if let Err(message) = crate::readers_guard::code_pins(&args.file, &readers, "the set fails") {
        failed += 1;
        println!("readers of {}  {BAD}fails{BAD:#}", args.file.display());
        for line in message.render().lines() {
            println!("    {line}");
        }
    }
    let keys: Vec<&str> = chosen
        .iter()
        .flat_map(|stage| {
            // every recipient's: a break-glass key holds a key pair too
            let recipients = stage.recipients.iter().map(|r| r.key.as_str());
            std::iter::once(stage.key.as_str()).chain(recipients)
        })
        .collect();
    for stage in chosen {
        let path = bundle_path(&args.file, stage);
        let head = format!("{}  {}  key={}", stage.name, path.display(), stage.key);
        match check_stage(&args.file, stage, args, emulator).await {
            Ok(words) => println!("{head}  {GOOD}ok{GOOD:#} ({words})"),
            Err(message) => {
                failed += 1;
                println!("{head}  {BAD}fails{BAD:#}");
                for line in message.render().lines() {
                    println!("    {line}");
                }
            }
        }
    }
    if args.kms {
        failed += crate::key_policy::report(keys).await;
    }
    if failed > 0 {
        Ok(ExitCode::from(1))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

/// One stage of `check`: what was proved, or what failed.
pub(crate) async fn check_stage(
    file: &Path,
    stage: &Stage,
    args: &CheckArgs,
    emulator: bool,
) -> Result<String, CliError> {
    let bundle = stage_bundle(file, stage)?;
    let path = bundle_path(file, stage);
    let options = sealed_format::Options {
        allow_emulator: emulator,
        ..sealed_format::Options::default()
    };
    bundle.inspect_private_key(&options).map_err(|e| {
        format!(
            "its private key is not one `sealed!` accepts: {e}\n  = help: {}",
            crate::messages::bundle_help(&e)
        )
    })?;
    for recipient in &bundle.recipients {
        recipient.inspect_private_key(&options).map_err(|e| {
            format!(
                "the private key of its recipient `{}` is not one `sealed!` accepts: {e}\n  = help: {}",
                recipient.key,
                crate::messages::bundle_help(&e)
            )
        })?;
    }
    let count = bundle.values.len();
    let mut values = format!("{count} value{}", if count == 1 { "" } else { "s" });
    let failover: Vec<&str> = stage.failover().map(|r| r.key.as_str()).collect();
    if !stage.recipients.is_empty() {
        values = format!("{values}, {} recipients", 1 + stage.recipients.len());
    }
    if !args.kms {
        return Ok(format!(
            "{values}; the set's pins hold; `--kms` proves KMS opens it"
        ));
    }
    let Some(first) = bundle.names().next() else {
        return Err(format!(
            "no values: nothing to prove it with; add one with `cargo sealed stage set {} {} NAME`",
            file.display(),
            stage.name
        )
        .into());
    };
    let text = bundle.render();
    let names: Vec<&str> = if args.open {
        bundle.names().collect()
    } else {
        vec![first]
    };
    // the stage's key, then each failover recipient's: the function may use any of them
    let keys: Vec<&str> = std::iter::once(stage.key.as_str())
        .chain(failover.iter().copied())
        .collect();
    let mut proved = None;
    let allowed = crate::scan::allowed_env(&path)?;
    for name in &names {
        let build = |key: &str| {
            crate::bundle_ops::allowing(Sealed::from_bundle(text.clone(), *name), &allowed)
                .expect_key(key)
                .expect_readers(crate::bundle_ops::own_readers(&bundle))
                .expect_id(hex::encode(stage.id))
                .path(path.display().to_string())
                .location(
                    file.display().to_string(),
                    u32::try_from(stage.line).unwrap_or(0),
                    0,
                )
                .allow_emulator(emulator)
                .build()
                .map_err(|e| crate::messages::built(&format!("`{}`", path.display()), &e))
        };
        let fix = format!(
            "set it again with `cargo sealed stage set {} {} {name}`",
            file.display(),
            stage.name
        );
        proved = Some(
            prove_keys(&keys, args.open, build)
                .await
                .map_err(|e| e.words(name, "the stage's key", &fix))?,
        );
    }
    let mut what = proved.map(|p| p.words(true)).unwrap_or_default();
    if !failover.is_empty() {
        what = format!(
            "{what}; so does each failover recipient's ({})",
            failover.join(", ")
        );
    }
    if stage.recipients.len() > failover.len() {
        what = format!("{what}; break-glass recipients are not tried (the function's role holds no grant on them)");
    }
    Ok(if args.open {
        format!("{values}; each {what}")
    } else {
        format!("{values}; {what}")
    })
}
