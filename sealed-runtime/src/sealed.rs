//! `Sealed`: a ciphertext checked at compile time, with what the check learnt about it.

use core::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

use futures_util::future::{FutureExt as _, Shared, WeakShared};
use sealed_format::{Algorithm, BlobFamily, KeyRef};

use crate::decrypt;
use crate::error::{Error, ErrorKind};
use crate::secret::Secret;

/// A value of an encryption-context entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContextValue {
    /// `"value"`: sent as written.
    Literal(&'static str),
    /// `env("NAME")`: the environment variable's value at the moment of `Decrypt`.
    Env(&'static str),
}

/// Where a `sealed!` is written: the file, line and column of the invocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    file: &'static str,
    line: u32,
    column: u32,
}

impl Location {
    #[doc(hidden)]
    pub const fn __new(file: &'static str, line: u32, column: u32) -> Self {
        Location { file, line, column }
    }

    /// The source file, as `file!()` gives it.
    pub fn file(&self) -> &'static str {
        self.file
    }

    /// The line, from 1.
    pub fn line(&self) -> u32 {
        self.line
    }

    /// The column, from 1.
    pub fn column(&self) -> u32 {
        self.column
    }
}

impl fmt::Display for Location {
    /// `src/main.rs:12:25`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// What `sealed!` emits for one invocation: a `static` in the user's crate.
#[doc(hidden)]
pub struct EntryParts {
    pub ciphertext: &'static [u8],
    pub family: BlobFamily,
    pub key: Option<&'static str>,
    pub context: &'static [(&'static str, ContextValue)],
    pub algorithm: Algorithm,
    pub plaintext_len: Option<usize>,
    pub fingerprint: Option<&'static [u8; 32]>,
    pub emulator_key_id: Option<&'static str>,
    pub location: Location,
}

/// One sealed value: its checked facts and, once decrypted, its plaintext.
#[doc(hidden)]
pub struct Entry {
    parts: EntryParts,
    cell: Cell,
}

impl Entry {
    #[doc(hidden)]
    pub const fn new(parts: EntryParts) -> Self {
        Entry {
            parts,
            cell: Cell::new(),
        }
    }
}

type AttemptFuture = Pin<Box<dyn Future<Output = Result<(), Error>> + Send>>;
type Attempt = Shared<AttemptFuture>;

/// Decrypt once, single flight: the plaintext once known, or the attempt in flight.
///
/// Only a weak handle to the attempt is kept, so an attempt whose every waiter was cancelled is
/// dropped (its request with it) and the next access starts a new one. Waiters that joined an
/// attempt share its result, failure included; a finished attempt is forgotten, so a failure is
/// never cached.
struct Cell {
    secret: OnceLock<Secret>,
    flight: Mutex<Option<(u64, WeakShared<AttemptFuture>)>>,
}

static NEXT_ATTEMPT: AtomicU64 = AtomicU64::new(0);

impl Cell {
    const fn new() -> Self {
        Cell {
            secret: OnceLock::new(),
            flight: Mutex::new(None),
        }
    }

    fn join_or_start(&'static self, entry: &'static Entry) -> Attempt {
        let mut flight = self.flight.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(attempt) = flight.as_ref().and_then(|(_, weak)| weak.upgrade()) {
            return attempt;
        }
        let id = NEXT_ATTEMPT.fetch_add(1, Ordering::Relaxed);
        let attempt: Attempt = async move {
            let result = decrypt_into(entry).await;
            // Forget this attempt as it completes: later accesses start afresh.
            let mut flight = entry
                .cell
                .flight
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if flight.as_ref().is_some_and(|(current, _)| *current == id) {
                *flight = None;
            }
            result
        }
        .boxed()
        .shared();
        *flight = attempt.downgrade().map(|weak| (id, weak));
        attempt
    }
}

/// What [`Sealed::get`] returns: ready at once when the value is filled.
enum GetFuture {
    Ready(&'static Secret),
    FirstAccess(Pin<Box<dyn Future<Output = Result<&'static Secret, Error>> + Send>>),
}

impl Future for GetFuture {
    type Output = Result<&'static Secret, Error>;

    #[inline]
    fn poll(
        self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        match self.get_mut() {
            GetFuture::Ready(secret) => std::task::Poll::Ready(Ok(*secret)),
            GetFuture::FirstAccess(future) => future.as_mut().poll(cx),
        }
    }
}

/// The first access (or one after a failure): join the attempt in flight or start one.
async fn first_access(entry: &'static Entry) -> Result<&'static Secret, Error> {
    if let Some(secret) = entry.cell.secret.get() {
        return Ok(secret);
    }
    entry.cell.join_or_start(entry).await?;
    entry
        .cell
        .secret
        .get()
        .ok_or_else(|| Error::new(ErrorKind::Service).at(entry.parts.location))
}

fn request(parts: &EntryParts) -> decrypt::Request<'_> {
    decrypt::Request {
        ciphertext: parts.ciphertext,
        key: parts.key,
        context: parts.context,
        algorithm: parts.algorithm,
        location: parts.location,
    }
}

async fn decrypt_into(entry: &'static Entry) -> Result<(), Error> {
    let parts = &entry.parts;
    let plaintext = decrypt::decrypt(&request(parts)).await?;
    // Only the attempt in flight sets the cell, so this never finds it full; if it did, the
    // second plaintext would be dropped, and zeroed.
    let _ = entry
        .cell
        .secret
        .set(Secret::new(plaintext, parts.location));
    Ok(())
}

/// A KMS ciphertext checked at compile time by [`sealed!`](crate::sealed).
///
/// A `Sealed` is a handle to one `static` that the macro emits where it is invoked: copies of it,
/// and a `Sealed` reached through a `const`, all refer to that one value, so it is decrypted once
/// however it is reached. Every `Sealed` in a binary is also listed by [`registered`].
///
/// The accessors tell what was checked; none of them touches KMS.
///
/// ```
/// use sealed_runtime::{sealed, BlobFamily, Sealed};
///
/// static DB_PASSWORD: Sealed = sealed!(
///     "AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=",
///     key = "alias/billing",
///     context = { "app": "billing" },
/// );
///
/// assert_eq!(DB_PASSWORD.family(), BlobFamily::AwsV2);
/// assert_eq!(DB_PASSWORD.plaintext_len(), Some(12));
/// assert_eq!(DB_PASSWORD.key().unwrap().as_str(), "alias/billing");
/// assert_eq!(DB_PASSWORD.ciphertext().len(), 164);
/// ```
#[derive(Clone, Copy)]
pub struct Sealed {
    entry: &'static Entry,
}

impl Sealed {
    #[doc(hidden)]
    pub const fn __from_entry(entry: &'static Entry) -> Self {
        Sealed { entry }
    }

    fn parts(self) -> &'static EntryParts {
        &self.entry.parts
    }

    /// The ciphertext bytes, as `Decrypt` receives them.
    pub fn ciphertext(&self) -> &'static [u8] {
        self.parts().ciphertext
    }

    /// The layout the ciphertext was recognised as.
    pub fn family(&self) -> BlobFamily {
        self.parts().family
    }

    /// The key declared with `key = …`, if any.
    pub fn key(&self) -> Option<KeyRef<'static>> {
        // Checked by the macro with the same parser; a failure here cannot happen.
        self.parts().key.and_then(|key| KeyRef::parse(key).ok())
    }

    /// The encryption context declared with `context = { … }`, in the order written.
    pub fn context(&self) -> &'static [(&'static str, ContextValue)] {
        self.parts().context
    }

    /// The encryption algorithm (`SYMMETRIC_DEFAULT` unless declared).
    pub fn algorithm(&self) -> Algorithm {
        self.parts().algorithm
    }

    /// How many bytes the plaintext has, where the layout tells.
    pub fn plaintext_len(&self) -> Option<usize> {
        self.parts().plaintext_len
    }

    /// The 32-byte key-material id of an AWS symmetric ciphertext (not the key id: it changes when
    /// the key rotates, and nothing maps it to a key offline).
    pub fn key_material_id(&self) -> Option<&'static [u8; 32]> {
        self.parts().fingerprint
    }

    /// [`Self::key_material_id`] in lowercase hex.
    pub fn fingerprint(&self) -> Option<String> {
        self.key_material_id().map(|id| {
            id.iter()
                .fold(String::new(), |out, b| out + &format!("{b:02x}"))
        })
    }

    /// The key id a local emulator wrote in clear (builds with the `emulator` feature only).
    pub fn emulator_key_id(&self) -> Option<&'static str> {
        self.parts().emulator_key_id
    }

    /// Where the `sealed!` is written.
    pub fn location(&self) -> Location {
        self.parts().location
    }

    /// The plaintext: the first access decrypts it with KMS `Decrypt`, every later access is a
    /// memory read.
    ///
    /// However many tasks ask at once, one `Decrypt` is made; the tasks that wait on a failed
    /// attempt all receive its error, and the next access tries again (failures are never
    /// cached). Cancelling the access that started the attempt does not cancel it for the others
    /// waiting; if none is left, the attempt is dropped and the value stays empty and usable.
    #[inline]
    pub fn get(&self) -> impl Future<Output = Result<&'static Secret, Error>> + Send + 'static {
        // The hot path is decided here, in the caller's crate: a filled value becomes a ready
        // future, with no state machine of this crate to poll.
        let entry = self.entry;
        match entry.cell.secret.get() {
            Some(secret) => GetFuture::Ready(secret),
            // boxed: the slow path, taken once per value, keeps this future two words wide
            None => GetFuture::FirstAccess(Box::pin(first_access(entry))),
        }
    }

    /// The plaintext if it was decrypted already (by [`get`](Self::get) or [`prefetch`](crate::prefetch)):
    /// for synchronous code after start-up.
    #[inline]
    pub fn try_get(&self) -> Option<&'static Secret> {
        self.entry.cell.secret.get()
    }

    /// Proves that the value decrypts with the current credentials, without keeping the plaintext
    /// and without filling the value: for deploy gates such as `cargo sealed check --kms`.
    ///
    /// Sends `Decrypt` with `DryRun`, which AWS KMS answers without decrypting. A server that
    /// ignores `DryRun` (the moto emulator) decrypts: the plaintext is then zeroed at once, and
    /// the result says so. Each call is a billed KMS request; never use it on a hot path.
    pub async fn verify(&self) -> Result<Verified, Error> {
        match decrypt::call(&request(&self.entry.parts), true).await? {
            decrypt::Outcome::DryRunPassed => Ok(Verified::DryRun),
            // dropped here, zeroed
            decrypt::Outcome::Plaintext(_) => Ok(Verified::DecryptedAndDiscarded),
        }
    }

    /// Whether two handles refer to the same sealed value.
    pub fn same_value(&self, other: &Sealed) -> bool {
        core::ptr::eq(self.entry, other.entry)
    }
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let context_keys: Vec<&str> = self.context().iter().map(|(k, _)| *k).collect();
        f.debug_struct("Sealed")
            .field("location", &format_args!("{}", self.location()))
            .field("family", &self.family())
            .field("key", &self.parts().key)
            .field("context_keys", &context_keys)
            .field("algorithm", &self.algorithm())
            .field("ciphertext_len", &self.ciphertext().len())
            .finish_non_exhaustive()
    }
}

/// How [`Sealed::verify`] proved a value decrypts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verified {
    /// KMS answered the dry run: the real call would succeed. No plaintext was sent.
    DryRun,
    /// The server ignored `DryRun` and decrypted; the plaintext was zeroed without being read.
    DecryptedAndDiscarded,
}

/// Every sealed value in the binary, in no particular order: each `sealed!` invocation once,
/// whichever crate it is in.
///
/// ```
/// use sealed_runtime::{registered, sealed, Sealed};
///
/// static TOKEN: Sealed = sealed!("AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=");
///
/// assert!(registered().any(|value| value.same_value(&TOKEN)));
/// ```
pub fn registered() -> impl ExactSizeIterator<Item = Sealed> {
    crate::__private::SEALED_ENTRIES
        .iter()
        .map(|entry| Sealed::__from_entry(entry))
}

/// Builds a [`Sealed`] from a ciphertext known only at run time (an environment variable, a
/// configuration file), with the same checks as `sealed!` and the same decrypt path.
///
/// Each built value lives for the rest of the process, like a `static` (its memory is not
/// reclaimed): build it once at start-up, not per request. It is not listed by [`registered`].
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
    context: Vec<(String, String, bool)>,
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
        self.context.push((key.into(), value.into(), false));
        self
    }

    /// Adds an entry whose value is read from environment variable `name` at `Decrypt` time.
    pub fn context_env(mut self, key: impl Into<String>, name: impl Into<String>) -> Self {
        self.context.push((key.into(), name.into(), true));
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
            sealed_format::check_context_keys(self.context.iter().map(|(k, _, _)| k.as_str()))
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
            .map(|(key, value, env)| {
                let value = leak(value);
                (
                    leak(key),
                    if env {
                        ContextValue::Env(value)
                    } else {
                        ContextValue::Literal(value)
                    },
                )
            })
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
