//! What `cargo sealed bundle` and `cargo sealed stage` both do to a bundle: ask KMS for a key
//! pair, seal a value into it, and check its public key against the one this machine sealed to
//! before.

use std::path::Path;

use aws_sdk_kms::error::ProvideErrorMetadata as _;
use aws_sdk_kms::types::DataKeyPairSpec;
use sealed_format::{
    Bundle, BundleError, BundleErrorKind, ContextValue, KeyRef, BUNDLE_CONTEXT_KEY,
    STAGE_CONTEXT_KEY,
};

use crate::kms::{base64_of, failure_message, public_key_fingerprint};
use crate::runtime_tools::seal_value;

/// A bundle's rule broken outside a file (by an argument or an edit), as a message.
pub fn bundle_error(kind: BundleErrorKind) -> String {
    BundleError { line: None, kind }.to_string()
}

/// A new key pair from KMS for the bundle `id` under `key` and the file's `context`:
/// `GenerateDataKeyPairWithoutPlaintext` with the context (`context-env` entries read now) and
/// `sealed:bundle` = the id (and `sealed:stage` = the stage, for a stage's bundle), its answer
/// checked (a P-256 pair, a public key `sealed!` accepts).
pub async fn new_key_pair(
    id: [u8; 16],
    key: &KeyRef<'_>,
    context: Vec<(String, ContextValue<String>)>,
    stage: Option<String>,
) -> Result<Bundle, String> {
    let sent = crate::context::values_now(&context)
        .map_err(|e| format!("{e}: set it to the value the function sees"))?;
    let client = sealed_runtime::client(key.region()).await;
    let mut request = client
        .generate_data_key_pair_without_plaintext()
        .key_id(key.as_str())
        .key_pair_spec(DataKeyPairSpec::EccNistP256)
        .encryption_context(BUNDLE_CONTEXT_KEY, hex::encode(id));
    for (k, value) in &sent {
        request = request.encryption_context(k, value);
    }
    if let Some(stage) = &stage {
        request = request.encryption_context(STAGE_CONTEXT_KEY, stage);
    }
    let operation = "GenerateDataKeyPairWithoutPlaintext";
    let output = request
        .send()
        .await
        .map_err(|error| failure_message(operation, key.as_str(), &error, error.code()))?;
    if output.key_pair_spec() != Some(&DataKeyPairSpec::EccNistP256) {
        return Err(format!(
            "KMS {operation} returned a {:?} key pair, not the ECC_NIST_P256 that was asked for",
            output.key_pair_spec()
        ));
    }
    let public_key = output
        .public_key
        .ok_or_else(|| format!("KMS {operation} returned no public key"))?
        .into_inner();
    let wrapped = output
        .private_key_ciphertext_blob
        .ok_or_else(|| format!("KMS {operation} returned no wrapped private key"))?;
    let mut bundle = Bundle::new(
        id,
        key.as_str().to_owned(),
        context,
        public_key,
        base64_of(wrapped.as_ref()),
    )
    .map_err(|e| format!("KMS {operation} returned {}", bundle_error(e)))?;
    bundle.stage = stage;
    Ok(bundle)
}

/// `plaintext` sealed as `name` into `bundle` with the next generation; whether it replaced a
/// value.
pub fn seal_into(bundle: &mut Bundle, name: &str, plaintext: &[u8]) -> Result<bool, String> {
    let generation = bundle.next_generation().map_err(bundle_error)?;
    let sealed = seal_value(bundle, name, generation, plaintext)?;
    bundle.set(name, generation, sealed).map_err(bundle_error)
}

/// Whether the bundle's public key may be sealed to: the one this machine sealed to before for
/// its id, a first use, or `--trust-new-key`; what the store said.
pub fn trusted(
    path: &Path,
    bundle: &Bundle,
    trust_new_key: bool,
) -> Result<crate::known_bundles::Known, String> {
    let now = public_key_fingerprint(bundle);
    match crate::known_bundles::check(&bundle.id_hex(), &now) {
        crate::known_bundles::Known::Changed(before) if !trust_new_key => Err(format!(
            "the public key of `{}` (bundle {}) is {now}, not {before}, the one you sealed to before: someone may have swapped it to read what you seal, so nothing was sealed\n  = help: compare {now} with the fingerprint the deploy pipeline sees (`cargo sealed bundle ls FILE` where the function's role runs, or its `check --kms --open`); if they match, pass --trust-new-key; if not, restore the `public-key` line from version control",
            path.display(),
            bundle.id_hex()
        )),
        known => Ok(known),
    }
}

/// Records the bundle's public key as the one this machine seals to for its id; a store that
/// cannot be written is a warning (the value is written already).
pub fn remember(bundle: &Bundle) {
    if let Err(message) =
        crate::known_bundles::record(&bundle.id_hex(), &public_key_fingerprint(bundle))
    {
        crate::output::warning(&message);
    }
}
