//! Lambda SnapStart: no plaintext, key, credential or connection in the snapshot.
//!
//! Lambda snapshots a SnapStart function's process once INIT is done and starts every execution
//! environment of the version from a copy of it, for as long as the version lives. A plaintext
//! decrypted in INIT would be in every copy, beyond the reach of a revoked `kms:Decrypt` or a
//! disabled key; the KMS client's credentials and connections would be reused by each
//! environment (the credentials possibly expired or revoked by then, the connections dead).
//! So, when `AWS_LAMBDA_INITIALIZATION_TYPE` is `snap-start` and the process has not been
//! restored yet:
//!
//! * [`prefetch`](crate::prefetch) decrypts nothing: it keeps its values for [`after_restore`],
//!   which decrypts them (one `Decrypt` per plain value and per bundle, as in any INIT).
//! * A value read during INIT ([`Sealed::get`](crate::Sealed::get), `get_blocking`) is decrypted,
//!   because the program asked for it, and [`before_snapshot`] names it in a `tracing` warning:
//!   its plaintext (and its bundle's private key) will be in the snapshot. Read values in the
//!   handler instead, and open what needs them (a database pool) lazily or after the restore.
//! * [`before_snapshot`] drops the library's KMS clients with their configuration (credentials,
//!   identity cache) and every connection pool of [`http_client`](crate::kms::http_client); the
//!   first request after the restore loads the configuration again, with the credentials the
//!   environment has then (Lambda gives SnapStart functions the container endpoint,
//!   `AWS_CONTAINER_CREDENTIALS_FULL_URI`).
//! * [`after_restore`] reseeds the generator the SDK's retry jitter draws from (the library's
//!   own jitter reads the OS at each use), then decrypts what `prefetch` kept, within
//!   [`RESTORE_DEADLINE`]. If that fails, it returns the error: the after-restore hook reports it
//!   to `/runtime/restore/error` and Lambda ends the environment (an environment that cannot read
//!   its secrets after `kms:Decrypt` was revoked is cut off, which is what revoking is for). A
//!   failure `prefetch()` would have reported in INIT, which a program may log and tolerate,
//!   fails the restore instead.
//!
//! Without the hooks (`lambda_runtime::run`, or no registration) the process never learns it was
//! restored: `prefetch()`'s values then decrypt on their first access, `try_get()` answers `None`
//! until then, and no value read in INIT is named.
//!
//! `lambda_runtime` calls these two through `sealed_runtime::lambda::SnapStart` (feature
//! `lambda`), registered with `Runtime::register_snapstart_resource`. A program that drives the
//! Runtime API itself calls [`before_snapshot`] before `GET /2018-06-01/runtime/restore/next`
//! and [`after_restore`] once it answers, before the first `/invocation/next`.
//!
//! A KMS client installed with [`set_client`](crate::set_client) is the program's: the library
//! keeps using it after the restore, with whatever credentials cache and connections it holds
//! (a warning says so before the snapshot). With SnapStart, let the library build its own.
//!
//! Outside a SnapStart INIT (no SnapStart, Managed Instances, after the restore) nothing here
//! changes anything.

use std::time::Duration;

use crate::bundle;
use crate::client;
use crate::error::{Details, Error, ErrorKind};
use crate::lifecycle;
use crate::prefetch::{prefetch_values, take_deferred, PrefetchError};
use crate::replica;
use crate::sealed::take_read_before_snapshot;
use crate::tls;
use crate::worker;

/// How long the after-restore hook decrypts at most: Lambda ends a restore whose hooks run past
/// 10 s (`SnapStartTimeoutException`, with no word of why), and an error of the library's own,
/// which names each value, is better. A value still pending then fails the restore as
/// `TimedOut`.
pub const RESTORE_DEADLINE: Duration = Duration::from_secs(8);

/// Accepts plaintexts in the snapshot: `prefetch` in a SnapStart INIT decrypts as it does
/// elsewhere, and no warning is given for values read during INIT. Call it before `prefetch`.
///
/// The restore is then faster (the first invocation reads memory), at a price: every
/// environment restored from the version's snapshot holds the plaintexts from its first
/// instant, whatever becomes of `kms:Decrypt` on the key, for as long as the version can be
/// invoked. Revoking access no longer cuts such a function off; only deleting (or no longer
/// invoking) the version does, and rotating a secret means publishing a new version. The
/// credentials and connections are dropped before the snapshot all the same.
pub fn allow_plaintext_in_snapshot() {
    lifecycle::allow_plaintext_in_snapshot();
}

/// Before the snapshot: names each value read during INIT (a `tracing` warning each: its
/// plaintext is in the snapshot), then drops the library's KMS clients, their configuration and
/// credentials, every pooled connection of [`http_client`](crate::kms::http_client), and what
/// INIT learnt about outages and replicas. Call it after the last work of INIT, before
/// `GET /2018-06-01/runtime/restore/next`.
pub fn before_snapshot() {
    if lifecycle::plaintext_allowed_in_snapshot() {
        tracing::info!(
            "SnapStart: plaintexts decrypted in INIT stay in the snapshot \
             (`allow_plaintext_in_snapshot`)"
        );
    } else {
        for (location, bundled) in take_read_before_snapshot() {
            tracing::warn!(
                value = %location,
                "sealed value read in a SnapStart INIT (AWS_LAMBDA_INITIALIZATION_TYPE=snap-start), \
                 before the snapshot: its plaintext{} is in the snapshot, in every environment \
                 restored from it, for as long as the version lives, whatever becomes of \
                 kms:Decrypt; help: read it in the handler (or build what needs it lazily, or \
                 after the restore); `prefetch()` in INIT is deferred to the restore \
                 (docs/snapstart.md)",
                if bundled { " and its bundle's private key" } else { "" },
            );
        }
    }
    if client::forget_clients() {
        tracing::warn!(
            "SnapStart: the KMS client installed with `set_client` is the program's: its \
             credentials cache and connections go into the snapshot and are used after the \
             restore; help: let the library build its own client"
        );
    }
    tls::forget_connections();
    bundle::forget_outages();
    replica::forget_absent_replicas();
}

/// After the restore: marks the process restored, seeds the SDK's retry jitter from the OS, and
/// decrypts what `prefetch` kept during INIT (each value once, however many were asked twice),
/// within [`RESTORE_DEADLINE`]. The values' count, or what failed: the restore should then fail
/// (`/runtime/restore/error`).
///
/// # Errors
/// The values that did not decrypt, each with its error, as [`prefetch`](crate::prefetch)
/// reports them; a value still pending at the deadline as `TimedOut`.
pub async fn after_restore() -> Result<usize, PrefetchError> {
    lifecycle::mark_restored();
    // the connections and clients of INIT, if anything used them after `before_snapshot`
    client::forget_clients();
    tls::forget_connections();
    worker::reseed().await;
    let values = take_deferred();
    let kept = values.clone();
    // on the library's runtime, whose timers run whatever the caller's runtime enables
    let decrypting = worker::spawn(async move {
        tokio::time::timeout(RESTORE_DEADLINE, prefetch_values(values)).await
    });
    match decrypting.await {
        Ok(Ok(result)) => result,
        Ok(Err(_elapsed)) => {
            let pending: Vec<_> = kept
                .iter()
                .filter(|value| value.try_get().is_none())
                .map(|value| {
                    let details = Details {
                        key: value.key().map(|key| key.as_str().to_owned()),
                        timeout: Some(RESTORE_DEADLINE),
                        ..Details::default()
                    };
                    (
                        *value,
                        Error::with(ErrorKind::TimedOut, details).at(value.location()),
                    )
                })
                .collect();
            Err(PrefetchError {
                decrypted: kept.len() - pending.len(),
                failures: pending,
            })
        }
        Err(panicked) => Err(PrefetchError {
            decrypted: 0,
            failures: kept
                .iter()
                .map(|value| (*value, Error::from(panicked).at(value.location())))
                .collect(),
        }),
    }
}
