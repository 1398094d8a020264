//! A bundle's other recipients (`docs/design/bundle-recipients.md`): one added with two sessions that
//! never meet (a reader of the bundle opens every value; a principal of the new key's account
//! asks KMS for the new key pair), and the key pairs of a rotated bundle's recipients made
//! again.

use std::path::Path;

use sealed_format::{Bundle, KeyRef, Recipient};
use sealed_runtime::{ErrorKind, Sealed};

use crate::bundle_ops::{bundle_error, new_key_pair, new_key_pair_with, Opened};
use crate::error::CliError;
use crate::runtime_tools::seal_to;

/// Every value of `bundle` (the file at `path`, pinned to `id`), opened as the function opens it
/// with the first key of `readers` that opens it with `session` (`--from-profile`'s
/// configuration; `None`: the runtime's shared client). The key that opened them, and each
/// value's plaintext by name, in the bundle's order; the plaintexts stay in their zeroizing
/// cells for this short process.
pub async fn open_every_value(
    path: &Path,
    bundle: &Bundle,
    readers: &[String],
    allow_emulator: bool,
    session: Option<&aws_sdk_kms::Config>,
) -> Result<(String, Opened), CliError> {
    let text = bundle.render();
    let allowed = crate::scan::allowed_env(path)?;
    let open = |reader: &str, name: &str| {
        let builder =
            crate::bundle_ops::allowing(Sealed::from_bundle(text.clone(), name), &allowed);
        match session {
            Some(config) => builder.session(config.clone()),
            None => builder,
        }
        .expect_key(reader)
        .expect_readers(crate::bundle_ops::own_readers(bundle))
        .expect_id(bundle.id_hex())
        .path(path.display().to_string())
        .location(path.display().to_string(), 0, 0)
        .allow_emulator(allow_emulator)
        .build()
        .map_err(|e| crate::messages::built(&format!("`{}`", path.display()), &e))
    };
    let Some(first) = bundle.names().next() else {
        return Err(format!(
            "`{}` has no values: there is nothing to seal to a new recipient, and nothing proves the new key pair; set a value first",
            path.display()
        ).into());
    };
    let mut answers = Vec::new();
    let mut reader = None;
    for key in readers {
        match open(key, first)?.get().await {
            Ok(_) => {
                reader = Some(key.clone());
                break;
            }
            // this session may not use that key, or its KMS does not answer: the next reader
            Err(error) if tries_the_next(error.kind()) => {
                answers.push(format!("  with `{key}`: {error}"));
            }
            // any other answer says the file is not what KMS wrapped: stop, open nothing
            Err(error) => {
                return Err(CliError::new(format!(
                    "`{}` does not open with `{key}` as its own: nothing was added, and no other reader was tried",
                    path.display()
                ))
                .because(error)
                .help("the file was changed after it was sealed (a value, a public key or a wrapped key edited): restore it from version control"));
            }
        }
    }
    let Some(reader) = reader else {
        return Err(format!(
            "no recipient of `{}` opens it with this session (`--from-profile`: a reader of the bundle, with kms:Decrypt on one of its keys), so nothing was added:\n{}",
            path.display(),
            answers.join("\n")
        ).into());
    };
    let mut plaintexts = Vec::new();
    for name in bundle.names() {
        let secret = open(&reader, name)?.get().await.map_err(|e| {
            CliError::new(format!("cannot open `{name}` of `{}`", path.display())).because(e)
        })?;
        plaintexts.push((name.to_owned(), secret));
    }
    Ok((reader, plaintexts))
}

/// Whether a reader's failure to open the bundle lets `add-key` try the next one: the session may
/// not use that key (refused, unknown, disabled), or its KMS does not answer. Never a sign that
/// the file is not what KMS wrapped (a value, a public key or a wrapped key edited), which would
/// otherwise be sealed again to the new key as if it were genuine.
fn tries_the_next(kind: &ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::AccessDenied
            | ErrorKind::KeyNotFound
            | ErrorKind::KeyDisabled
            | ErrorKind::KeyInvalidState
            | ErrorKind::Credentials
            | ErrorKind::Throttled
            | ErrorKind::TimedOut
            | ErrorKind::Unreachable
            | ErrorKind::Service
    )
}

/// `bundle` with a new recipient, `key`: its key pair from KMS with `client` (the new key's
/// session: `GenerateDataKeyPairWithoutPlaintext` under `key` with the bundle's context, id and
/// stage), every value of `plaintexts` sealed to it. No `Encrypt` and no `ReEncrypt`: the key
/// policy's deny of known-plaintext wrapping stays as it is.
pub async fn with_recipient(
    client: &aws_sdk_kms::Client,
    mut bundle: Bundle,
    key: &KeyRef<'_>,
    plaintexts: &Opened,
) -> Result<Bundle, CliError> {
    let pair = new_key_pair_with(
        client,
        bundle.id,
        key,
        bundle.context.clone(),
        bundle.stage.clone(),
    )
    .await?;
    sealed_to_new(&mut bundle, pair, plaintexts)?;
    Ok(bundle)
}

/// `pair` (a key pair KMS made for `bundle`) added to `bundle` as a recipient, every value of
/// `plaintexts` sealed to it with its own generation.
fn sealed_to_new(bundle: &mut Bundle, pair: Bundle, plaintexts: &Opened) -> Result<(), CliError> {
    let point = pair.public_point();
    let mut sealings = Vec::new();
    for value in &bundle.values {
        let (_, plaintext) = plaintexts
            .iter()
            .find(|(name, _)| *name == value.name)
            .ok_or_else(|| CliError::from(format!("`{}` was not opened", value.name)))?;
        sealings.push(seal_to(
            bundle,
            &point,
            &value.name,
            value.generation,
            plaintext.expose(),
        )?);
    }
    let public_key = pair.public_key().to_vec();
    let recipient = Recipient::new(pair.key, public_key, pair.private_key).map_err(bundle_error)?;
    bundle
        .add_recipient(recipient, sealings)
        .map_err(bundle_error)
}

/// For a rotation: `new` (rotated under its own key, its values sealed from `plaintexts`) given a
/// new key pair under each of `old`'s recipients' keys, with the current session, in `old`'s
/// order.
pub async fn recipients_again(
    old: &Bundle,
    new: &mut Bundle,
    plaintexts: &Opened,
) -> Result<(), CliError> {
    for recipient in &old.recipients {
        let key = KeyRef::parse(&recipient.key)
            .map_err(|e| CliError::from(format!("`{}`: {e}", recipient.key)))?;
        let pair = new_key_pair(new.id, &key, new.context.clone(), new.stage.clone())
            .await
            .map_err(|e| {
                e.help(format!(
                    "a rotation makes a new key pair under every recipient's key with one session; if this session cannot reach `{}`, remove it first (`cargo sealed stage rm-key`), rotate, then add it again with `--to-profile`",
                    recipient.key
                ))
            })?;
        sealed_to_new(new, pair, plaintexts)?;
    }
    Ok(())
}
