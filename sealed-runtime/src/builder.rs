//! `Sealed::builder`: sealed values from ciphertexts known only at run time, checked as
//! `sealed!` checks them; and `Sealed::from_bundle` ([`BundleValueBuilder`]): a value of a
//! bundle file read at run time, which `expect_key`, `expect_context`, `expect_context_env` and
//! `expect_id` pin, so that a file that chose another key, context or id is refused.

use sealed_format::{Algorithm, KeyRef};

use crate::build_error::{BuildError, BuildErrorKind};
use crate::declaration::{
    location, BundleMember, ContextValue, Declaration, Failover, Location, Request,
};
use crate::sealed::{Sealed, ValueCell};

/// Builds a [`Sealed`] from a ciphertext known only at run time (an environment variable, a
/// configuration file), with the same checks as `sealed!` and the same decrypt path.
///
/// Each built value lives for the rest of the process, like a `static` (its memory is not
/// reclaimed): build it once at start-up, not per request. It is not listed by [`registered`](crate::registered).
///
/// ```
/// use sealed_runtime::{format::BlobFamily, Sealed};
///
/// let text = "AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=";
/// let value = Sealed::builder(text).key("alias/billing").context("app", "billing").build()?;
/// assert_eq!(value.family(), BlobFamily::AwsV2);
///
/// let twice = Sealed::builder(text).context("app", "a").context("app", "b").build();
/// assert!(twice.unwrap_err().to_string().contains("duplicate encryption-context key `app`"));
///
/// let token = Sealed::builder(text).context_env("token", "AWS_SESSION_TOKEN").build();
/// assert!(token.unwrap_err().to_string().contains("would send an AWS credential to KMS"));
///
/// let reserved = Sealed::builder(text).context("sealed:bundle", "0f1e").build();
/// assert!(reserved.unwrap_err().to_string().contains("`sealed:bundle` is reserved"));
///
/// let rsa = Sealed::builder(text).algorithm(sealed_runtime::format::Algorithm::RsaesOaepSha256).build();
/// assert!(rsa.unwrap_err().to_string().starts_with("`RSAES_OAEP_SHA_256` needs a key"));
///
/// let error = Sealed::builder("AQICAHh...==").build().unwrap_err();
/// assert!(error.to_string().starts_with("invalid ciphertext: ciphertext is elided"));
/// # Ok::<(), sealed_runtime::build::BuildError>(())
/// ```
#[derive(Debug)]
#[must_use]
pub struct SealedBuilder {
    text: String,
    key: Option<String>,
    context: Vec<(String, ContextValue<String>)>,
    algorithm: Option<Algorithm>,
    location: Location,
    allow_emulator: bool,
    allow_env: Vec<String>,
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

/// A ciphertext checked at run time: the blob sent to `Decrypt` and what it is sent with.
struct CheckedAtRunTime {
    blob: sealed_format::Inspection,
    key: Option<String>,
    context: Vec<(String, ContextValue<String>)>,
    algorithm: Algorithm,
    plaintext_len: Option<usize>,
    location: Location,
    config: Option<&'static aws_sdk_kms::Config>,
}

impl CheckedAtRunTime {
    /// What `Decrypt` is sent, leaked for the rest of the process (as `sealed!`'s `static` is).
    fn request(self) -> Request {
        let blob = self.blob;
        let context: Vec<(&'static str, ContextValue)> = self
            .context
            .into_iter()
            .map(|(key, value)| (leak(key), value.map(leak)))
            .collect();
        Request {
            location: self.location,
            ciphertext: Box::leak(blob.bytes().to_vec().into_boxed_slice()),
            family: blob.family(),
            key: self.key.map(leak),
            context: Box::leak(context.into_boxed_slice()),
            algorithm: self.algorithm,
            plaintext_len: self.plaintext_len,
            key_material_id: blob.key_material_id().map(|id| &*Box::leak(Box::new(*id))),
            emulator_key_id: blob.emulator_key_id().map(|id| leak(id.to_owned())),
            config: self.config,
        }
    }
}

/// `declared` leaked into the `'static` cell a `Sealed` refers to.
fn leaked(declared: Declaration) -> Sealed {
    Sealed::of(Box::leak(Box::new(ValueCell::new(declared))))
}

impl Sealed {
    /// Starts a run-time sealed value from its base64 ciphertext.
    #[track_caller]
    pub fn builder(base64: impl Into<String>) -> SealedBuilder {
        let caller = core::panic::Location::caller();
        SealedBuilder {
            text: base64.into(),
            key: None,
            context: Vec::new(),
            algorithm: None,
            location: location(caller.file(), caller.line(), caller.column()),
            allow_emulator: cfg!(feature = "emulator"),
            allow_env: Vec::new(),
        }
    }
}

impl SealedBuilder {
    /// Allows an encryption context to read environment variable `name` although it is not
    /// one of Lambda's that hold no secret ([`sealed_format::CONTEXT_VARIABLES`]), as
    /// `allow_env = ["NAME"]` does for `sealed!`: the context is logged in clear, so a variable
    /// that may hold a secret is read into one only where code says so. A credential's
    /// variable is never allowed.
    pub fn allow_env(mut self, name: impl Into<String>) -> Self {
        self.allow_env.push(name.into());
        self
    }

    /// Pins the key, as `key = …`.
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Adds a literal encryption-context entry.
    pub fn context(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.context
            .push((key.into(), ContextValue::Literal(value.into())));
        self
    }

    /// Adds an entry whose value is read from environment variable `name` at `Decrypt` time.
    pub fn context_env(mut self, key: impl Into<String>, name: impl Into<String>) -> Self {
        self.context
            .push((key.into(), ContextValue::Env(name.into())));
        self
    }

    /// Declares the algorithm, as `algorithm = …`.
    pub fn algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = Some(algorithm);
        self
    }

    /// Names where the ciphertext comes from, for errors (default: the caller of
    /// [`Sealed::builder`]). `cargo sealed check` gives the `sealed!` it found.
    pub fn location(mut self, file: impl Into<String>, line: u32, column: u32) -> Self {
        self.location = location(leak(file.into()), line, column);
        self
    }

    /// Accepts ciphertexts of local KMS emulators, as the `emulator` feature does for every
    /// value: an explicit opt-in for tools and tests that talk to an emulator.
    pub fn allow_emulator(mut self, allow: bool) -> Self {
        self.allow_emulator = allow;
        self
    }

    /// Checks everything as `sealed!` does; emulator ciphertexts need the `emulator` feature or
    /// [`allow_emulator`](Self::allow_emulator).
    pub fn build(self) -> Result<Sealed, BuildError> {
        let at = |kind: BuildErrorKind| BuildError::new(kind, self.location);
        if let Some(key) = &self.key {
            KeyRef::parse(key).map_err(|e| at(BuildErrorKind::InvalidKey(e)))?;
        }
        if let Some((_, error)) =
            sealed_format::check_context_keys(self.context.iter().map(|(k, _)| k.as_str()))
                .into_iter()
                .next()
        {
            return Err(at(BuildErrorKind::InvalidContext(error)));
        }
        let allowed: Vec<&str> = self.allow_env.iter().map(String::as_str).collect();
        for (_, value) in &self.context {
            if let ContextValue::Env(name) = value {
                sealed_format::check_env_allowed(name, &allowed)
                    .map_err(|e| at(BuildErrorKind::InvalidContext(e)))?;
            }
        }
        let algorithm = self.algorithm.unwrap_or_default();
        if algorithm.is_asymmetric() && self.key.is_none() {
            return Err(at(BuildErrorKind::KeyRequired { algorithm }));
        }
        let options = sealed_format::Options {
            algorithm: Some(algorithm),
            allow_emulator: self.allow_emulator,
            unchecked: false,
        };
        let blob = sealed_format::inspect(&self.text, &options)
            .map_err(|e| at(BuildErrorKind::InvalidFormat(e)))?;
        let request = CheckedAtRunTime {
            plaintext_len: blob.plaintext_len(),
            blob,
            key: self.key,
            context: self.context,
            algorithm,
            location: self.location,
            config: None,
        }
        .request();
        Ok(leaked(Declaration::Ciphertext(request)))
    }
}

/// Builds a [`Sealed`] for one value of a bundle known only at run time (a bundle file shipped
/// beside the binary), with the same checks as `sealed!(bundle = …, name = …)` and the same
/// decrypt path: one `Decrypt` of the bundle's private key per process, shared with every other
/// value of that bundle, then a local open.
///
/// Like [`SealedBuilder`], each built value lives for the rest of the process.
///
/// ```
/// use sealed_runtime::Sealed;
///
/// let bundle = "sealed-bundle 2\nid 0f1e2d3c4b5a69788796a5b4c3d2e1f0\nkey arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\n\
///     public-key MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWg==\n\
///     private-key AQICAHjCfJ0NJ/ZglaDQefUMsBsRNTFJA5s8TjlY008eDVCAQAEZXrIiocPYemE4tk2woKvFAAAA7TCB6gYJKoZIhvcNAQcGoIHcMIHZAgEAMIHTBgkqhkiG9w0BBwEwHgYJYIZIAWUDBAEuMBEEDKNwmvQqj1386kDm9wIBEICBpVaPl4Zbw6pdJg17skdSLhK+KVvYtRznY5LjJp3n/XAY4GJQ226Eh5OdHs9sqhtLDvp8g04D6Ze4lx7Lm5HlWxQ4wyNZ901eQOWtIbCdToenDkXsTUpyyf1SGtpLadpyNkRBRcY/GkFSyIHF/YzuR7cJS/rvhanF/zuAkWTNujZMMUgPaILJgGgew4dvutTxx8kvBPISHtJYA890a9QkMeG/3jXbSw==\n\
///     generation 1\n\
///     value db_password 1 BFpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpzZWNyZXQxMDAwMDAwMDAwMDAwMDAwMA==\n";
/// const KEY: &str = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
/// const READER: &str = "key arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab W4ANGCDQ-Ov_GOi_xCr01RV4K0uzuXvzZlX-HoPFTWI";
/// let value = Sealed::from_bundle(bundle, "db_password")
///     .expect_key(KEY)
///     .expect_readers([READER])
///     .path("secrets/app.bundle")
///     .build()?;
/// assert_eq!(value.plaintext_len(), Some(7));
/// assert_eq!(value.bundle(), Some(("secrets/app.bundle", "db_password")));
///
/// let moved = Sealed::from_bundle(bundle, "db_password").expect_key("alias/other").build();
/// assert!(moved.unwrap_err().to_string().starts_with(&format!("the bundle's key is `{KEY}`, not the pinned `alias/other`")));
///
/// let unpinned = Sealed::from_bundle(bundle, "db_password").build().unwrap_err();
/// assert!(unpinned.to_string().starts_with(&format!("a bundle value pins its KMS key: call `expect_key(\"{KEY}\")`")));
///
/// // who can read is pinned too: a bundle whose key pair is another's is refused, naming it
/// let readers = Sealed::from_bundle(bundle, "db_password").expect_key(KEY).build().unwrap_err();
/// assert!(readers.to_string().starts_with(&format!("a bundle value pins who can read it: call `expect_readers([{READER:?}])`")));
/// let planted = READER.replace("W4ANGCDQ", "AAAAAAAA");
/// let refused = Sealed::from_bundle(bundle, "db_password").expect_key(KEY).expect_readers([planted]).build().unwrap_err();
/// assert!(refused.to_string().contains("another key pair under a pinned key"));
///
/// let typo = Sealed::from_bundle(bundle, "db_pasword").expect_key(KEY).expect_readers([READER]).build().unwrap_err();
/// assert!(typo.to_string().starts_with("no value `db_pasword` in the bundle; its values: `db_password`"));
///
/// // a context that reads a variable neither Lambda's nor allowed in code (CloudTrail logs it)
/// let ci = bundle.replace("\npublic-key", "\ncontext-env ci GITHUB_TOKEN\npublic-key");
/// let open = || Sealed::from_bundle(ci.clone(), "db_password").expect_key(KEY).expect_readers([READER]);
/// assert!(open().build().unwrap_err().to_string().contains("`GITHUB_TOKEN` is read into an encryption context"));
/// assert!(open().allow_env("GITHUB_TOKEN").build().is_ok());
/// # Ok::<(), sealed_runtime::build::BuildError>(())
/// ```
#[derive(Debug)]
#[must_use]
pub struct BundleValueBuilder {
    text: String,
    name: String,
    path: Option<String>,
    location: Location,
    allow_emulator: bool,
    pinned: Pins,
    config: Option<&'static aws_sdk_kms::Config>,
}

/// What the program expects of a bundle read at run time: the file may not choose otherwise.
#[derive(Debug, Default)]
struct Pins {
    key: Option<String>,
    context: Option<Vec<(String, ContextValue<String>)>>,
    id: Option<String>,
    failover: Vec<String>,
    readers: Option<Vec<String>>,
    allow_env: Vec<String>,
}

impl Pins {
    /// Of `keys` (the bundle's, in the order of its sealings), the one the pinned key names, and
    /// the pinned failover recipients', by index.
    fn recipients(&self, keys: &[&str]) -> Result<(usize, Vec<usize>), BuildErrorKind> {
        let index_of = |key: &str| keys.iter().position(|k| *k == key);
        let refused = |pinned: &str, key: &str, found: String| BuildErrorKind::BundleNotPinned {
            pinned: pinned.to_owned(),
            expected: key.to_owned(),
            found,
        };
        let Some(key) = &self.key else {
            return Err(BuildErrorKind::BundleKeyNotPinned {
                found: keys[0].to_owned(),
            });
        };
        let chosen = index_of(key).ok_or_else(|| refused("key", key, keys.join(", ")))?;
        let mut failover = Vec::new();
        for key in &self.failover {
            match index_of(key) {
                Some(index) if index != chosen && !failover.contains(&index) => {
                    failover.push(index);
                }
                _ => {
                    return Err(BuildErrorKind::NotARecipient {
                        key: key.clone(),
                        keys: keys.join("`, `"),
                    })
                }
            }
        }
        Ok((chosen, failover))
    }

    /// The file's readers are the pinned ones; without pins, only when every private key it
    /// holds is an emulator's (local data with new keys on each run) and those are allowed.
    fn check_readers(&self, bundle: &sealed_format::Bundle) -> Result<(), BuildErrorKind> {
        let readers = sealed_format::Readers::of_bundle(bundle);
        let Some(pins) = &self.readers else {
            return if bundle.only_emulator_keys() {
                Ok(())
            } else {
                Err(BuildErrorKind::BundleReadersNotPinned {
                    readers: readers.pins(),
                })
            };
        };
        let mut pinned = Vec::new();
        for pin in pins {
            let reader = sealed_format::PinnedReader::parse(pin).map_err(|problem| {
                BuildErrorKind::MalformedReader {
                    pin: pin.clone(),
                    problem,
                }
            })?;
            pinned.push(reader);
        }
        let change = readers.compared_with(&pinned);
        if change.is_empty() {
            return Ok(());
        }
        Err(BuildErrorKind::BundleReadersChanged {
            changes: change.listed("    "),
            readers: readers.pins(),
        })
    }

    /// Each `context-env` of the file reads a variable on [`sealed_format::CONTEXT_VARIABLES`],
    /// one the code allows (`allow_env`), or one the code pins (`expect_context_env`).
    fn check_context_env(&self, bundle: &sealed_format::Bundle) -> Result<(), BuildErrorKind> {
        let pinned = self.context.iter().flatten().filter_map(|(_, v)| match v {
            ContextValue::Env(name) => Some(name.as_str()),
            ContextValue::Literal(_) => None,
        });
        let allowed: Vec<&str> = self
            .allow_env
            .iter()
            .map(String::as_str)
            .chain(pinned)
            .collect();
        for (_, value) in &bundle.context {
            if let ContextValue::Env(name) = value {
                sealed_format::check_env_allowed(name, &allowed)
                    .map_err(BuildErrorKind::InvalidContext)?;
            }
        }
        Ok(())
    }

    /// The first of the pinned id and context that the file's differs from: what, the pin, the
    /// file's.
    fn refusal(&self, bundle: &sealed_format::Bundle) -> Option<(&'static str, String, String)> {
        if let Some(id) = &self.id {
            let found = hex::encode(bundle.id);
            if !id.eq_ignore_ascii_case(&found) {
                return Some(("id", id.clone(), found));
            }
        }
        let context = self.context.as_ref()?;
        let mut expected = context.clone();
        let mut found = bundle.context.clone();
        expected.sort_by(|a, b| a.0.cmp(&b.0));
        found.sort_by(|a, b| a.0.cmp(&b.0));
        if expected == found {
            return None;
        }
        let show = |entries: &[(String, ContextValue<String>)]| {
            entries
                .iter()
                .map(|(k, v)| match v {
                    ContextValue::Literal(v) => format!("{k}={v}"),
                    ContextValue::Env(name) => format!("{k}=env({name})"),
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        Some(("context", show(&expected), show(&found)))
    }
}

impl Sealed {
    /// Starts a run-time sealed value from a bundle file's text and the value's name.
    #[track_caller]
    pub fn from_bundle(bundle: impl Into<String>, name: impl Into<String>) -> BundleValueBuilder {
        let caller = core::panic::Location::caller();
        BundleValueBuilder {
            text: bundle.into(),
            name: name.into(),
            path: None,
            location: location(caller.file(), caller.line(), caller.column()),
            allow_emulator: cfg!(feature = "emulator"),
            pinned: Pins::default(),
            config: None,
        }
    }
}

impl BundleValueBuilder {
    /// Pins the bundle's KMS key, which every bundle value needs: a file whose `key` line names
    /// another (as written: a key ARN pins best) is refused, and a build without a pin is
    /// refused too ([`BuildErrorKind::BundleKeyNotPinned`]). The key of one of the bundle's
    /// `recipient` lines may be pinned instead: the value then opens with that recipient's pair. A bundle read at run time is a file
    /// anyone who can write it can point at a key they control, with a private key they know;
    /// pinning keeps that choice in the program.
    pub fn expect_key(mut self, key: impl Into<String>) -> Self {
        self.pinned.key = Some(key.into());
        self
    }

    /// Pins one entry of the bundle's encryption context (a literal value); with any pinned
    /// entry, the file's context must be exactly the pinned entries.
    pub fn expect_context(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.pinned
            .context
            .get_or_insert_with(Vec::new)
            .push((key.into(), ContextValue::Literal(value.into())));
        self
    }

    /// As [`expect_context`](Self::expect_context), for an entry the file reads from the
    /// environment variable `name` (`context-env`).
    pub fn expect_context_env(mut self, key: impl Into<String>, name: impl Into<String>) -> Self {
        self.pinned
            .context
            .get_or_insert_with(Vec::new)
            .push((key.into(), ContextValue::Env(name.into())));
        self
    }

    /// Allows the file's context to read environment variable `name` (`context-env`) although
    /// it is not one of Lambda's that hold no secret ([`sealed_format::CONTEXT_VARIABLES`]), as
    /// `allow_env = ["NAME"]` does for `sealed!`; a variable pinned with
    /// [`expect_context_env`](Self::expect_context_env) is allowed already.
    pub fn allow_env(mut self, name: impl Into<String>) -> Self {
        self.pinned.allow_env.push(name.into());
        self
    }

    /// Adds a failover recipient: the key (as written) of one of the bundle's `recipient`
    /// lines, tried after the key of [`expect_key`](Self::expect_key) when that key's KMS does not
    /// answer (a timeout, no connection, KMS's own failure; not a refusal). Recipients are tried
    /// in the order given, those in the function's own region (`AWS_REGION`) first, all inside
    /// one [`THROTTLED_RETRY_DEADLINE`](crate::kms::THROTTLED_RETRY_DEADLINE).
    pub fn failover(mut self, key: impl Into<String>) -> Self {
        self.pinned.failover.push(key.into());
        self
    }

    /// Pins who can read the bundle's values, which every bundle value needs: one string per key
    /// that can open them, `KIND KEY-ARN FINGERPRINT` (`key` for the bundle's key, `failover`
    /// for each `recipient` line; the fingerprint is its key pair's, as `cargo sealed bundle ls`
    /// prints it). A file whose readers are not exactly these — a recipient added, another key
    /// pair under the same key (a rotation, or a pair someone wrapped under it), a reader gone —
    /// is refused ([`BuildErrorKind::BundleReadersChanged`]), and so is a build without them
    /// ([`BuildErrorKind::BundleReadersNotPinned`], which lists them), unless every private key
    /// of the file is an emulator's and emulator ciphertexts are allowed.
    pub fn expect_readers<I, S>(mut self, readers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.pinned.readers = Some(readers.into_iter().map(Into::into).collect());
        self
    }

    /// Pins the bundle's id (32 hex digits, its `id` line): another bundle is refused, even one
    /// under the same key and context.
    pub fn expect_id(mut self, id: impl Into<String>) -> Self {
        self.pinned.id = Some(id.into());
        self
    }

    /// Names the bundle file in errors (default: `the bundle`).
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// As [`SealedBuilder::location`].
    pub fn location(mut self, file: impl Into<String>, line: u32, column: u32) -> Self {
        self.location = location(leak(file.into()), line, column);
        self
    }

    /// As [`SealedBuilder::allow_emulator`], for the bundle's wrapped private key.
    pub fn allow_emulator(mut self, allow: bool) -> Self {
        self.allow_emulator = allow;
        self
    }

    /// For `cargo sealed` only: the value is opened with a client of this configuration (a
    /// session of another profile) instead of the process's shared client. Not public API.
    #[doc(hidden)]
    pub fn session(mut self, config: aws_sdk_kms::Config) -> Self {
        self.config = Some(Box::leak(Box::new(config)));
        self
    }

    /// Checks the bundle as `sealed!` does: it parses, its private key is a KMS ciphertext of a
    /// P-256 private key's length, it has the value; and it is the key, context and id pinned,
    /// if any (the context as the file writes it, without the `sealed:bundle` entry that
    /// `sealed` adds).
    pub fn build(self) -> Result<Sealed, BuildError> {
        let path = self.path.unwrap_or_else(|| "the bundle".to_owned());
        let at = |kind: BuildErrorKind| BuildError::new(kind, self.location);
        let options = sealed_format::Options {
            algorithm: None,
            allow_emulator: self.allow_emulator,
            unchecked: false,
        };
        let (bundle, blob) = sealed_format::Bundle::parse(&self.text)
            .and_then(|bundle| {
                bundle
                    .inspect_private_key(&options)
                    .map(|blob| (bundle, blob))
            })
            .map_err(|e| at(BuildErrorKind::InvalidBundle(e)))?;
        let refused = |pinned: &str, expected: String, found: String| {
            at(BuildErrorKind::BundleNotPinned {
                pinned: pinned.to_owned(),
                expected,
                found,
            })
        };
        // every key that can open the bundle, in the order of its values' sealings
        let keys: Vec<&str> = std::iter::once(bundle.key.as_str())
            .chain(bundle.recipients.iter().map(|r| r.key.as_str()))
            .collect();
        let (chosen, failover) = self.pinned.recipients(&keys).map_err(at)?;
        if let Some((pinned, expected, found)) = self.pinned.refusal(&bundle) {
            return Err(refused(pinned, expected, found));
        }
        self.pinned.check_readers(&bundle).map_err(at)?;
        self.pinned.check_context_env(&bundle).map_err(at)?;
        let Some(value) = bundle.value(&self.name) else {
            return Err(at(BuildErrorKind::NoSuchBundleValue {
                name: self.name,
                names: bundle.names().map(str::to_owned).collect(),
            }));
        };
        let points = bundle.public_points();
        let sealing = |index: usize| -> &'static [u8] {
            Box::leak(
                value
                    .sealing(index)
                    .unwrap_or_default()
                    .to_vec()
                    .into_boxed_slice(),
            )
        };
        // recipient `index`'s wrapped private key, checked as the bundle's own
        let wrapped = |index: usize| match index {
            0 => Ok(blob.clone()),
            i => bundle.recipients[i - 1].inspect_private_key(&options),
        };
        let mut failovers = Vec::new();
        for index in failover {
            let request = CheckedAtRunTime {
                blob: wrapped(index).map_err(|e| at(BuildErrorKind::InvalidBundle(e)))?,
                key: Some(keys[index].to_owned()),
                context: bundle.kms_context(),
                algorithm: Algorithm::SymmetricDefault,
                plaintext_len: Some(value.plaintext_len()),
                location: self.location,
                config: self.config,
            }
            .request();
            failovers.push(Failover {
                request,
                public_point: points[index],
                sealed: sealing(index),
            });
        }
        let member = BundleMember {
            path: leak(path),
            id: bundle.id,
            name: leak(self.name),
            generation: value.generation,
            public_point: points[chosen],
            sealed: sealing(chosen),
            stage: leak(bundle.stage.clone().unwrap_or_default()),
            failover: Box::leak(failovers.into_boxed_slice()),
        };
        let request = CheckedAtRunTime {
            blob: wrapped(chosen).map_err(|e| at(BuildErrorKind::InvalidBundle(e)))?,
            key: Some(keys[chosen].to_owned()),
            context: bundle.kms_context(),
            algorithm: Algorithm::SymmetricDefault,
            plaintext_len: Some(value.plaintext_len()),
            location: self.location,
            config: self.config,
        }
        .request();
        Ok(leaked(Declaration::Bundled(request, member)))
    }
}
