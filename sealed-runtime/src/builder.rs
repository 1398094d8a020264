//! `Sealed::builder`: sealed values from ciphertexts known only at run time, checked as
//! `sealed!` checks them.

use sealed_format::{Algorithm, KeyRef};

use crate::error::{Error, ErrorKind};
use crate::facts::{ContextValue, EntryParts, Location};
use crate::sealed::{Entry, Sealed};

/// Builds a [`Sealed`] from a ciphertext known only at run time (an environment variable, a
/// configuration file), with the same checks as `sealed!` and the same decrypt path.
///
/// Each built value lives for the rest of the process, like a `static` (its memory is not
/// reclaimed): build it once at start-up, not per request. It is not listed by [`registered`](crate::registered).
///
/// ```
/// use sealed_runtime::{BlobFamily, Sealed};
///
/// let text = "AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=";
/// let value = Sealed::builder(text).key("alias/billing").context("app", "billing").build()?;
/// assert_eq!(value.family(), BlobFamily::AwsV2);
///
/// let twice = Sealed::builder(text).context("app", "a").context("app", "b").build();
/// assert!(twice.unwrap_err().to_string().contains("duplicate encryption-context key `app`"));
///
/// let rsa = Sealed::builder(text).algorithm(sealed_runtime::Algorithm::RsaesOaepSha256).build();
/// assert!(rsa.unwrap_err().to_string().starts_with("`RSAES_OAEP_SHA_256` needs a key"));
///
/// let error = Sealed::builder("AQICAHh...==").build().unwrap_err();
/// assert!(error.to_string().starts_with("invalid ciphertext: ciphertext is elided"));
/// # Ok::<(), sealed_runtime::Error>(())
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
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
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
            location: Location::__new(caller.file(), caller.line(), caller.column()),
            allow_emulator: cfg!(feature = "emulator"),
        }
    }
}

impl SealedBuilder {
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
        self.location = Location::__new(leak(file.into()), line, column);
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
    pub fn build(self) -> Result<Sealed, Error> {
        let at = |error: Error| error.at(self.location);
        if let Some(key) = &self.key {
            KeyRef::parse(key).map_err(|e| at(Error::new(ErrorKind::InvalidKey(e))))?;
        }
        if let Some((_, error)) =
            sealed_format::check_context_keys(self.context.iter().map(|(k, _)| k.as_str()))
                .into_iter()
                .next()
        {
            return Err(at(Error::new(ErrorKind::InvalidContext(error))));
        }
        let algorithm = self.algorithm.unwrap_or_default();
        if algorithm.is_asymmetric() && self.key.is_none() {
            return Err(at(Error::new(ErrorKind::KeyRequired { algorithm })));
        }
        let options = sealed_format::Options {
            algorithm: Some(algorithm),
            allow_emulator: self.allow_emulator,
            unchecked: false,
        };
        let blob = sealed_format::inspect(&self.text, &options)
            .map_err(|e| at(Error::new(ErrorKind::InvalidFormat(e))))?;
        let context: Vec<(&'static str, ContextValue)> = self
            .context
            .into_iter()
            .map(|(key, value)| (leak(key), value.map(leak)))
            .collect();
        let entry = Entry::new(EntryParts {
            ciphertext: Box::leak(blob.bytes().to_vec().into_boxed_slice()),
            family: blob.family(),
            key: self.key.map(leak),
            context: Box::leak(context.into_boxed_slice()),
            algorithm,
            plaintext_len: blob.plaintext_len(),
            fingerprint: blob.key_material_id().map(|id| &*Box::leak(Box::new(*id))),
            emulator_key_id: blob.emulator_key_id().map(|id| leak(id.to_owned())),
            location: self.location,
        });
        Ok(Sealed::__from_entry(Box::leak(Box::new(entry))))
    }
}
