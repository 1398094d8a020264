//! `cargo sealed bundle`: many values under one KMS data key, one `Decrypt` per process.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use aws_sdk_kms::error::ProvideErrorMetadata as _;
use aws_sdk_kms::types::DataKeySpec;
use clap::{Args, Subcommand};
use sealed_format::{check_value_name, Bundle, KeyRef, Options, MAX_BUNDLE_VALUE};
use zeroize::Zeroizing;

use crate::args::ContextArgs;
use crate::context::{declare, entry_text};
use crate::kms::{base64_of, failure_message};
use crate::plaintext::read_plaintext;
use crate::runtime_tools::{new_bundle_id, seal_value};

#[derive(Args)]
pub struct BundleArgs {
    #[command(subcommand)]
    command: BundleCommand,
}

#[derive(Subcommand)]
enum BundleCommand {
    /// Create a bundle bound to a KMS key: one `GenerateDataKeyWithoutPlaintext` (AES-256)
    New(NewArgs),
    /// Add or replace a value, read from stdin or a hidden prompt (needs `kms:Decrypt` on the key)
    Set(SetArgs),
    /// Remove a value (no KMS call)
    Rm(NameArgs),
    /// List the values: names and lengths, the key and the context (no KMS call)
    Ls(FileArgs),
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
    /// Replace FILE if it exists (its values are lost: they cannot be opened without its data key)
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
struct SetArgs {
    /// The bundle file
    file: PathBuf,
    /// The value's name (`A-Z a-z 0-9 _ . -`)
    name: String,
    /// Remove one trailing newline (`\n` or `\r\n`) from the plaintext
    #[arg(long)]
    strip_newline: bool,
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

pub async fn run(args: BundleArgs) -> Result<ExitCode, String> {
    match args.command {
        BundleCommand::New(args) => new(args).await,
        BundleCommand::Set(args) => set(args).await,
        BundleCommand::Rm(args) => rm(&args),
        BundleCommand::Ls(args) => ls(&args),
    }
}

/// The line to paste for the value `name` of the bundle at `path`.
fn usage(path: &Path, name: &str) -> String {
    format!(
        "sealed!(bundle = {:?}, name = {name:?})",
        path.display().to_string()
    )
}

async fn new(args: NewArgs) -> Result<ExitCode, String> {
    let key = KeyRef::parse(&args.key).map_err(|e| format!("--key: {e}"))?;
    let entries = args.context.entries()?;
    if args.file.exists() && !args.force {
        return Err(format!(
            "`{}` exists; its values can only be opened with its own data key: add values with `cargo sealed bundle set`, or pass --force to replace it",
            args.file.display()
        ));
    }
    let id = new_bundle_id()?;
    let client = sealed_runtime::client(key.region()).await;
    let mut request = client
        .generate_data_key_without_plaintext()
        .key_id(key.as_str())
        .key_spec(DataKeySpec::Aes256);
    for (k, entry) in &entries {
        request = request.encryption_context(k, &entry.value);
    }
    let output = request.send().await.map_err(|error| {
        failure_message(
            "GenerateDataKeyWithoutPlaintext",
            key.as_str(),
            &error,
            error.code(),
        )
    })?;
    let wrapped = output
        .ciphertext_blob
        .ok_or("KMS GenerateDataKeyWithoutPlaintext returned no ciphertext")?;
    let data_key = base64_of(wrapped.as_ref());
    let context = entries.into_iter().map(|(k, e)| (k, e.written)).collect();
    let bundle = Bundle::new(id, key.as_str().to_owned(), context, data_key);
    let blob = bundle
        .inspect_data_key(&Options {
            allow_emulator: true,
            ..Options::default()
        })
        .map_err(|e| format!("KMS returned a data key that `sealed!` rejects: {e}"))?;
    crate::bundle_file::create(&args.file, &bundle, args.force)?;
    eprintln!(
        "created `{}` under `{}` ({}{}); add values with `cargo sealed bundle set {} NAME`",
        args.file.display(),
        key.as_str(),
        blob.family(),
        if blob.family().is_aws() {
            ""
        } else {
            "; an emulator data key: builds need the `emulator` feature of sealed-runtime"
        },
        args.file.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The bundle's data key, decrypted with KMS as `sealed!` values are (the same errors).
async fn data_key(path: &Path, bundle: &Bundle) -> Result<Zeroizing<Vec<u8>>, String> {
    let builder = sealed_runtime::Sealed::builder(bundle.data_key.clone())
        .key(&bundle.key)
        .location(path.display().to_string(), 0, 0)
        .allow_emulator(true);
    let sealed = declare(builder, &bundle.context)
        .build()
        .map_err(|e| e.to_string())?;
    let secret = sealed.get().await.map_err(|e| {
        format!(
            "cannot decrypt the data key of `{}` (this needs kms:Decrypt on `{}`): {e}",
            path.display(),
            bundle.key
        )
    })?;
    Ok(Zeroizing::new(secret.expose().to_vec()))
}

async fn set(args: SetArgs) -> Result<ExitCode, String> {
    check_value_name(&args.name).map_err(|e| {
        sealed_format::BundleError {
            line: None,
            kind: e,
        }
        .to_string()
    })?;
    // a file that is no bundle fails before the prompt; the edit itself is made under the lock
    crate::bundle_file::read(&args.file)?;
    let plaintext = read_plaintext(args.strip_newline, MAX_BUNDLE_VALUE, "a bundle value")?;
    let locked = crate::bundle_file::lock(&args.file)?;
    let mut bundle = locked.bundle()?;
    let data_key = data_key(&args.file, &bundle).await?;
    let sealed = seal_value(&data_key, &bundle.id, &args.name, &plaintext)?;
    let replaced = bundle.set(&args.name, sealed).map_err(|e| {
        sealed_format::BundleError {
            line: None,
            kind: e,
        }
        .to_string()
    })?;
    locked.write(&bundle)?;
    eprintln!(
        "{} `{}` ({} bytes) in `{}`",
        if replaced { "replaced" } else { "added" },
        args.name,
        plaintext.len(),
        args.file.display()
    );
    println!("{}", usage(&args.file, &args.name));
    Ok(ExitCode::SUCCESS)
}

fn rm(args: &NameArgs) -> Result<ExitCode, String> {
    let locked = crate::bundle_file::lock(&args.file)?;
    let mut bundle = locked.bundle()?;
    if !bundle.remove(&args.name) {
        let names: Vec<&str> = bundle.names().collect();
        return Err(format!(
            "no value `{}` in `{}`; its values: {}",
            args.name,
            args.file.display(),
            if names.is_empty() {
                "none".to_owned()
            } else {
                names.join(", ")
            }
        ));
    }
    locked.write(&bundle)?;
    eprintln!("removed `{}` from `{}`", args.name, args.file.display());
    Ok(ExitCode::SUCCESS)
}

fn ls(args: &FileArgs) -> Result<ExitCode, String> {
    let bundle = crate::bundle_file::read(&args.file)?;
    let context: Vec<String> = bundle
        .context
        .iter()
        .map(|(k, v)| entry_text(k, v))
        .collect();
    eprintln!(
        "`{}`: key {}, context {}, {} value{}",
        args.file.display(),
        bundle.key,
        if context.is_empty() {
            "-".to_owned()
        } else {
            context.join(",")
        },
        bundle.values.len(),
        if bundle.values.len() == 1 { "" } else { "s" }
    );
    for value in &bundle.values {
        println!("{}\t{} bytes", value.name, value.plaintext_len());
    }
    Ok(ExitCode::SUCCESS)
}
