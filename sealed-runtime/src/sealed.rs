//! `Sealed`: a ciphertext checked at compile time, with what the check learnt about it.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};

use sealed_format::{Algorithm, BlobFamily, KeyRef};

use tracing::{Instrument as _, Span};

use crate::bundle;
use crate::client;
use crate::declaration::{location, ContextValue, Declaration, Location, Request};
use crate::decrypt::{Attempts, Mode, Outcome};
use crate::error::{Error, ErrorKind};
use crate::flight::SingleFlight;
use crate::lifecycle;
use crate::replica;
use crate::secret::Secret;
use crate::stage;
use crate::throttling;
use crate::worker;

// The link-time list every `sealed!` registers in, `SEALED_VALUES`: `build.rs` writes it, to
// name its link section after this crate's breaking version.
include!(concat!(env!("OUT_DIR"), "/registry.rs"));

/// The `static` each `sealed!` emits: what it declares and the cell its plaintext fills, once.
#[doc(hidden)]
pub struct ValueCell {
    declared: Declaration,
    plaintext: SingleFlight<Secret, Error>,
}

impl ValueCell {
    #[doc(hidden)]
    pub const fn new(declared: Declaration) -> Self {
        ValueCell {
            declared,
            plaintext: SingleFlight::new(),
        }
    }
}

/// The `Sealed` of the expansion's `static` (for the expansion only).
#[doc(hidden)]
pub const fn sealed_of(value: &'static ValueCell) -> Sealed {
    Sealed::of(value)
}

static PLACEHOLDER_VALUE: ValueCell =
    ValueCell::new(Declaration::Invalid(location("<invalid sealed!>", 0, 0)));

/// What a `sealed!` with errors expands to, beside its `compile_error!`s.
#[doc(hidden)]
pub const PLACEHOLDER: Sealed = Sealed::of(&PLACEHOLDER_VALUE);

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

/// The first access (or one after a failure): join the attempt in flight or start one. The
/// attempt runs on the library's runtime, so it does not depend on the caller's.
async fn first_access(value: &'static ValueCell) -> Result<&'static Secret, Error> {
    client::mark_in_use();
    // a value of a stage set: the selected stage's, or an error before any network call
    let declared = stage::resolve(&value.declared)?;
    if lifecycle::plaintext_would_enter_snapshot() {
        note_read_before_snapshot(value, declared);
    }
    if let Some(opened) = open_bundle_value_now(value, declared) {
        return opened;
    }
    value
        .plaintext
        .get_or_try_init(|| {
            // the attempt's `sealed.decrypt` span is a child of the caller's span
            let attempt = worker::spawn(decrypt_into(declared).instrument(Span::current()));
            async move {
                attempt
                    .await
                    .unwrap_or_else(|panicked| Err(Error::from(panicked)))
                    .map_err(|error| of_value(error, declared))
            }
        })
        .await
}

/// The values read in a SnapStart INIT, before the snapshot (by the address of their cell): their
/// plaintexts (and their bundles' private keys) will be in the snapshot, which no library can
/// wipe (the `&'static Secret` handed out stays). The before-snapshot hook names them; recorded
/// here rather than warned at the read, because a process whose hooks are not registered never
/// learns that it was restored, and would warn at every read after the restore.
static READ_BEFORE_SNAPSHOT: Mutex<Vec<(usize, Location, bool)>> = Mutex::new(Vec::new());

fn note_read_before_snapshot(value: &'static ValueCell, declared: &'static Declaration) {
    let address = core::ptr::from_ref(value) as usize;
    let mut read = READ_BEFORE_SNAPSHOT
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if !read.iter().any(|(seen, _, _)| *seen == address) {
        read.push((address, declared.location(), declared.bundle().is_some()));
    }
}

/// The values read before the snapshot, each once: where its `sealed!` is, and whether it is a
/// bundle's value. Handed over once.
pub(crate) fn take_read_before_snapshot() -> Vec<(Location, bool)> {
    std::mem::take(
        &mut *READ_BEFORE_SNAPSHOT
            .lock()
            .unwrap_or_else(PoisonError::into_inner),
    )
    .into_iter()
    .map(|(_, location, bundled)| (location, bundled))
    .collect()
}

/// A bundle value opened at once, in the caller's thread, when its bundle's private key is
/// unwrapped already (after `prefetch`, or another value's access): `None` when it is not, or
/// for a value that is not a bundle's. `declared` is the value's declaration, or its stage's.
fn open_bundle_value_now(
    value: &'static ValueCell,
    declared: &'static Declaration,
) -> Option<Result<&'static Secret, Error>> {
    let Declaration::Bundled(request, member) = declared else {
        return None;
    };
    let opened = bundle::open_now(request, member)?;
    Some(match opened {
        Ok(plaintext) => Ok(value
            .plaintext
            .fill(Secret::new(plaintext, request.location))),
        Err(error) => Err(of_value(error, declared)),
    })
}

/// `error` as the value `declared` sees it: at its `sealed!`, in its bundle if it has one.
fn of_value(error: Error, declared: &Declaration) -> Error {
    let error = error.at(declared.location());
    match declared.bundle() {
        Some(bundle) => error.in_bundle(bundle.path, bundle.name),
        None => error,
    }
}

/// What `Decrypt` is sent for `declared` (resolved: never a stage set's value), or an error for
/// the declaration of an invalid `sealed!`, whose build failed and which never runs.
fn request_of(declared: &'static Declaration) -> Result<&'static Request, Error> {
    declared
        .request()
        .ok_or_else(|| Error::new(ErrorKind::InvalidCiphertext).at(declared.location()))
}

async fn decrypt_into(declared: &'static Declaration) -> Result<Secret, Error> {
    let request = request_of(declared)?;
    let plaintext = match declared.bundle() {
        Some(member) => bundle::open(request, member).await?,
        None => throttling::decrypt(request).await?,
    };
    Ok(Secret::new(plaintext, request.location))
}

/// A KMS ciphertext checked at compile time by [`sealed!`](crate::sealed).
///
/// A `Sealed` is a handle to one `static` that the macro emits where it is invoked: copies of it,
/// and a `Sealed` reached through a `const`, all refer to that one value, so it is decrypted once
/// however it is reached. Every `Sealed` in a binary is also listed by [`registered`].
///
/// The accessors tell what was checked; none of them touches KMS. For a value of a stage set
/// they answer empty (no ciphertext, no key, [`BlobFamily::Unchecked`]): each stage's value was
/// checked at compile time, and which one is read is chosen at start-up; its `Debug` names the
/// set and each stage's keys.
///
/// ```
/// use sealed_runtime::{format::BlobFamily, sealed, Sealed};
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
    value: &'static ValueCell,
}

impl Sealed {
    #[doc(hidden)]
    pub(crate) const fn of(value: &'static ValueCell) -> Self {
        Sealed { value }
    }

    pub(crate) fn declaration(self) -> &'static Declaration {
        &self.value.declared
    }

    /// What `Decrypt` is sent for it; `None` for a value of a stage set (each stage's is chosen
    /// at start-up), whose accessors below then answer empty.
    pub(crate) fn request(self) -> Option<&'static Request> {
        self.declaration().request()
    }

    /// The plaintext: the first access decrypts it with KMS `Decrypt`, every later access is a
    /// memory read.
    ///
    /// However many tasks ask at once, one `Decrypt` is made; the tasks that wait on a failed
    /// attempt all receive its error, and the next access tries again (failures are never
    /// cached). Cancelling the access that started the attempt does not cancel it for the others
    /// waiting; if none is left, the attempt is dropped and the value stays empty and usable.
    ///
    /// The `Decrypt` runs on the library's own runtime (one thread, started on first use), so
    /// the access works from any executor, and an attempt outlives the runtime of the caller
    /// that started it: tests with a runtime each can share values. A panic inside the attempt
    /// (in a credentials provider or interceptor installed with [`set_client`](crate::set_client))
    /// is an [`ErrorKind::Panicked`] for every waiter, and the value stays usable.
    #[inline]
    pub fn get(&self) -> impl Future<Output = Result<&'static Secret, Error>> + Send + 'static {
        #[cfg(feature = "testing")]
        if let Some(outcome) = crate::test_outcomes::outcome(self.address()) {
            return match outcome {
                Ok(secret) => GetFuture::Ready(secret),
                Err(error) => GetFuture::FirstAccess(Box::pin(async move { Err(error) })),
            };
        }
        // The hot path is decided here, in the caller's crate: a filled value becomes a ready
        // future, with no state machine of this crate to poll.
        let value = self.value;
        match value.plaintext.get() {
            Some(secret) => GetFuture::Ready(secret),
            // boxed: the slow path, taken once per value, keeps this future two words wide
            None => GetFuture::FirstAccess(Box::pin(first_access(value))),
        }
    }

    /// The plaintext if it was decrypted already (by [`get`](Self::get) or [`prefetch`](crate::prefetch)):
    /// for synchronous code after start-up.
    #[inline]
    pub fn try_get(&self) -> Option<&'static Secret> {
        #[cfg(feature = "testing")]
        if let Some(outcome) = crate::test_outcomes::outcome(self.address()) {
            return outcome.ok();
        }
        // a bundle value whose private key is unwrapped opens now, without waiting
        self.value.plaintext.get().or_else(|| {
            let declared = stage::resolve(&self.value.declared).ok()?;
            open_bundle_value_now(self.value, declared).and_then(Result::ok)
        })
    }

    /// The plaintext, for code that is not async (a synchronous `main` that builds a database
    /// pool, a CLI): [`get`](Self::get) with the same single flight and errors, waiting on the
    /// calling thread.
    ///
    /// The `Decrypt` runs on the library's own thread, so calling this from inside an async
    /// runtime does not wait on that runtime: it blocks the calling thread until the attempt
    /// ends (the operation timeout per request, 6 s by default; twice that for a multi-Region
    /// key whose region has no replica; a throttled `Decrypt` is sent again until
    /// [`THROTTLED_RETRY_DEADLINE`](crate::kms::THROTTLED_RETRY_DEADLINE), 9 s), and on a
    /// current-thread runtime everything else on it waits as long. In async code, prefer `get().await`. Called from the library's own thread
    /// (an interceptor or credentials provider of the KMS client), where it could never finish,
    /// it is an [`ErrorKind::BlockingInAttempt`] error instead.
    ///
    /// ```no_run
    /// use sealed_runtime::{sealed, Sealed};
    ///
    /// static DB_PASSWORD: Sealed = sealed!(
    ///     "AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=",
    ///     key = "alias/app",
    /// );
    ///
    /// fn main() -> Result<(), sealed_runtime::Error> {
    ///     let password = DB_PASSWORD.get_blocking()?.expose_str()?;
    ///     # let _ = password;
    ///     Ok(())
    /// }
    /// ```
    pub fn get_blocking(&self) -> Result<&'static Secret, Error> {
        if let Some(secret) = self.try_get() {
            return Ok(secret);
        }
        #[cfg(feature = "testing")]
        if let Some(Err(error)) = crate::test_outcomes::outcome(self.address()) {
            return Err(error);
        }
        if worker::on_library_thread() {
            return Err(Error::new(ErrorKind::BlockingInAttempt).at(self.location()));
        }
        let (done, result) = std::sync::mpsc::sync_channel(1);
        let access = first_access(self.value);
        worker::detach(async move {
            let _ = done.send(access.await);
        });
        result
            .recv()
            .unwrap_or_else(|_| Err(Error::from(crate::flight::Panicked).at(self.location())))
    }

    /// Proves that the value decrypts with the current credentials, without keeping the plaintext
    /// and without filling the value: for deploy gates such as `cargo sealed check --kms`.
    ///
    /// Sends `Decrypt` with `DryRun`, which AWS KMS answers without decrypting. A server that
    /// ignores `DryRun` (the moto emulator) decrypts: the plaintext is then zeroed at once, and
    /// the result says so. Each call is a billed KMS request; never use it on a hot path.
    pub async fn verify(&self) -> Result<Verified, Error> {
        let request = request_of(stage::resolve(&self.value.declared)?)?;
        let call = worker::spawn(
            async move { replica::call(request, Mode::DryRun, &Attempts::default()).await }
                .instrument(Span::current()),
        );
        let outcome = call
            .await
            .unwrap_or_else(|panicked| Err(Error::from(panicked).at(request.location)))?;
        match outcome {
            Outcome::DryRunPassed => Ok(Verified::DryRun),
            // dropped here, zeroed
            Outcome::Plaintext(_) => Ok(Verified::DecryptedAndDiscarded),
        }
    }

    /// Where the `sealed!` is written.
    pub fn location(&self) -> Location {
        self.declaration().location()
    }

    /// Whether two handles refer to the same sealed value.
    pub fn same_value(&self, other: &Sealed) -> bool {
        core::ptr::eq(self.value, other.value)
    }

    /// What `prefetch` does for this value: decrypt it; for a bundle value, unwrap its bundle's
    /// private key (once per bundle) and leave the value to open on its first access.
    pub(crate) async fn prefetch_one(self) -> Result<(), Error> {
        #[cfg(feature = "testing")]
        if crate::test_outcomes::outcome(self.address()).is_some() {
            return self.get().await.map(|_| ());
        }
        let value = self.value;
        if value.plaintext.get().is_some() {
            return Ok(());
        }
        let declared = match stage::resolve(&value.declared) {
            Ok(declared) => declared,
            // a value `only = […]` leaves out of this stage is not read in it: nothing to do
            Err(error) if matches!(error.kind(), ErrorKind::StageExcluded { .. }) => {
                return Ok(());
            }
            Err(error) => return Err(error),
        };
        let Declaration::Bundled(request, member) = declared else {
            return self.get().await.map(|_| ());
        };
        client::mark_in_use();
        worker::spawn(bundle::unwrap(request, member).instrument(Span::current()))
            .await
            .unwrap_or_else(|panicked| Err(Error::from(panicked)))
            .map_err(|error| of_value(error, declared))
    }

    /// The address of the value's cell: what names it.
    #[cfg(feature = "testing")]
    pub(crate) fn address(&self) -> usize {
        core::ptr::from_ref(self.value) as usize
    }

    /// The ciphertext bytes, as `Decrypt` receives them.
    pub fn ciphertext(&self) -> &'static [u8] {
        self.request().map_or(&[], |r| r.ciphertext)
    }

    /// The layout the ciphertext was recognised as; [`BlobFamily::Unchecked`] for a value of a
    /// stage set, whose ciphertext (each stage's bundle's) is chosen at start-up.
    pub fn family(&self) -> BlobFamily {
        self.request().map_or(BlobFamily::Unchecked, |r| r.family)
    }

    /// The key declared with `key = …`, if any.
    pub fn key(&self) -> Option<KeyRef<'static>> {
        // Checked by the macro with the same parser; a failure here cannot happen.
        self.request()
            .and_then(|r| r.key)
            .and_then(|key| KeyRef::parse(key).ok())
    }

    /// The encryption context declared with `context = { … }`, in the order written.
    pub fn context(&self) -> &'static [(&'static str, ContextValue)] {
        self.request().map_or(&[], |r| r.context)
    }

    /// The encryption algorithm (`SYMMETRIC_DEFAULT` unless declared).
    pub fn algorithm(&self) -> Algorithm {
        self.request()
            .map_or(Algorithm::SymmetricDefault, |r| r.algorithm)
    }

    /// How many bytes the plaintext has, where the layout tells.
    pub fn plaintext_len(&self) -> Option<usize> {
        self.request().and_then(|r| r.plaintext_len)
    }

    /// The 32-byte key-material id of an AWS symmetric ciphertext (not the key id: it changes when
    /// the key rotates, and nothing maps it to a key offline).
    pub fn key_material_id(&self) -> Option<&'static [u8; 32]> {
        self.request().and_then(|r| r.key_material_id)
    }

    /// [`Self::key_material_id`] in lowercase hex.
    pub fn fingerprint(&self) -> Option<String> {
        self.key_material_id().map(hex::encode)
    }

    /// The key id a local emulator wrote in clear (builds with the `emulator` feature only).
    pub fn emulator_key_id(&self) -> Option<&'static str> {
        self.request().and_then(|r| r.emulator_key_id)
    }

    /// For a value of a bundle (`sealed!(bundle = …, name = …)`): the bundle file as written and
    /// the value's name. [`ciphertext`](Self::ciphertext), [`key`](Self::key),
    /// [`context`](Self::context) and [`family`](Self::family) are then those of the bundle's
    /// wrapped private key, which is what `Decrypt` is sent (the context with the `sealed:bundle`
    /// entry); [`plaintext_len`](Self::plaintext_len) is the value's.
    pub fn bundle(&self) -> Option<(&'static str, &'static str)> {
        self.declaration().bundle().map(|b| (b.path, b.name))
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
    SEALED_VALUES.iter().map(|value| Sealed::of(value))
}
