//! `cargo sealed reseal`: `ReEncrypt` every value for another key (the plaintext never leaves
//! KMS) and rewrite the literals and `key = …` in place.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::process::ExitCode;

use aws_sdk_kms::error::ProvideErrorMetadata as _;
use aws_sdk_kms::primitives::Blob;
use clap::Args;
use sealed_format::KeyRef;

use crate::args::ScanArgs;
use crate::error::CliError;
use crate::kms::base64_of;
use crate::output::warning;
use crate::scan::{Invocation, ValidInvocation};

#[derive(Args)]
pub struct ResealArgs {
    /// The key to re-encrypt for: key id, key ARN, `alias/NAME` or alias ARN
    #[arg(long)]
    to_key: String,
    #[command(flatten)]
    scan: ScanArgs,
    /// Show the changes without calling KMS for real or writing anything
    #[arg(long)]
    dry_run: bool,
}

/// A replacement of `range` in a file by `text`.
struct Edit {
    range: std::ops::Range<usize>,
    text: String,
}

async fn reencrypt(
    invocation: &Invocation,
    value: &ValidInvocation,
    to: &KeyRef<'_>,
) -> Result<String, CliError> {
    if value.sent.algorithm.is_asymmetric() {
        return Err(format!(
            "{}: an {} ciphertext cannot be resealed for a symmetric key in place; seal the secret again with `cargo sealed encrypt`",
            invocation.location(),
            value.sent.algorithm
        ).into());
    }
    let context: HashMap<String, String> = crate::context::values_now(&value.context)
        .map_err(|e| {
            CliError::from(format!(
                "{}: {} to re-encrypt",
                invocation.location(),
                e.render()
            ))
        })?
        .into_iter()
        .collect();
    let context = (!context.is_empty()).then_some(context);
    let client = sealed_runtime::kms::client(to.region()).await;
    let output = client
        .re_encrypt()
        .ciphertext_blob(Blob::new(value.sent.blob.bytes()))
        .set_source_key_id(value.sent.key.clone())
        .set_source_encryption_context(context.clone())
        .destination_key_id(to.as_str())
        .set_destination_encryption_context(context)
        .send()
        .await
        .map_err(|e| {
            let said = crate::kms::failure_message("ReEncrypt", to.as_str(), &e, e.code()).render();
            format!(
                "{}: {said}\n  = note: the caller needs kms:ReEncryptFrom on the old key and kms:ReEncryptTo on `{}`",
                invocation.location(),
                to.as_str()
            )
        })?;
    let blob = output
        .ciphertext_blob
        .ok_or("KMS ReEncrypt returned no ciphertext")?;
    Ok(base64_of(blob.as_ref()))
}

fn edits_for(
    value: &ValidInvocation,
    new_base64: &str,
    to: &str,
) -> (Vec<Edit>, Option<(PathBuf, String)>) {
    let mut edits = Vec::new();
    let mut file_write = None;
    let anchor = match (&value.literal, &value.sent.file, &value.file_literal) {
        (Some(range), _, _) => {
            edits.push(Edit {
                range: range.clone(),
                text: format!("{new_base64:?}"),
            });
            range.end
        }
        (None, Some(path), Some(range)) => {
            file_write = Some((path.clone(), format!("{new_base64}\n")));
            range.end
        }
        _ => return (edits, None),
    };
    match &value.key_literal {
        Some(range) => edits.push(Edit {
            range: range.clone(),
            text: format!("{to:?}"),
        }),
        None => edits.push(Edit {
            range: anchor..anchor,
            text: format!(", key = {to:?}"),
        }),
    }
    (edits, file_write)
}

fn apply(source: &str, mut edits: Vec<Edit>) -> String {
    edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    let mut out = source.to_owned();
    for edit in edits {
        out.replace_range(edit.range, &edit.text);
    }
    out
}

/// The change as a unified diff (an edit may change the number of lines: a folded literal
/// becomes one line).
fn diff(path: &std::path::Path, old: &str, new: &str) {
    let name = path.display().to_string();
    print!(
        "{}",
        similar::TextDiff::from_lines(old, new)
            .unified_diff()
            .context_radius(1)
            .header(&name, &name)
    );
}

pub async fn run(args: ResealArgs, emulator: bool) -> Result<ExitCode, CliError> {
    let to = KeyRef::parse(&args.to_key).map_err(|e| CliError::from(format!("--to-key: {e}")))?;
    let invocations = crate::scan::invocations(&args.scan, emulator)?;
    let mut by_file: BTreeMap<PathBuf, Vec<Edit>> = BTreeMap::new();
    let mut file_writes = Vec::new();
    let mut bundles: std::collections::BTreeSet<PathBuf> = std::collections::BTreeSet::new();
    let (mut resealed, mut failed) = (0, 0);
    for invocation in &invocations {
        let Ok(value) = &invocation.verdict else {
            warning(&format!(
                "{}: not a valid `sealed!` (see `cargo sealed check`); left as it is",
                invocation.location()
            ));
            failed += 1;
            continue;
        };
        if value.sent.key.as_deref() == Some(to.as_str()) {
            continue;
        }
        if let Some(bundle) = &value.bundle {
            // a bundle is refused once, however many `sealed!` name its values
            let path = value
                .sent
                .file
                .clone()
                .expect("a bundle value has its file");
            if bundles.insert(path.clone()) {
                let how = match &bundle.stage {
                    // the set pins a stage's key: `bundle rotate` refuses its bundle
                    Some(stage) => format!("a stage's bundle keeps the key its set pins: move stage `{stage}` by making it again under the new key (`cargo sealed stage delete SET {stage}`, then `stage new SET {stage} --key {}` and its values set again)", to.as_str()),
                    None => format!("move it with `cargo sealed bundle rotate {} --to-key {}` (a new key pair under the new key, every value sealed again), then change its `key = …` pins", path.display(), to.as_str()),
                };
                crate::output::error(&format!(
                    "`{}`: a bundle is not resealed: moving its private key would be a `ReEncrypt` into the bundle's context, which the recommended key policy denies (the same call could bring in a private key someone knows); {how}",
                    path.display(),
                ));
                failed += 1;
            }
            continue;
        }
        let new_base64 = if args.dry_run {
            "<new ciphertext from ReEncrypt>".to_owned()
        } else {
            match reencrypt(invocation, value, &to).await {
                Ok(text) => text,
                Err(message) => {
                    crate::output::error(&message.render());
                    failed += 1;
                    continue;
                }
            }
        };
        let (edits, file_write) = edits_for(value, &new_base64, to.as_str());
        by_file
            .entry(invocation.file.clone())
            .or_default()
            .extend(edits);
        file_writes.extend(file_write);
        resealed += 1;
    }
    for (path, edits) in by_file {
        let source = std::fs::read_to_string(&path)
            .map_err(|e| CliError::new(format!("cannot read `{}`", path.display())).because(e))?;
        let new = apply(&source, edits);
        if args.dry_run {
            diff(&path, &source, &new);
        } else {
            std::fs::write(&path, new).map_err(|e| {
                CliError::new(format!("cannot write `{}`", path.display())).because(e)
            })?;
        }
    }
    for (path, text) in file_writes {
        if args.dry_run {
            println!(
                "--- {}\n+++ {}\n(the ciphertext is replaced)",
                path.display(),
                path.display()
            );
        } else {
            std::fs::write(&path, text).map_err(|e| {
                CliError::new(format!("cannot write `{}`", path.display())).because(e)
            })?;
        }
    }
    eprintln!(
        "{resealed} value{} {} for `{}`, {failed} failed",
        if resealed == 1 { "" } else { "s" },
        if args.dry_run {
            "would be resealed"
        } else {
            "resealed"
        },
        to.as_str()
    );
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
