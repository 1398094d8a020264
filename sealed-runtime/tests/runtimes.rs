//! A first access does not depend on the caller's executor: attempts run on the library's own
//! runtime. Against moto with the real SDK, through a client whose interceptor can be told to
//! panic or to be slow:
//!
//! * a panic inside the attempt is an error for every waiter, and the value stays usable;
//! * an attempt outlives the runtime that started it (one `#[tokio::test]` runtime per test);
//! * an executor without a tokio reactor can wait on a first access;
//! * `get_blocking` from synchronous code, and from inside a current-thread runtime (no
//!   deadlock).
#![cfg(feature = "emulator")]

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use aws_sdk_kms::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_kms::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_kms::error::BoxError;
use sealed_runtime::{kms::default_config, set_client, ErrorKind, Sealed};

use sealed_test_support as support;

const CANARY: &str = "canary-runtimes-5e1d";

/// Panics once when told to, sleeps (on the thread sending the request) when told to, counts.
#[derive(Debug)]
struct Faults;

static PANIC_NEXT: AtomicBool = AtomicBool::new(false);
static SLOW_MS: AtomicU64 = AtomicU64::new(0);
static CALLS: AtomicUsize = AtomicUsize::new(0);

impl Intercept for Faults {
    fn name(&self) -> &'static str {
        "faults"
    }
    fn read_before_transmit(
        &self,
        _: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        CALLS.fetch_add(1, Ordering::SeqCst);
        assert!(
            !PANIC_NEXT.swap(false, Ordering::SeqCst),
            "an interceptor that panics"
        );
        std::thread::sleep(Duration::from_millis(SLOW_MS.load(Ordering::SeqCst)));
        Ok(())
    }
}

/// One test at a time: they share the interceptor's switches.
static SERIAL: Mutex<()> = Mutex::new(());

struct Kms {
    client: aws_sdk_kms::Client,
}

/// The emulator's client, and the library's installed with the faulty interceptor. Set up on a
/// throw-away runtime: the library must not need it afterwards.
fn kms() -> &'static Kms {
    static KMS: OnceLock<Kms> = OnceLock::new();
    KMS.get_or_init(|| {
        assert!(
            std::env::var_os("AWS_ENDPOINT_URL_KMS").is_some(),
            "these tests need the KMS emulator: run `eval \"$(scripts/dev-kms)\"` first (scripts/test does)"
        );
        support::captured_logs();
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let config = runtime.block_on(default_config());
        let faulty = config.to_builder().interceptor(Faults).build();
        set_client(&aws_sdk_kms::Client::from_conf(faulty)).expect("installed once");
        Kms {
            client: aws_sdk_kms::Client::from_conf(config),
        }
    })
}

/// A new value sealed under a new key (on a runtime of its own, dropped at once).
fn value() -> &'static Sealed {
    let kms = kms();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let text = runtime.block_on(async {
        let key = support::create_key(&kms.client).await;
        let text = support::encrypt(&kms.client, &key, CANARY.as_bytes(), &[], None).await;
        (key, text)
    });
    Box::leak(Box::new(
        Sealed::builder(text.1).key(text.0).build().unwrap(),
    ))
}

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[test]
fn a_panic_in_the_attempt_is_an_error_for_every_waiter_and_the_value_stays_usable() {
    let _serial = serial();
    let value = value();
    PANIC_NEXT.store(true, Ordering::SeqCst);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let results = runtime.block_on(async {
        let waiters: Vec<_> = (0..10).map(|_| tokio::spawn(value.get())).collect();
        let mut results = Vec::new();
        for waiter in waiters {
            results.push(waiter.await.expect("no waiter panics"));
        }
        results
    });
    for result in &results {
        let error = result.as_ref().unwrap_err();
        assert_eq!(error.kind(), &ErrorKind::Panicked, "{error}");
        assert!(error.to_string().contains("tests/runtimes.rs:"), "{error}");
        assert!(!error.is_transient());
    }
    assert!(value.try_get().is_none());
    let secret = runtime.block_on(value.get()).unwrap();
    assert_eq!(secret.expose_str().unwrap(), CANARY);
    support::assert_no_canary(CANARY.as_bytes(), &format!("{:?}", results[0]));
}

#[test]
fn an_attempt_outlives_the_runtime_that_started_it() {
    let _serial = serial();
    let value = value();
    SLOW_MS.store(300, Ordering::SeqCst);
    let before = CALLS.load(Ordering::SeqCst);
    // a test's runtime starts the first access, then ends while the request is in flight
    let first = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let started = tokio::spawn(value.get());
            tokio::time::sleep(Duration::from_millis(100)).await;
            drop(started);
        });
        drop(runtime);
    });
    std::thread::sleep(Duration::from_millis(50));
    // another test's runtime waits on the same value
    let second = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let secret = second.block_on(value.get());
    first.join().unwrap();
    SLOW_MS.store(0, Ordering::SeqCst);
    assert_eq!(secret.unwrap().expose_str().unwrap(), CANARY);
    assert_eq!(CALLS.load(Ordering::SeqCst) - before, 1, "one Decrypt");
}

/// A minimal executor with no tokio in it: polls on this thread, parks between wake-ups.
fn block_on_without_tokio<F: Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut context = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        std::thread::park();
    }
}

#[test]
fn an_executor_without_a_tokio_reactor_can_wait_on_a_first_access() {
    let _serial = serial();
    let value = value();
    let secret = block_on_without_tokio(value.get()).unwrap();
    assert_eq!(secret.expose_str().unwrap(), CANARY);
    assert!(std::ptr::eq(value.try_get().unwrap(), secret));
}

#[test]
fn get_blocking_from_sync_code_and_from_inside_a_runtime() {
    let _serial = serial();
    let sync = value();
    let before = CALLS.load(Ordering::SeqCst);
    assert_eq!(sync.get_blocking().unwrap().expose_str().unwrap(), CANARY);
    assert_eq!(sync.get_blocking().unwrap().len(), CANARY.len());
    assert_eq!(
        CALLS.load(Ordering::SeqCst) - before,
        1,
        "a memory read afterwards"
    );
    // inside a current-thread runtime: it blocks that thread until KMS answers, no deadlock
    let inside = value();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let secret = runtime.block_on(async { inside.get_blocking() }).unwrap();
    assert_eq!(secret.expose_str().unwrap(), CANARY);
    // single flight with async waiters: 20 threads block, 20 tasks await, one Decrypt
    let shared = value();
    let before = CALLS.load(Ordering::SeqCst);
    SLOW_MS.store(100, Ordering::SeqCst);
    let threads: Vec<_> = (0..20)
        .map(|_| std::thread::spawn(move || shared.get_blocking().map(sealed_runtime::Secret::len)))
        .collect();
    let tasks = runtime.block_on(async {
        let tasks: Vec<_> = (0..20).map(|_| tokio::spawn(shared.get())).collect();
        let mut lens = Vec::new();
        for task in tasks {
            lens.push(task.await.unwrap().map(sealed_runtime::Secret::len));
        }
        lens
    });
    SLOW_MS.store(0, Ordering::SeqCst);
    for len in threads.into_iter().map(|t| t.join().unwrap()).chain(tasks) {
        assert_eq!(len.unwrap(), CANARY.len());
    }
    assert_eq!(
        CALLS.load(Ordering::SeqCst) - before,
        1,
        "one Decrypt for 40 waiters"
    );
}
