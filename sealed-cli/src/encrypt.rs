//! `cargo sealed encrypt`: plaintext in (stdin or a hidden prompt, never an argument), one line to
//! paste out.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use aws_sdk_kms::error::ProvideErrorMetadata as _;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::EncryptionAlgorithmSpec;
use clap::Args;
use sealed_format::{inspect, Algorithm, ContextValue, KeyRef, Options};

use crate::args::{parse_algorithm, ContextArgs};
use crate::error::CliError;
use crate::kms::{base64_of, failure_message};
use crate::plaintext::{read_plaintext, MAX_PLAINTEXT};

#[derive(Args)]
pub struct EncryptArgs {
    /// The key: key id, key ARN, `alias/NAME` or alias ARN
    #[arg(long)]
    key: String,
    #[command(flatten)]
    context: ContextArgs,
    /// For asymmetric keys: `RSAES_OAEP_SHA_1`, `RSAES_OAEP_SHA_256`, `SM2PKE`
    #[arg(long, value_parser = parse_algorithm)]
    algorithm: Option<Algorithm>,
    /// Write the base64 to FILE and print a `sealed!(file = "FILE", …)` line
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Print only the base64
    #[arg(long, conflicts_with = "out")]
    raw: bool,
    /// Remove one trailing newline (`\n` or `\r\n`) from the plaintext
    #[arg(long)]
    strip_newline: bool,
}

fn spec(algorithm: Algorithm) -> Option<EncryptionAlgorithmSpec> {
    match algorithm {
        Algorithm::RsaesOaepSha1 => Some(EncryptionAlgorithmSpec::RsaesOaepSha1),
        Algorithm::RsaesOaepSha256 => Some(EncryptionAlgorithmSpec::RsaesOaepSha256),
        Algorithm::Sm2Pke => Some(EncryptionAlgorithmSpec::Sm2Pke),
        _ => None,
    }
}

/// The arguments after the ciphertext, as `sealed!` writes them.
pub fn arguments(
    key: &str,
    context: &[(String, ContextValue<String>)],
    algorithm: Option<Algorithm>,
) -> String {
    let mut out = format!(", key = {key:?}");
    if !context.is_empty() {
        let entries: Vec<String> = context
            .iter()
            .map(|(k, v)| match v {
                ContextValue::Env(var) => format!("{k:?}: env({var:?})"),
                ContextValue::Literal(v) => format!("{k:?}: {v:?}"),
            })
            .collect();
        let _ = write!(out, ", context = {{ {} }}", entries.join(", "));
    }
    if let Some(algorithm) = algorithm.filter(|a| a.is_asymmetric()) {
        let _ = write!(out, ", algorithm = \"{algorithm}\"");
    }
    let unlisted = crate::context::unlisted(context);
    if !unlisted.is_empty() {
        let _ = write!(out, ", allow_env = {unlisted:?}");
    }
    out
}

pub async fn run(args: EncryptArgs) -> Result<ExitCode, CliError> {
    let key = KeyRef::parse(&args.key).map_err(|e| CliError::from(format!("--key: {e}")))?;
    let entries = args.context.entries()?;
    let mut plaintext = read_plaintext(args.strip_newline, MAX_PLAINTEXT, "KMS Encrypt")?;
    let length = plaintext.len();
    let client = sealed_runtime::kms::client(key.region()).await;
    let mut request = client
        .encrypt()
        .key_id(key.as_str())
        // moved, not copied: the SDK's request is the only other copy
        .plaintext(Blob::new(std::mem::take(&mut *plaintext)))
        .set_encryption_algorithm(args.algorithm.and_then(spec));
    for (k, entry) in &entries {
        request = request.encryption_context(k, &entry.value);
    }
    let output = request
        .send()
        .await
        .map_err(|error| failure_message("Encrypt", key.as_str(), &error, error.code()))?;
    let blob = output
        .ciphertext_blob
        .ok_or("KMS Encrypt returned no ciphertext")?;
    let base64 = base64_of(blob.as_ref());
    // What the macro will say of it.
    let checked = inspect(
        &base64,
        &Options {
            algorithm: args.algorithm,
            allow_emulator: true,
            unchecked: false,
        },
    )
    .map_err(|e| {
        CliError::from(format!(
            "KMS returned a ciphertext that `sealed!` rejects: {e}"
        ))
    })?;
    eprintln!(
        "sealed {length} bytes with `{}` ({}{})",
        key.as_str(),
        checked.family(),
        if checked.family().is_aws() {
            ""
        } else {
            "; an emulator ciphertext: builds need the `emulator` feature of sealed-runtime, and `cargo sealed` its `--emulator` to check it"
        }
    );
    let context: Vec<(String, ContextValue<String>)> =
        entries.into_iter().map(|(k, e)| (k, e.written)).collect();
    let rest = arguments(key.as_str(), &context, args.algorithm);
    if args.raw {
        println!("{base64}");
    } else if let Some(path) = &args.out {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| {
                CliError::new(format!("cannot create `{}`", parent.display())).because(e)
            })?;
        }
        std::fs::write(path, format!("{base64}\n"))
            .map_err(|e| CliError::new(format!("cannot write `{}`", path.display())).because(e))?;
        println!("sealed!(file = {:?}{rest})", path.display().to_string());
    } else {
        println!("sealed!({base64:?}{rest})");
    }
    Ok(ExitCode::SUCCESS)
}
