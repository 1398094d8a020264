//! `prefetch`: decrypt every sealed value of the binary at start-up (Lambda INIT).

use core::fmt;
use std::sync::{Mutex, PoisonError};

use futures_util::stream::{self, StreamExt as _};

use crate::error::Error;
use crate::lifecycle;
use crate::sealed::{registered, Sealed};

/// How many `Decrypt` calls `prefetch` keeps in flight at once.
/// 32: one wave for the sealed values of any ordinary function, and far below the KMS request
/// quota (thousands per second per account and region).
pub const PREFETCH_CONCURRENCY: usize = 32;

/// The sealed values `prefetch` could not decrypt, each with its error.
#[derive(Debug)]
pub struct PrefetchError {
    /// The failures, in no particular order.
    pub failures: Vec<(Sealed, Error)>,
    /// How many values were decrypted.
    pub decrypted: usize,
}

impl fmt::Display for PrefetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "prefetch: {} of {} sealed values failed to decrypt",
            self.failures.len(),
            self.failures.len() + self.decrypted
        )?;
        for (_, error) in &self.failures {
            write!(f, "\n  - {error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PrefetchError {}

/// The values a `prefetch` in a SnapStart INIT was given: decrypted after the restore instead.
static DEFERRED: Mutex<Vec<Sealed>> = Mutex::new(Vec::new());

/// The values a `prefetch` before the snapshot deferred, handed over once.
pub(crate) fn take_deferred() -> Vec<Sealed> {
    std::mem::take(&mut *DEFERRED.lock().unwrap_or_else(PoisonError::into_inner))
}

/// Decrypts every value registered by `sealed!` in the binary, at most
/// [`PREFETCH_CONCURRENCY`] at a time, and returns how many there are.
///
/// Await it in `main` before `lambda_runtime::run`: the INIT phase then pays the KMS and TLS
/// latency, not the first invocation, and afterwards [`Sealed::try_get`] works from synchronous
/// code. A value that fails is reported and stays empty; its next [`Sealed::get`] tries again.
///
/// For the values of a bundle, `prefetch` makes the bundle's one `Decrypt` and checks its private
/// key against the file's public key, and opens no value: each opens on its first `get` or
/// `try_get`, in the caller's thread, without waiting (an ECDH each, about 0.3 ms of CPU, which
/// 32 values at a 128 MB function's CPU share would pay in extra 100 ms periods at start-up;
/// `BENCHMARKS.md` §3). So a bundle value edited in its file fails at its first access
/// ([`ErrorKind::BundleValueRejected`](crate::ErrorKind::BundleValueRejected)), not in
/// `prefetch`; `cargo sealed check --kms --open` in the deploy pipeline opens every value
/// before it ships.
///
/// In a SnapStart INIT (`AWS_LAMBDA_INITIALIZATION_TYPE=snap-start`) it decrypts nothing: a
/// plaintext decrypted now would be in the snapshot, in every environment restored from it. It
/// keeps the values and returns their count; `lambda::SnapStart` (feature `lambda`) or
/// [`snapstart::after_restore`](crate::snapstart::after_restore) decrypts them after the
/// restore, and until then `try_get` answers `None` (see [`snapstart`](crate::snapstart);
/// [`snapstart::allow_plaintext_in_snapshot`](crate::snapstart::allow_plaintext_in_snapshot)
/// turns this off).
pub async fn prefetch() -> Result<usize, PrefetchError> {
    prefetch_values(registered()).await
}

/// [`prefetch`] for the values given: those built at run time with [`Sealed::builder`], which
/// `sealed!`'s link-time list does not hold, or a subset of the registered ones.
pub async fn prefetch_values(
    values: impl IntoIterator<Item = Sealed>,
) -> Result<usize, PrefetchError> {
    if lifecycle::plaintext_would_enter_snapshot() {
        let values: Vec<Sealed> = values.into_iter().collect();
        let count = values.len();
        tracing::info!(
            values = count,
            "prefetch in a SnapStart INIT (AWS_LAMBDA_INITIALIZATION_TYPE=snap-start): nothing \
             is decrypted before the snapshot; these values are decrypted after the restore, by \
             `sealed_runtime::lambda::SnapStart` if it is registered, else each on its first access"
        );
        DEFERRED
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(values);
        return Ok(count);
    }
    let results: Vec<(Sealed, Result<(), Error>)> = stream::iter(values)
        .map(|value| async move { (value, value.prefetch_one().await) })
        .buffer_unordered(PREFETCH_CONCURRENCY)
        .collect()
        .await;
    let total = results.len();
    let failures: Vec<(Sealed, Error)> = results
        .into_iter()
        .filter_map(|(value, result)| result.err().map(|error| (value, error)))
        .collect();
    if failures.is_empty() {
        Ok(total)
    } else {
        Err(PrefetchError {
            decrypted: total - failures.len(),
            failures,
        })
    }
}

/// With the `lambda` feature: `errorType` is `sealed.` and the failures' kind when they share one
/// (`sealed.AccessDenied`), else `sealed.Prefetch`; `errorMessage` lists every failure.
#[cfg(feature = "lambda")]
#[cfg_attr(docsrs, doc(cfg(feature = "lambda")))]
impl From<PrefetchError> for lambda_runtime::Diagnostic {
    fn from(error: PrefetchError) -> Self {
        let mut kinds = error.failures.iter().map(|(_, e)| e.kind().name());
        let first = kinds.next();
        let kind = match first {
            Some(name) if kinds.all(|other| other == name) => name,
            _ => "Prefetch",
        };
        lambda_runtime::Diagnostic {
            error_type: format!("sealed.{kind}"),
            error_message: error.to_string(),
        }
    }
}
