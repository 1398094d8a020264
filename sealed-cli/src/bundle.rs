//! `cargo sealed bundle`: many values sealed to one KMS-generated key pair, one `Decrypt` per
//! process. Only `new` and `rotate` call KMS; `set`, `rm` and `ls` need the file and nothing else.
//! A stage's bundle is edited with `cargo sealed stage`, which checks the set's pins: every
//! command here that writes refuses one.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use sealed_format::{Bundle, KeyKind, KeyRef, Options, Readers};

use crate::args::ContextArgs;
use crate::bundle_ops::{
    name_readers, new_key_pair, remember, rotated, rotation_report, set_value, show_new_pin,
    show_pin, without_value, SetValue,
};
use crate::context::entry_text;
use crate::error::CliError;
use crate::kms::public_key_fingerprint;
use crate::runtime_tools::new_bundle_id;

#[derive(Args)]
pub struct BundleArgs {
    #[command(subcommand)]
    command: BundleCommand,
}

#[derive(Subcommand)]
enum BundleCommand {
    /// Create a bundle bound to a KMS key: one `GenerateDataKeyPairWithoutPlaintext` (a P-256
    /// key pair whose private key no one ever sees)
    New(NewArgs),
    /// Add or replace a value, read from stdin or a hidden prompt: sealed to the bundle's public
    /// key, with no KMS call and no credentials (a writer cannot read)
    Set(SetArgs),
    /// Remove a value (no KMS call); a stage's bundle: `stage rm`
    Rm(NameArgs),
    /// List the values: names, generations and lengths, the key and the context (no KMS call)
    Ls(FileArgs),
    /// Give the bundle a new id and key pair and re-seal every value to it: for when someone who
    /// could read has left. Needs `kms:Decrypt` on the bundle (the one command that reads values)
    /// and `kms:GenerateDataKeyPairWithoutPlaintext` on the new key
    Rotate(RotateArgs),
}

#[derive(Args)]
struct NewArgs {
    /// The bundle file to create
    file: PathBuf,
    /// The key: key id, key ARN, `alias/NAME` or alias ARN
    #[arg(long)]
    key: String,
    #[command(flatten)]
    context: ContextArgs,
    /// Replace FILE if it exists (its values are lost: they open only with its own key pair)
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
struct SetArgs {
    /// The bundle file
    file: PathBuf,
    /// The value's name (`A-Z a-z 0-9 _ . -`)
    name: String,
    #[command(flatten)]
    write: crate::args::WriteArgs,
}

#[derive(Args)]
struct NameArgs {
    /// The bundle file
    file: PathBuf,
    /// The value's name
    name: String,
}

#[derive(Args)]
struct FileArgs {
    /// The bundle file
    file: PathBuf,
}

#[derive(Args)]
struct RotateArgs {
    /// The bundle file
    file: PathBuf,
    /// Move the bundle to this KMS key [default: the bundle's own key]
    #[arg(long)]
    to_key: Option<String>,
}

pub async fn run(args: BundleArgs, emulator: bool) -> Result<ExitCode, CliError> {
    match args.command {
        BundleCommand::New(args) => new(args).await,
        BundleCommand::Set(args) => set(&args),
        BundleCommand::Rm(args) => rm(&args),
        BundleCommand::Ls(args) => ls(&args),
        BundleCommand::Rotate(args) => rotate(args, emulator).await,
    }
}

/// The line to paste for the value `name` of `bundle`, the file at `path`: its key and its
/// readers pinned.
fn usage(path: &Path, name: &str, bundle: &Bundle) -> String {
    format!(
        "sealed!(bundle = {:?}, name = {name:?}, key = {:?}, readers = {})",
        path.display().to_string(),
        bundle.key,
        Readers::of_bundle(bundle).inline()
    )
}

async fn new(args: NewArgs) -> Result<ExitCode, CliError> {
    let key = KeyRef::parse(&args.key).map_err(|e| CliError::from(format!("--key: {e}")))?;
    let entries = args.context.entries()?;
    if args.file.exists() && !args.force {
        return Err(format!(
            "`{}` exists; its values open only with its own key pair: add values with `cargo sealed bundle set`, or pass --force to replace it",
            args.file.display()
        ).into());
    }
    if args.file.exists() {
        // --force replaces a standalone bundle, never a stage's (its set pins its key pair)
        if let Ok(old) = crate::bundle_file::read(&args.file) {
            outside_stage_sets(&args.file, &old, "nothing was replaced")?;
        }
    }
    let context = entries.into_iter().map(|(k, e)| (k, e.written)).collect();
    let bundle = new_key_pair(new_bundle_id()?, &key, context, None).await?;
    let blob = bundle
        .inspect_private_key(&Options {
            allow_emulator: true,
            ..Options::default()
        })
        .map_err(|e| {
            CliError::from(format!(
                "KMS returned a private key that `sealed!` rejects: {e}"
            ))
        })?;
    crate::bundle_file::create(&args.file, &bundle, args.force)?;
    remember(&bundle);
    eprintln!(
        "created `{}` (id {}, public key {}) under `{}` ({}{}); add values with `cargo sealed bundle set {} NAME`: writing needs this file and nothing else",
        args.file.display(),
        bundle.id_hex(),
        public_key_fingerprint(&bundle),
        bundle.key,
        blob.family(),
        if blob.family().is_aws() {
            ""
        } else {
            "; an emulator's private key: builds need the `emulator` feature of sealed-runtime, and `cargo sealed` its `--emulator` to open it"
        },
        args.file.display()
    );
    show_pin(&Readers::of_bundle(&bundle));
    Ok(ExitCode::SUCCESS)
}

/// Whether `bundle` (the file at `path`) is one `cargo sealed bundle` edits: not a stage's (its
/// set pins it: `cargo sealed stage`), and with no other recipient (only a stage set pins one; a
/// recipient nobody pins could be a writer's own key, which a `set` or a `rotate` would seal
/// every value to). `nothing`: what the refusal did not do.
fn outside_stage_sets(path: &Path, bundle: &Bundle, nothing: &str) -> Result<(), CliError> {
    if let Some(stage) = &bundle.stage {
        return Err(format!(
            "`{}` is the bundle of stage `{stage}`: its stage set pins its key, id and recipients, so edit it with `cargo sealed stage` (`stage set SET {stage} NAME`, `stage rm SET {stage} NAME`, `stage rotate SET {stage}`), which checks the pins; {nothing}",
            path.display()
        ).into());
    }
    if let Some(recipient) = bundle.recipients.first() {
        return Err(CliError::new(format!(
            "`{}` has another recipient, `{}` (line {}), which no trust anchor pins: it could be a writer's own key, and every value would be sealed to it; {nothing}",
            path.display(),
            recipient.key,
            recipient.line
        ))
        .help("recipients belong to a stage's bundle (`cargo sealed stage add-key`); restore the file from version control"));
    }
    Ok(())
}

/// `cargo sealed bundle set`: no KMS client is built, no credential read, nothing sent.
fn set(args: &SetArgs) -> Result<ExitCode, CliError> {
    let bundle = set_value(
        &args.file,
        &SetValue {
            name: &args.name,
            place: format!("`{}`", args.file.display()),
            check: &|bundle| outside_stage_sets(&args.file, bundle, "nothing was sealed"),
            trust_new_key: args.write.trust_new_key,
            strip_newline: args.write.strip_newline,
            guard: crate::readers_guard::ReadersGuard {
                file: &args.file,
                readers: &Readers::of_bundle,
                read: |text| Bundle::parse(text).ok().map(|b| Readers::of_bundle(&b)),
                new_readers: args.write.new_readers,
            },
        },
    )?;
    name_readers(&Readers::of_bundle(&bundle).readers);
    println!("{}", usage(&args.file, &args.name, &bundle));
    Ok(ExitCode::SUCCESS)
}

/// `cargo sealed bundle rotate`: every value opened as the function opens it (one `Decrypt`, the
/// key check), a new id and key pair, every value sealed again, the file replaced atomically.
async fn rotate(args: RotateArgs, emulator: bool) -> Result<ExitCode, CliError> {
    let locked = crate::bundle_file::lock(&args.file)?;
    let old = locked.bundle()?;
    outside_stage_sets(&args.file, &old, "nothing was rotated")?;
    let key_text = args.to_key.clone().unwrap_or_else(|| old.key.clone());
    let key = KeyRef::parse(&key_text).map_err(|e| CliError::from(format!("--to-key: {e}")))?;
    let (bundle, _) = rotated(&args.file, &old, &key, emulator).await?;
    locked.write(&bundle)?;
    remember(&bundle);
    eprintln!(
        "{}",
        rotation_report(&args.file, &old, &bundle, "cargo sealed policy")
    );
    eprintln!(
        "code that pins `id = \"{}\"` must now pin `id = \"{}\"` (the build fails at each old pin)",
        old.id_hex(),
        bundle.id_hex()
    );
    if bundle.key != old.key {
        eprintln!(
            "the bundle moved from `{}` to `{}`: change the `key = …` pins to `{}` (until then the build fails at each one)",
            old.key, bundle.key, bundle.key
        );
    }
    show_new_pin(&Readers::of_bundle(&bundle));
    Ok(ExitCode::SUCCESS)
}

/// `cargo sealed bundle rm`: the value taken out of a standalone bundle (a stage's: `stage rm`).
fn rm(args: &NameArgs) -> Result<ExitCode, CliError> {
    let locked = crate::bundle_file::lock(&args.file)?;
    let bundle = locked.bundle()?;
    outside_stage_sets(&args.file, &bundle, "nothing was removed")?;
    let bundle = without_value(&args.file, bundle, &args.name)?;
    locked.write(&bundle)?;
    eprintln!("removed `{}` from `{}`", args.name, args.file.display());
    Ok(ExitCode::SUCCESS)
}

fn ls(args: &FileArgs) -> Result<ExitCode, CliError> {
    let bundle = crate::bundle_file::read(&args.file)?;
    let context: Vec<String> = bundle
        .context
        .iter()
        .map(|(k, v)| entry_text(k, v))
        .collect();
    eprintln!(
        "`{}`: id {}, public key {}, key {}, context {}, generation {}, {} value{}",
        args.file.display(),
        bundle.id_hex(),
        public_key_fingerprint(&bundle),
        bundle.key,
        if context.is_empty() {
            "-".to_owned()
        } else {
            context.join(",")
        },
        bundle.generation,
        bundle.values.len(),
        if bundle.values.len() == 1 { "" } else { "s" }
    );
    for value in &bundle.values {
        println!(
            "{}\tgeneration {}\t{} bytes",
            value.name,
            value.generation,
            value.plaintext_len()
        );
    }
    if KeyRef::parse(&bundle.key).is_ok_and(|k| k.kind() == KeyKind::KeyArn) {
        show_pin(&Readers::of_bundle(&bundle));
    }
    Ok(ExitCode::SUCCESS)
}
