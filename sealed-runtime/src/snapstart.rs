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
//!   because the program asked for it, and a `tracing` warning names it once: its plaintext (and
//!   its bundle's private key) will be in the snapshot. Read values in the handler instead, and
//!   open what needs them (a database pool) lazily or after the restore.
//! * [`before_snapshot`] drops the library's KMS clients with their configuration (credentials,
//!   identity cache) and every connection pool of [`http_client`](crate::kms::http_client); the
//!   first request after the restore loads the configuration again, with the credentials the
//!   environment has then (Lambda gives SnapStart functions the container endpoint,
//!   `AWS_CONTAINER_CREDENTIALS_FULL_URI`).
//! * [`after_restore`] reseeds the generator the SDK's retry jitter draws from (the library's
//!   own jitter reads the OS at each use), then decrypts what `prefetch` kept. If that fails, it
//!   returns the error: the after-restore hook reports it to `/runtime/restore/error` and Lambda
//!   ends the environment, as it would a failed INIT (an environment that cannot read its secrets
//!   after `kms:Decrypt` was revoked is cut off, which is what revoking is for).
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

use crate::client;
use crate::lifecycle;
use crate::prefetch::{prefetch_values, take_deferred, PrefetchError};
use crate::tls;
use crate::worker;

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

/// Before the snapshot: drops the library's KMS clients, their configuration and credentials,
/// and every pooled connection of [`http_client`](crate::kms::http_client). Call it after the
/// last work of INIT, before `GET /2018-06-01/runtime/restore/next`.
pub fn before_snapshot() {
    if client::forget_clients() {
        tracing::warn!(
            "SnapStart: the KMS client installed with `set_client` is the program's: its \
             credentials cache and connections go into the snapshot and are used after the \
             restore; help: let the library build its own client"
        );
    }
    tls::forget_connections();
    if lifecycle::plaintext_allowed_in_snapshot() {
        tracing::info!(
            "SnapStart: plaintexts decrypted in INIT stay in the snapshot \
             (`allow_plaintext_in_snapshot`)"
        );
    }
}

/// After the restore: marks the process restored, seeds the SDK's retry jitter from the OS, and
/// decrypts what `prefetch` kept during INIT (each value once, however many were asked twice).
/// The values' count, or what failed: the restore should then fail (`/runtime/restore/error`).
///
/// # Errors
/// The values that did not decrypt, each with its error, as [`prefetch`](crate::prefetch)
/// reports them.
pub async fn after_restore() -> Result<usize, PrefetchError> {
    lifecycle::mark_restored();
    // the connections and clients of INIT, if anything used them after `before_snapshot`
    client::forget_clients();
    tls::forget_connections();
    worker::reseed().await;
    prefetch_values(take_deferred()).await
}
