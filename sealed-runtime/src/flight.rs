//! Single flight: a value computed at most once at a time, shared by every caller that asks
//! while it is being computed; kept once it succeeds, forgotten when it fails.
//!
//! * Callers that arrive while an attempt is in flight join it and receive its result, failure
//!   included (an `E: Clone`), instead of each paying for an attempt of their own.
//! * A finished attempt is forgotten, so a failure is never cached: the next call starts afresh.
//! * Only a weak handle to the attempt is kept: when every caller waiting on it is cancelled,
//!   the attempt is dropped (and whatever it was doing with it), and the cell stays empty.
//! * A panic inside the attempt becomes an `E` (through `From<Panicked>`) for every waiter; the
//!   cell stays usable.
//! * The value is checked again under the lock before an attempt is started, so a caller that
//!   saw the cell empty just before an attempt filled it never starts a second one.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

use futures_util::future::{FutureExt as _, WeakShared};

/// An attempt panicked: the error each of its waiters gets instead (through `From<Panicked>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Panicked;

type AttemptFuture<E> = Pin<Box<dyn Future<Output = Result<(), E>> + Send>>;

/// A cell filled at most once, by single-flight attempts.
pub(crate) struct SingleFlight<T, E> {
    value: OnceLock<T>,
    flight: Mutex<Option<(u64, WeakShared<AttemptFuture<E>>)>>,
    #[cfg(test)]
    before_lock: Mutex<Option<std::sync::Arc<dyn Fn() + Send + Sync>>>,
}

static NEXT_ATTEMPT: AtomicU64 = AtomicU64::new(0);

impl<T, E> SingleFlight<T, E>
where
    T: Send + Sync + 'static,
    E: Clone + From<Panicked> + Send + Sync + 'static,
{
    pub(crate) const fn new() -> Self {
        SingleFlight {
            value: OnceLock::new(),
            flight: Mutex::new(None),
            #[cfg(test)]
            before_lock: Mutex::new(None),
        }
    }

    /// The value, once an attempt has filled it.
    #[inline]
    pub(crate) fn get(&self) -> Option<&T> {
        self.value.get()
    }

    /// Fills the cell with `value`, computed at once outside any attempt; a value already there
    /// (from an attempt, or another caller) stays, and `value` is dropped. The value in the cell.
    pub(crate) fn fill(&self, value: T) -> &T {
        self.value.get_or_init(move || value)
    }

    /// The value; if the cell is empty, joins the attempt in flight or starts one with
    /// `start()`. `start` is called only by the caller that starts an attempt.
    pub(crate) async fn get_or_try_init<F, Fut>(&'static self, start: F) -> Result<&'static T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
    {
        if let Some(value) = self.value.get() {
            return Ok(value);
        }
        #[cfg(test)]
        {
            let pause = self.before_lock.lock().unwrap().clone();
            if let Some(pause) = pause {
                pause();
            }
        }
        let attempt = {
            let mut flight = self.flight.lock().unwrap_or_else(PoisonError::into_inner);
            // Again under the lock: an attempt may have filled the cell (and forgotten itself)
            // since the check above.
            if let Some(value) = self.value.get() {
                return Ok(value);
            }
            if let Some(attempt) = flight.as_ref().and_then(|(_, weak)| weak.upgrade()) {
                attempt
            } else {
                let id = NEXT_ATTEMPT.fetch_add(1, Ordering::Relaxed);
                let attempt = self.attempt(id, start()).boxed().shared();
                *flight = attempt.downgrade().map(|weak| (id, weak));
                attempt
            }
        };
        attempt.await?;
        // Only an attempt that filled the cell ends with `Ok`.
        Ok(self
            .value
            .get()
            .expect("a successful attempt fills the cell"))
    }

    /// The attempt `id`: runs `work`, fills the cell with its value, and forgets itself.
    async fn attempt(
        &'static self,
        id: u64,
        work: impl Future<Output = Result<T, E>> + Send + 'static,
    ) -> Result<(), E> {
        let result = match AssertUnwindSafe(work).catch_unwind().await {
            Ok(Ok(value)) => {
                // Only the attempt in flight fills the cell, so it is empty; were it not,
                // `value` would be dropped.
                let _ = self.value.set(value);
                Ok(())
            }
            Ok(Err(error)) => Err(error),
            Err(_panic) => Err(E::from(Panicked)),
        };
        // Forget this attempt as it completes: later calls start afresh.
        let mut flight = self.flight.lock().unwrap_or_else(PoisonError::into_inner);
        if flight.as_ref().is_some_and(|(current, _)| *current == id) {
            *flight = None;
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::sync::atomic::AtomicUsize;
    use std::sync::mpsc;
    use std::sync::Arc;

    use futures_util::future::join_all;
    use tokio::sync::oneshot;

    #[derive(Clone, Debug, PartialEq, Eq)]
    enum Failure {
        Said(&'static str),
        Panicked,
    }

    impl From<Panicked> for Failure {
        fn from(_: Panicked) -> Self {
            Failure::Panicked
        }
    }

    fn leak() -> &'static SingleFlight<u32, Failure> {
        Box::leak(Box::new(SingleFlight::new()))
    }

    #[tokio::test]
    async fn concurrent_callers_join_one_attempt() {
        let cell = leak();
        let starts = Arc::new(AtomicUsize::new(0));
        let (release, released) = oneshot::channel::<()>();
        let released = released.shared();
        let callers = (0..100).map(|_| {
            let starts = starts.clone();
            let released = released.clone();
            cell.get_or_try_init(move || {
                starts.fetch_add(1, Ordering::SeqCst);
                async move {
                    let _ = released.await;
                    Ok(7)
                }
            })
        });
        let all = tokio::spawn(join_all(callers));
        tokio::task::yield_now().await;
        release.send(()).unwrap();
        for result in all.await.unwrap() {
            assert_eq!(result, Ok(&7));
        }
        assert_eq!(starts.load(Ordering::SeqCst), 1);
        assert_eq!(cell.get(), Some(&7));
    }

    #[tokio::test]
    async fn waiters_share_a_failure_and_the_next_call_starts_afresh() {
        let cell = leak();
        let starts = Arc::new(AtomicUsize::new(0));
        let (release, released) = oneshot::channel::<()>();
        let released = released.shared();
        let callers = join_all((0..10).map(|_| {
            let starts = starts.clone();
            let released = released.clone();
            cell.get_or_try_init(move || {
                starts.fetch_add(1, Ordering::SeqCst);
                async move {
                    let _ = released.await;
                    Err(Failure::Said("no"))
                }
            })
        }));
        let callers = tokio::spawn(callers);
        tokio::task::yield_now().await;
        release.send(()).unwrap();
        let results = callers.await.unwrap();
        assert!(results.iter().all(|r| r == &Err(Failure::Said("no"))));
        assert_eq!(
            starts.load(Ordering::SeqCst),
            1,
            "one attempt for ten callers"
        );
        assert_eq!(cell.get(), None, "a failure is not cached");
        assert_eq!(cell.get_or_try_init(|| async { Ok(3) }).await, Ok(&3));
    }

    #[tokio::test]
    async fn an_attempt_whose_callers_are_all_cancelled_is_dropped() {
        struct Guard(Arc<AtomicUsize>);
        impl Drop for Guard {
            fn drop(&mut self) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        let cell = leak();
        let dropped = Arc::new(AtomicUsize::new(0));
        let guard = Guard(dropped.clone());
        let first = tokio::spawn(cell.get_or_try_init(move || async move {
            let _guard = guard;
            std::future::pending::<Result<u32, Failure>>().await
        }));
        tokio::task::yield_now().await;
        first.abort();
        assert!(first.await.unwrap_err().is_cancelled());
        assert_eq!(dropped.load(Ordering::SeqCst), 1, "the attempt was dropped");
        assert_eq!(cell.get(), None);
        assert_eq!(cell.get_or_try_init(|| async { Ok(5) }).await, Ok(&5));
    }

    #[tokio::test]
    async fn a_panic_is_an_error_for_every_waiter_and_the_cell_stays_usable() {
        let cell = leak();
        let results = join_all((0..5).map(|_| {
            cell.get_or_try_init(|| async {
                tokio::task::yield_now().await;
                panic!("a credentials provider that panics");
            })
        }))
        .await;
        assert!(
            results.iter().all(|r| r == &Err(Failure::Panicked)),
            "{results:?}"
        );
        assert_eq!(cell.get_or_try_init(|| async { Ok(9) }).await, Ok(&9));
    }

    /// The race: a caller sees the cell empty, an attempt then fills it and forgets itself, and
    /// only then does the caller take the lock. It must find the value, not start a second
    /// attempt. The pause point holds the caller between its first look and the lock.
    #[test]
    fn a_caller_that_saw_the_cell_empty_before_an_attempt_finished_starts_no_second_one() {
        let cell = leak();
        let starts = Arc::new(AtomicUsize::new(0));
        let (saw_empty, paused) = mpsc::channel::<()>();
        let (go, wait) = mpsc::channel::<()>();
        let wait = Mutex::new(wait);
        *cell.before_lock.lock().unwrap() = Some(Arc::new(move || {
            saw_empty.send(()).unwrap();
            wait.lock().unwrap().recv().unwrap();
        }));
        let late_starts = starts.clone();
        let late = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap();
            runtime.block_on(cell.get_or_try_init(move || {
                late_starts.fetch_add(1, Ordering::SeqCst);
                async { Err(Failure::Said("a second attempt")) }
            }))
        });
        // the late caller has seen the cell empty and is held before the lock
        paused.recv().unwrap();
        *cell.before_lock.lock().unwrap() = None;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let first_starts = starts.clone();
        let first = runtime.block_on(cell.get_or_try_init(move || {
            first_starts.fetch_add(1, Ordering::SeqCst);
            async { Ok(1) }
        }));
        assert_eq!(first, Ok(&1));
        assert!(
            cell.flight.lock().unwrap().is_none(),
            "the attempt forgot itself"
        );
        go.send(()).unwrap();
        assert_eq!(
            late.join().unwrap(),
            Ok(&1),
            "the late caller sees the value"
        );
        assert_eq!(starts.load(Ordering::SeqCst), 1, "no second attempt");
    }
}
