//! The library's worker thread: one thread with a current-thread tokio runtime, started on first
//! use, on which every KMS call runs.
//!
//! A first access must not depend on the caller's runtime staying alive: a user's tests run one
//! `#[tokio::test]` runtime each, and an attempt started on a runtime that then shuts down would
//! fail every other test waiting on it ("A Tokio 1.x context was found, but it is being
//! shutdown"), while pooled connections owned by a finished runtime would break later calls.
//! Here the attempt, the library's KMS clients (built here, `client()` included), their
//! connections and their credential refreshes live on this runtime; callers only await the
//! result, from any executor (or block on it, for sync code).
//!
//! What this asks of code installed with `set_client` (credentials providers, interceptors,
//! HTTP clients): it runs on this one thread, so it must not block it (a blocking interceptor
//! stalls every `Decrypt` of the process) nor call `tokio::task::block_in_place` (which panics
//! on a current-thread runtime, and is then an `ErrorKind::Panicked`).

use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};

use tokio::runtime::{Builder, Handle};
use tokio::task::JoinHandle;

use crate::flight::Panicked;

/// The name of the library's thread.
pub(crate) const THREAD_NAME: &str = "sealed-kms";

/// The runtime's handle; its thread drives it for the rest of the process.
fn handle() -> &'static Handle {
    static HANDLE: OnceLock<Handle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let runtime = Builder::new_current_thread()
            .enable_all()
            // its blocking pool too, so that `on_library_thread` knows it
            .thread_name(THREAD_NAME)
            .build()
            .expect("a current-thread runtime builds (it only allocates)");
        let handle = runtime.handle().clone();
        std::thread::Builder::new()
            .name(THREAD_NAME.to_owned())
            .spawn(move || runtime.block_on(std::future::pending::<()>()))
            .expect("the library's thread starts");
        handle
    })
}

/// Whether the caller runs on the library's thread (an interceptor or credentials provider
/// installed with `set_client`, called from inside an attempt).
pub(crate) fn on_library_thread() -> bool {
    std::thread::current().name() == Some(THREAD_NAME)
}

/// `future`, run on the library's runtime. Dropping the returned future cancels it there.
pub(crate) fn spawn<F>(future: F) -> Spawned<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    Spawned(handle().spawn(future))
}

/// `future`, run on the library's runtime to its end whatever the caller does.
pub(crate) fn detach<F>(future: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    drop(handle().spawn(future));
}

/// A future running on the library's runtime; cancelled when dropped.
pub(crate) struct Spawned<T>(JoinHandle<T>);

impl<T> Future for Spawned<T> {
    type Output = Result<T, Panicked>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // A task is only ever cancelled by dropping this future, so an error is a panic.
        Pin::new(&mut self.0)
            .poll(cx)
            .map(|done| done.map_err(|_| Panicked))
    }
}

impl<T> Drop for Spawned<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Seeds the `fastrand` generator of the library's thread, where every KMS request runs and the
/// SDK's retry strategy draws its back-off jitter, from the OS: after a SnapStart restore, so
/// that two environments restored from one snapshot do not retry in step.
pub(crate) async fn reseed() {
    let seeded = spawn(async {
        if let Ok(seed) = getrandom::u64() {
            fastrand::seed(seed);
        }
    });
    // a panic is not possible here (`getrandom` reports failures as errors)
    let _ = seeded.await;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the library thread's generator gives after `fastrand::seed(42)`, then `reseed`
    /// when `reseeded`.
    async fn drawn_after_seed_42(reseeded: bool) -> u64 {
        spawn(async { fastrand::seed(42) }).await.unwrap();
        if reseeded {
            reseed().await;
        }
        spawn(async { fastrand::u64(..) }).await.unwrap()
    }

    /// Two environments restored from one snapshot hold the same generator state; `reseed`
    /// must replace it on the thread where the SDK draws its jitter (a reseed of the caller's
    /// thread would leave it as the snapshot had it).
    #[tokio::test]
    async fn reseed_replaces_the_state_the_snapshot_copied_on_the_library_thread() {
        let copied = drawn_after_seed_42(false).await;
        assert_eq!(
            copied,
            drawn_after_seed_42(false).await,
            "the same state gives the same draw"
        );
        assert_ne!(drawn_after_seed_42(true).await, copied);
    }
}
