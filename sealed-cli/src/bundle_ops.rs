//! What `cargo sealed bundle` and `cargo sealed stage` both do to a bundle: ask KMS for a key
//! pair, seal a value into it (checking its public key against the one this machine sealed to
//! before), take a value out, rotate it (every value opened and sealed again), and report a
//! rotation.

use std::path::Path;

use aws_sdk_kms::error::ProvideErrorMetadata as _;
use aws_sdk_kms::types::DataKeyPairSpec;
use sealed_format::{
    check_value_name, Bundle, BundleError, BundleErrorKind, ContextValue, KeyKind, KeyRef, Reader,
    Readers, BUNDLE_CONTEXT_KEY, MAX_BUNDLE_VALUE, STAGE_CONTEXT_KEY,
};

use crate::error::CliError;
use crate::kms::{base64_of, failure_message, public_key_fingerprint};
use crate::plaintext::read_plaintext;
use crate::runtime_tools::seal_value;

/// A bundle's rule broken outside a file (by an argument or an edit), as a message.
pub fn bundle_error(kind: BundleErrorKind) -> CliError {
    let error = BundleError { line: None, kind };
    CliError::new(error.to_string()).help(error.help())
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
) -> Result<Bundle, CliError> {
    let client = sealed_runtime::kms::client(key.region()).await;
    new_key_pair_with(&client, id, key, context, stage).await
}

/// As [`new_key_pair`], with `client` (another session's: `stage add-key --to-profile`), in the
/// key's region.
pub async fn new_key_pair_with(
    client: &aws_sdk_kms::Client,
    id: [u8; 16],
    key: &KeyRef<'_>,
    context: Vec<(String, ContextValue<String>)>,
    stage: Option<String>,
) -> Result<Bundle, CliError> {
    let sent = crate::context::values_now(&context).map_err(|e| {
        CliError::from(format!(
            "{}: set it to the value the function sees",
            e.render()
        ))
    })?;
    let unlisted = crate::context::unlisted(&context);
    if !unlisted.is_empty() {
        crate::output::warning(&format!(
            "the context reads {}, which {} not one of Lambda's variables that hold no secret ({}): KMS requests carry it and CloudTrail logs it, and the build refuses the bundle until the code allows it: `allow_env = {unlisted:?}` beside `bundle = …` or `stages = …`",
            unlisted.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", "),
            if unlisted.len() == 1 { "is" } else { "are" },
            sealed_format::CONTEXT_VARIABLES.join(", ")
        ));
    }
    let mut config = client.config().to_builder();
    if let Some(region) = key.region() {
        config = config.region(aws_sdk_kms::config::Region::new(region.to_owned()));
    }
    let client = aws_sdk_kms::Client::from_conf(config.build());
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
        )
        .into());
    }
    let answered_key = output.key_id.clone();
    let public_key = output
        .public_key
        .ok_or_else(|| CliError::from(format!("KMS {operation} returned no public key")))?
        .into_inner();
    let wrapped = output.private_key_ciphertext_blob.ok_or_else(|| {
        CliError::from(format!("KMS {operation} returned no wrapped private key"))
    })?;
    let recorded = match answered_key.as_deref() {
        Some(arn) if KeyRef::parse(arn).is_ok_and(|k| k.kind() == KeyKind::KeyArn) => {
            arn.to_owned()
        }
        _ if key.kind() == KeyKind::KeyArn => key.as_str().to_owned(),
        answered => {
            return Err(format!(
                "KMS {operation} did not say which key `{}` is (its KeyId: {answered:?}): a bundle records its key's ARN, which says whose account can read it; nothing was written",
                key.as_str()
            )
            .into())
        }
    };
    // the pair is made either way; the gates fail until the key's policy denies a planted one
    crate::key_policy::warn_unless_held(&client, &recorded).await;
    let mut bundle = Bundle::new(
        id,
        recorded,
        context,
        public_key,
        base64_of(wrapped.as_ref()),
    )
    .map_err(|e| {
        CliError::from(format!(
            "KMS {operation} returned {}",
            bundle_error(e).render()
        ))
    })?;
    bundle.stage = stage;
    Ok(bundle)
}

/// Says on stderr each key a value was just sealed to: whoever can `Decrypt` under one of them
/// (its account's administrators included) can read it.
pub fn name_readers(readers: &[Reader]) {
    eprintln!("sealed to {} reader(s):", readers.len());
    for reader in readers {
        eprintln!("  {reader}");
    }
}

/// The readers of `bundle` as [`Sealed::from_bundle`](sealed_runtime::Sealed::from_bundle) pins
/// them, for the CLI's own opening of a file whose readers are checked elsewhere: a tree's values
/// against the code's `readers = […]` (the macro's checks, before `check --kms` opens them), a
/// stage's bundle against its set (`Stage::check_bundle`), a file an operator names to rotate or
/// re-seal. Never a program's pins: those are written by a person.
pub fn own_readers(bundle: &Bundle) -> Vec<String> {
    Readers::of_bundle(bundle).pins()
}

/// `readers` and the pin code writes for them (`stage ls`, `bundle ls`), on stderr: what a
/// reviewer compares with the `readers = …` of the code.
pub fn show_pin(readers: &Readers) {
    eprintln!(
        "who can read its values:\n{}\ncode pins them, beside `bundle = …` or `stages = …`, as:\n{}",
        readers.listed("  "),
        readers.code("  ")
    );
}

/// After a change of readers (`bundle rotate`, `stage new`, `rotate`, `add-key`, `rm-key`), on
/// stderr: the pin code must now write, and the readers it stands for.
pub fn show_new_pin(readers: &Readers) {
    eprintln!(
        "who can read changed; its readers now:\n{}\ncode that pins them must now pin (until then the build fails at each old pin):\n{}",
        readers.listed("  "),
        readers.code("  ")
    );
}

/// `plaintext` sealed as `name` into `bundle` with the next generation; whether it replaced a
/// value.
pub fn seal_into(bundle: &mut Bundle, name: &str, plaintext: &[u8]) -> Result<bool, CliError> {
    let generation = bundle.next_generation().map_err(bundle_error)?;
    let sealings = seal_value(bundle, name, generation, plaintext)?;
    bundle.set(name, generation, sealings).map_err(bundle_error)
}

/// How `bundle set` and `stage set` seal a value into the bundle file `path`.
pub struct SetValue<'a> {
    /// The value's name.
    pub name: &'a str,
    /// Where the value goes, for the message (`` `secrets/app.bundle` ``).
    pub place: String,
    /// What the bundle must be besides a bundle (a stage set's: its stage's): checked before
    /// the prompt and again under the lock.
    pub check: &'a dyn Fn(&Bundle) -> Result<(), CliError>,
    /// `--trust-new-key`.
    pub trust_new_key: bool,
    /// `--strip-newline`.
    pub strip_newline: bool,
    /// Who the value would be sealed to, held to the code's pins and the default branch.
    pub guard: crate::readers_guard::ReadersGuard<'a>,
}

/// Reads the plaintext (stdin or a hidden prompt) and seals it into the bundle at `path` with
/// the next generation, under the file's lock. A file that is no bundle, fails `set.check`, or
/// whose public key is not the one sealed to before fails before the prompt, and again under
/// the lock. No KMS client is built, no credential read, nothing sent. The bundle as written.
pub fn set_value(path: &Path, set: &SetValue<'_>) -> Result<Bundle, CliError> {
    check_value_name(set.name).map_err(bundle_error)?;
    let before = crate::bundle_file::read(path)?;
    (set.check)(&before)?;
    set.guard.check(&before)?;
    let known = trusted(path, &before, set.trust_new_key)?;
    let plaintext = read_plaintext(set.strip_newline, MAX_BUNDLE_VALUE, "a bundle value")?;
    let locked = crate::bundle_file::lock(path)?;
    let mut bundle = locked.bundle()?;
    (set.check)(&bundle)?;
    trusted(path, &bundle, set.trust_new_key)?;
    let replaced = seal_into(&mut bundle, set.name, &plaintext)?;
    locked.write(&bundle)?;
    eprintln!(
        "{} `{}` ({} bytes, generation {}) in {}, sealed to its public key {} (no KMS call)",
        if replaced { "replaced" } else { "added" },
        set.name,
        plaintext.len(),
        bundle.generation,
        set.place,
        public_key_fingerprint(&bundle)
    );
    remember(&bundle);
    if known == crate::known_bundles::Known::New {
        eprintln!(
            "first value sealed to bundle {} from here: its public key {} is recorded, and a later `set` refuses another key for it",
            bundle.id_hex(),
            public_key_fingerprint(&bundle)
        );
    }
    Ok(bundle)
}

/// Whether the bundle's public key may be sealed to: the one this machine sealed to before for
/// its id, a first use, or `--trust-new-key`; what the store said.
fn trusted(
    path: &Path,
    bundle: &Bundle,
    trust_new_key: bool,
) -> Result<crate::known_bundles::Known, CliError> {
    let now = sealed_to(bundle);
    let (keys, are, ones, how) = if bundle.recipients.is_empty() {
        ("public key", "is", "one", "swapped it")
    } else {
        (
            "public keys (one per recipient)",
            "are",
            "ones",
            "swapped or added one",
        )
    };
    match crate::known_bundles::check(&bundle.id_hex(), &now) {
        crate::known_bundles::Known::Changed(before) if !trust_new_key => Err(CliError::new(format!(
            "the {keys} of `{}` (bundle {}) {are} {now}, not {before}, the {ones} you sealed to before: someone may have {how} to read what you seal, so nothing was sealed",
            path.display(),
            bundle.id_hex(),
        ))
        .help(format!("compare {now} with the fingerprint the deploy pipeline sees (`cargo sealed bundle ls FILE` where the function's role runs, or its `check --kms --open`); if they match, pass --trust-new-key; if not, restore the `public-key` line from version control"))),
        known => Ok(known),
    }
}

/// What a writer seals to, as the known-bundles store records it: the fingerprint of the
/// bundle's public key, then of each recipient's, comma-separated (a bundle with one recipient
/// is recorded as before).
fn sealed_to(bundle: &Bundle) -> String {
    std::iter::once(public_key_fingerprint(bundle))
        .chain(
            bundle
                .recipients
                .iter()
                .map(|r| crate::kms::fingerprint_of(r.public_key())),
        )
        .collect::<Vec<_>>()
        .join(",")
}

/// Records the bundle's public keys as the ones this machine seals to for its id; a store that
/// cannot be written is a warning (the value is written already).
pub fn remember(bundle: &Bundle) {
    if let Err(message) = crate::known_bundles::record(&bundle.id_hex(), &sealed_to(bundle)) {
        crate::output::warning(&message.render());
    }
}

/// `bundle` (the file at `path`) without its value `name`; an error naming its values (and the
/// closest, for a typo) when it has none of that name. Nothing is written.
pub fn without_value(path: &Path, mut bundle: Bundle, name: &str) -> Result<Bundle, CliError> {
    if bundle.remove(name) {
        return Ok(bundle);
    }
    let names: Vec<&str> = bundle.names().collect();
    Err(format!(
        "no value `{name}` in `{}`; its values: {}; nothing was removed",
        path.display(),
        crate::messages::listing(name, &names)
    )
    .into())
}

/// `old` rotated: every value opened as the function opens it (one `Decrypt` of the private key,
/// pinned to `old`'s key and id), a new id and key pair under `key` with `old`'s context and
/// stage, every value sealed again to it, generations going on from `old`'s. Nothing is
/// written; the plaintexts stay in their zeroizing cells for this short process, and are handed
/// back for `old`'s other recipients (`recipients::recipients_again`).
/// `builder` allowing each of `names` in its file's context (`allow_env`): what the code allows
/// the file (`scan::allowed_env`).
pub fn allowing(
    builder: sealed_runtime::build::BundleValueBuilder,
    names: &[String],
) -> sealed_runtime::build::BundleValueBuilder {
    names.iter().fold(
        builder,
        sealed_runtime::build::BundleValueBuilder::allow_env,
    )
}

pub async fn rotated(
    path: &Path,
    old: &Bundle,
    key: &KeyRef<'_>,
    allow_emulator: bool,
) -> Result<(Bundle, Opened), CliError> {
    let text = old.render();
    let mut plaintexts: Opened = Vec::new();
    let allowed = crate::scan::allowed_env(path)?;
    for name in old.names() {
        let sealed = allowing(
            sealed_runtime::Sealed::from_bundle(text.clone(), name),
            &allowed,
        )
        .expect_key(old.key.clone())
        .expect_readers(own_readers(old))
        .path(path.display().to_string())
        .location(path.display().to_string(), 0, 0)
        .allow_emulator(allow_emulator)
        .build()
        .map_err(|e| crate::messages::built(&format!("`{}`", path.display()), &e))?;
        let secret = sealed.get().await.map_err(|e| {
            format!(
                "cannot open `{name}` of `{}` to rotate it (rotating needs kms:Decrypt on `{}` with the bundle's context): {e}",
                path.display(),
                old.key
            )
        })?;
        plaintexts.push((name.to_owned(), secret));
    }
    let mut bundle = new_key_pair(
        crate::runtime_tools::new_bundle_id()?,
        key,
        old.context.clone(),
        old.stage.clone(),
    )
    .await?;
    // generations go on from the old bundle's: a line from before the rotation never looks new
    bundle.generation = old.generation;
    for (name, plaintext) in &plaintexts {
        seal_into(&mut bundle, name, plaintext.expose())?;
    }
    Ok((bundle, plaintexts))
}

/// A bundle's values opened, by name, in the bundle's order: each plaintext in the cell of its
/// value for the rest of this short process, and not zeroized at its exit (nothing drops a
/// leaked cell; the memory goes back to the system with the process).
pub type Opened = Vec<(String, &'static sealed_runtime::Secret)>;

/// What a rotation of the file at `path` from `old` to `new` did, and the grants to retire
/// (`policy` prints the new ones).
pub fn rotation_report(path: &Path, old: &Bundle, new: &Bundle, policy: &str) -> String {
    let count = new.values.len();
    format!(
        "rotated `{}`: id {} → {}, a new key pair under `{}`, {count} value{} sealed again (generation {}); the old private key opens none of them. Grant the new id (`{policy}` prints it), deploy the new build, then retire the old id: remove the grants of kms:Decrypt with `sealed:bundle` = {} (a function still running the old build needs them until then)",
        path.display(),
        old.id_hex(),
        new.id_hex(),
        new.key,
        if count == 1 { "" } else { "s" },
        new.generation,
        old.id_hex()
    )
}
