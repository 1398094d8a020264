//! S4: plaintext buffers the library owns are zeroed when freed, on every path: a response for
//! another key, a non-UTF-8 plaintext, a dry run a server answers with the plaintext, a first
//! access cancelled at each of its await points, an attempt that times out with its response in
//! flight, and an operation that times out altogether; and for bundles, the private key KMS
//! unwraps (its PKCS#8 and its scalar) whether it matches the file's public key or not, and the
//! values opened with it. A checking global allocator (the pattern of the `zeroize` crate's
//! `tests/alloc.rs`) looks for the canary plaintext and the bundle's private scalar in every
//! block freed while it is armed.
//!
//! KMS is a fake HTTP connector under the real SDK stack: it answers JSON with the plaintext
//! base64-encoded, as KMS does, so the SDK's own deserializer makes the raw plaintext (the copy
//! the library takes over), and the timeouts and retries are the SDK's.
//!
//! Out of reach, and so not checked here: the response body itself (base64 text, freed by the
//! SDK's HTTP stack without zeroing), and copies the program makes itself after `expose()`.
#![allow(unsafe_code)] // a global allocator cannot be written without it

use std::alloc::{GlobalAlloc, Layout, System};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::task::Poll;
use std::time::Duration;

use aws_sdk_kms::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_runtime_api::client::http::{
    http_client_fn, HttpConnector, HttpConnectorFuture, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use base64::Engine as _;
use sealed_runtime::{set_client, ErrorKind, KmsSettings, Sealed};
use zeroize::Zeroizing;

const CANARY: &[u8] = b"zeroize-canary-9d41c7e2b05a";
/// Holds [`CANARY`], so the checker finds it too.
const NOT_UTF8: &[u8] = b"zeroize-canary-9d41c7e2b05a\xff\xfe-not-utf8";

/// The private scalar of `bench/secrets/hot.bundle`'s key pair ([`HOT_PRIVATE_KEY`] holds it).
const SCALAR: [u8; 32] = [
    0xc3, 0xcc, 0x38, 0x11, 0xc3, 0xd0, 0xba, 0xaf, 0xef, 0x4f, 0x3f, 0xcc, 0x0c, 0x81, 0x0b, 0x8f,
    0xe8, 0x12, 0xa2, 0x08, 0x0c, 0xd4, 0x8a, 0x22, 0x21, 0xf0, 0xfd, 0xa6, 0x6f, 0x9f, 0x84, 0xff,
];
/// The PKCS#8 private key of `bench/secrets/hot.bundle` (a benchmark's key pair).
const HOT_PRIVATE_KEY: &str = "308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420c3cc3811c3d0baafef4f3fcc0c810b8fe812a2080cd48a2221f0fda66f9f84ffa144034200040804372ad0390079253a71897394df6198ce3170110ba543211c2db3da5e860c44835f5e05a059cd5b0e9e1544a270fe5a89c338749acf6a37c9ccc93591fb9d";

/// [`HOT_PRIVATE_KEY`]'s bytes, decoded once before the checker is armed (decoding allocates
/// and frees blocks that hold parts of it).
static PRIVATE_KEY: std::sync::LazyLock<Vec<u8>> =
    std::sync::LazyLock::new(|| hex::decode(HOT_PRIVATE_KEY).unwrap());

static ARMED: AtomicBool = AtomicBool::new(false);
static FREED_WITH_CANARY: AtomicUsize = AtomicUsize::new(0);

struct Checking;

// SAFETY: every call is forwarded to `System` unchanged; `dealloc` only reads the block it is
// about to free, which is valid for `layout.size()` bytes.
unsafe impl GlobalAlloc for Checking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ARMED.load(Ordering::SeqCst) && layout.size() >= CANARY.len().min(SCALAR.len()) {
            let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
            if block.windows(CANARY.len()).any(|window| window == CANARY)
                || block.windows(SCALAR.len()).any(|window| window == SCALAR)
            {
                FREED_WITH_CANARY.fetch_add(1, Ordering::SeqCst);
            }
        }
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Checking = Checking;

fn freed() -> usize {
    FREED_WITH_CANARY.load(Ordering::SeqCst)
}

const OTHER: &str = "arn:aws:kms:us-east-1:111122223333:key/99999999-12ab-34cd-56ef-1234567890ab";
const PINNED: &str = "arn:aws:kms:us-east-1:111122223333:key/11111111-12ab-34cd-56ef-1234567890ab";
const CIPHERTEXT: &str = "AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=";

/// What the fake KMS answers.
const ANSWER: u8 = 0;
const ANSWER_OTHER_KEY: u8 = 1;
const ANSWER_NOT_UTF8: u8 = 2;
const ANSWER_PRIVATE_KEY: u8 = 3;

static MODE: AtomicU8 = AtomicU8::new(ANSWER);
/// How many more attempts answer only after [`LATE_BY`].
static LATE: AtomicUsize = AtomicUsize::new(0);
/// When not 0: each answer yields `GATE - 1` times, then waits for ever (a cancellation point),
/// saying so in `REACHED`.
static GATE: AtomicUsize = AtomicUsize::new(0);
static REACHED: AtomicUsize = AtomicUsize::new(0);
/// How many answers (finished or cancelled) were dropped.
static DROPPED: AtomicUsize = AtomicUsize::new(0);

struct CountDrop;

impl Drop for CountDrop {
    fn drop(&mut self) {
        DROPPED.fetch_add(1, Ordering::SeqCst);
    }
}
static CALLS: AtomicUsize = AtomicUsize::new(0);

const SETTINGS: KmsSettings = KmsSettings {
    connect_timeout: Duration::from_millis(100),
    attempt_timeout: Duration::from_millis(200),
    operation_timeout: Duration::from_millis(1500),
    max_attempts: 3,
    initial_backoff: Duration::from_millis(10),
    max_backoff: Duration::from_millis(100),
};
const LATE_BY: Duration = Duration::from_millis(400);

#[derive(Debug)]
struct FakeKms;

impl HttpConnector for FakeKms {
    fn call(&self, _request: HttpRequest) -> HttpConnectorFuture {
        CALLS.fetch_add(1, Ordering::SeqCst);
        let (key, plaintext) = match MODE.load(Ordering::SeqCst) {
            ANSWER_OTHER_KEY => (OTHER, CANARY),
            ANSWER_NOT_UTF8 => (PINNED, NOT_UTF8),
            ANSWER_PRIVATE_KEY => (PINNED, &PRIVATE_KEY[..]),
            _ => (PINNED, CANARY),
        };
        let late = LATE
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        let gate = GATE.load(Ordering::SeqCst);
        // the response exists (base64, as KMS sends it) before the wait: a late answer is a
        // response in flight when the attempt times out
        let json = format!(
            r#"{{"KeyId":"{key}","Plaintext":"{}","EncryptionAlgorithm":"SYMMETRIC_DEFAULT"}}"#,
            base64::engine::general_purpose::STANDARD.encode(plaintext)
        );
        HttpConnectorFuture::new(async move {
            let _dropped = CountDrop;
            if gate > 0 {
                for _ in 1..gate {
                    tokio::task::yield_now().await;
                }
                REACHED.store(gate, Ordering::SeqCst);
                std::future::pending::<()>().await;
            }
            if late {
                tokio::time::sleep(LATE_BY).await;
            }
            let mut response =
                HttpResponse::new(StatusCode::try_from(200).unwrap(), SdkBody::from(json));
            response
                .headers_mut()
                .insert("content-type", "application/x-amz-json-1.1");
            Ok(response)
        })
    }
}

fn value() -> Sealed {
    Sealed::builder(CIPHERTEXT).key(PINNED).build().unwrap()
}

/// `bench/secrets/hot.bundle`, under [`PINNED`], with the value `canary` sealed to its public key (and, with
/// `other_public_key`, that line replaced by another bundle's: the key check then fails).
fn bundle_text(other_public_key: bool) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = std::fs::read_to_string(root.join("bench/secrets/hot.bundle")).unwrap();
    let mut bundle = sealed_format::Bundle::parse(&text).unwrap();
    // under the key the fake KMS answers for
    PINNED.clone_into(&mut bundle.key);
    let generation = bundle.next_generation().unwrap();
    let sealed =
        sealed_runtime::__tools::seal_value(&bundle, "canary", generation, CANARY).unwrap();
    bundle.set("canary", generation, sealed).unwrap();
    let text = bundle.render();
    if !other_public_key {
        return text;
    }
    let other = std::fs::read_to_string(root.join("tests/tests/fixtures/app.bundle")).unwrap();
    let line = |text: &str| {
        text.lines()
            .find(|l| l.starts_with("public-key "))
            .unwrap()
            .to_owned()
    };
    text.replace(&line(&text), &line(&other))
}

/// The readers of the bundle `text`, as a program pins them.
fn readers_of(text: &str) -> Vec<String> {
    sealed_format::Readers::of_bundle(&sealed_format::Bundle::parse(text).unwrap()).pins()
}

fn calls() -> usize {
    CALLS.load(Ordering::SeqCst)
}

/// Polls `future` once.
async fn poll_once<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut *future).poll(cx))).await
}

/// The fake KMS as the library's client, with short timeouts and quick retries.
fn install_fake_kms() {
    let config = aws_sdk_kms::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .http_client(http_client_fn(|_, _| SharedHttpConnector::new(FakeKms)))
        .timeout_config(SETTINGS.timeout_config())
        .retry_config(SETTINGS.retry_config())
        .build();
    set_client(&aws_sdk_kms::Client::from_conf(config)).unwrap();
}

/// Waits (at most 5 s) until `done()`.
async fn until(what: &str, done: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !done() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting: {what}"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// A first access cancelled while its request waits at each of 8 points (the request yields
/// 0, 1, … 7 times first), the attempt dropped on the library's runtime before the check;
/// returns how many points it was cancelled at. Each cancelled value then decrypts.
async fn cancel_at_every_await_point() -> usize {
    let mut cancelled_at = 0;
    let mut cancelled = Vec::new();
    for gate in 1..=8 {
        GATE.store(gate, Ordering::SeqCst);
        REACHED.store(0, Ordering::SeqCst);
        let value = value();
        let dropped = DROPPED.load(Ordering::SeqCst);
        let mut access = Box::pin(value.get());
        assert!(poll_once(&mut access).await.is_pending());
        until("the request at its gate", || {
            REACHED.load(Ordering::SeqCst) == gate
        })
        .await;
        drop(access);
        until("the cancelled request dropped", || {
            DROPPED.load(Ordering::SeqCst) > dropped
        })
        .await;
        assert!(
            value.try_get().is_none(),
            "a cancelled access set the value"
        );
        cancelled_at += 1;
        cancelled.push(value);
    }
    GATE.store(0, Ordering::SeqCst);
    for value in cancelled {
        assert_eq!(value.get().await.unwrap().expose(), CANARY);
    }
    cancelled_at
}

#[test]
fn plaintext_buffers_are_zeroed_when_freed_on_every_path() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        install_fake_kms();
        // warm up the client (identity, endpoint resolution) outside the armed window
        assert_eq!(value().get().await.unwrap().expose(), CANARY);
        assert_eq!(PRIVATE_KEY.len(), 138);
        let (good, swapped) = (bundle_text(false), bundle_text(true));

        ARMED.store(true, Ordering::SeqCst);

        // the checker sees a plain Vec freed with the canary, and not a zeroized one
        let before = freed();
        drop(CANARY.to_vec());
        assert_eq!(freed(), before + 1, "the checking allocator does not work");
        drop(Zeroizing::new(CANARY.to_vec()));
        assert_eq!(freed(), before + 1, "Zeroizing did not zero");
        let none_freed = |path: &str| {
            assert_eq!(
                freed(),
                before + 1,
                "{path}: a plaintext was freed unzeroed"
            );
        };

        // a response for another key than the pinned one: the plaintext received is dropped
        MODE.store(ANSWER_OTHER_KEY, Ordering::SeqCst);
        let mismatched = value();
        for _ in 0..10 {
            let error = mismatched.get().await.unwrap_err();
            assert!(
                matches!(error.kind(), ErrorKind::KeyMismatch { .. }),
                "{error}"
            );
        }
        none_freed("wrong key");

        // a plaintext that is not UTF-8: kept (for `expose`), and the error holds no copy
        MODE.store(ANSWER_NOT_UTF8, Ordering::SeqCst);
        let binary = value().get().await.unwrap();
        for _ in 0..10 {
            let error = binary.expose_str().unwrap_err();
            assert!(matches!(error.kind(), ErrorKind::NotUtf8 { .. }), "{error}");
            let text = format!("{error} {error:?} {binary:?}");
            assert!(!text.contains("zeroize-canary"), "{text}");
        }
        assert_eq!(binary.expose(), NOT_UTF8);
        none_freed("not UTF-8");

        // a dry run the server answers with the plaintext anyway (as moto does): dropped unread
        MODE.store(ANSWER, Ordering::SeqCst);
        for _ in 0..10 {
            value().verify().await.unwrap();
        }
        none_freed("dry run");

        // a first access cancelled after 1, 2, … polls, until one poll sequence completes
        let cancelled_at = cancel_at_every_await_point().await;
        assert_eq!(cancelled_at, 8, "cancellation points");
        none_freed("cancellation");

        // the first attempt times out with its response in flight; the retry succeeds
        LATE.store(1, Ordering::SeqCst);
        let calls_before = calls();
        assert_eq!(value().get().await.unwrap().expose(), CANARY);
        assert_eq!(
            calls() - calls_before,
            2,
            "one timed-out attempt, one retry"
        );
        none_freed("attempt timeout");

        // a bundle: the private key unwrapped, checked against the file's public key, the value
        // opened with it; and a file whose public key is another's, refused each time
        MODE.store(ANSWER_PRIVATE_KEY, Ordering::SeqCst);
        for _ in 0..10 {
            // pinned as the file says (a reviewer who pinned the swapped key pair): the run-time
            // key check is what refuses it
            let refused = Sealed::from_bundle(swapped.clone(), "canary")
                .expect_key(PINNED)
                .expect_readers(readers_of(&swapped))
                .build()
                .unwrap();
            let error = refused.get().await.unwrap_err();
            assert_eq!(error.kind(), &ErrorKind::BundleKeyMismatch, "{error}");
        }
        none_freed("bundle key mismatch");
        for _ in 0..10 {
            let opened = Sealed::from_bundle(good.clone(), "canary")
                .expect_key(PINNED)
                .expect_readers(readers_of(&good))
                .build()
                .unwrap();
            assert_eq!(opened.get().await.unwrap().expose(), CANARY);
        }
        none_freed("bundle value opened");
        MODE.store(ANSWER, Ordering::SeqCst);

        // every attempt times out: the error, and nothing kept
        LATE.store(3, Ordering::SeqCst);
        let timed_out = value();
        let error = timed_out.get().await.unwrap_err();
        assert_eq!(error.kind(), &ErrorKind::TimedOut, "{error}");
        assert_eq!(error.attempts(), Some(3), "{error}");
        assert!(timed_out.try_get().is_none());
        none_freed("timeout");

        ARMED.store(false, Ordering::SeqCst);
        println!(
            "zeroize: {cancelled_at} cancellation points, {} calls",
            calls()
        );
    });
}
