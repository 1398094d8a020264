//! Hot access: `Sealed::get()` and `try_get()` after the first decrypt, against
//! `std::sync::OnceLock::get` on the same data and `std::env::var` (what many functions do with a
//! plaintext in their environment). `get()` is polled once with a no-op waker: after the first
//! decrypt it completes on its first poll, so no executor cost is counted.
//!
//! And `bundle_open`: the first access of a bundle value once its bundle's private key is
//! unwrapped, which is the local HPKE open (one P-256 ECDH, the key schedule, AES-256-GCM) that
//! every value of a bundle costs once per process.

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::OnceLock;
use std::task::{Context, Poll, Waker};

use aws_sdk_kms::operation::decrypt::DecryptOutput;
use aws_sdk_kms::primitives::Blob;
use aws_smithy_mocks::{mock, mock_client, RuleMode};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use sealed_runtime::{sealed, Sealed};

static SECRET: Sealed = sealed!(
    "AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=",
    key = "alias/bench",
);
/// A value of a bundle (`secrets/hot.bundle`: its wrapped private key is a structurally valid
/// KMS ciphertext, and the mock answers [`HOT_PRIVATE_KEY`] for it; its value was sealed to the
/// public key by `cargo sealed bundle set`).
static BUNDLED: Sealed = sealed!(
    bundle = "secrets/hot.bundle",
    name = "bench_value",
    key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    readers = ["key arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab C8O6ErL9WL_W2g_yazqUcF-zG9TUxZUJs1y3mXWsJLA"],
);
static ONCE: OnceLock<Vec<u8>> = OnceLock::new();
/// The PKCS#8 private key of `secrets/hot.bundle`, known here only because it is a benchmark's.
const HOT_PRIVATE_KEY: &str = "308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420c3cc3811c3d0baafef4f3fcc0c810b8fe812a2080cd48a2221f0fda66f9f84ffa144034200040804372ad0390079253a71897394df6198ce3170110ba543211c2db3da5e860c44835f5e05a059cd5b0e9e1544a270fe5a89c338749acf6a37c9ccc93591fb9d";
/// A `OnceLock` reached through a `&'static` handle, as `Sealed` reaches its cell: the cost of
/// the one extra load that lets a `const` `Sealed` refer to a single value.
static ONCE_HANDLE: &OnceLock<Vec<u8>> = &ONCE;

/// Installs the mock KMS and opens every value, once for all the benchmark groups.
fn decrypt_once() {
    static DONE: std::sync::Once = std::sync::Once::new();
    DONE.call_once(install_and_open);
}

fn install_and_open() {
    let rule = mock!(aws_sdk_kms::Client::decrypt).then_output(|| {
        DecryptOutput::builder()
            .key_id("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
            .plaintext(Blob::new(&b"hunter2hunter2"[..]))
            .build()
    });
    let private_key = mock!(aws_sdk_kms::Client::decrypt)
        .match_requests(|request| {
            request.ciphertext_blob().map(Blob::as_ref) == Some(BUNDLED.ciphertext())
        })
        .then_output(|| {
            DecryptOutput::builder()
                .key_id(
                    "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                )
                .plaintext(Blob::new(hex::decode(HOT_PRIVATE_KEY).unwrap()))
                .build()
        });
    sealed_runtime::set_client(&mock_client!(
        aws_sdk_kms,
        RuleMode::MatchAny,
        [&private_key, &rule]
    ))
    .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(SECRET.get()).unwrap();
    let opened = runtime.block_on(BUNDLED.get()).unwrap();
    assert_eq!(
        opened.len(),
        14,
        "the bundle value opens with the mock's private key"
    );
    ONCE.set(b"hunter2hunter2".to_vec()).unwrap();
    std::env::set_var("SEALED_BENCH_SECRET", "hunter2hunter2");
}

fn hot_access(c: &mut Criterion) {
    decrypt_once();
    let mut context = Context::from_waker(Waker::noop());
    let mut group = c.benchmark_group("hot_access");
    group.bench_function("sealed_get", |b| {
        b.iter(|| {
            let future = pin!(black_box(&SECRET).get());
            match future.poll(&mut context) {
                Poll::Ready(Ok(secret)) => black_box(secret.expose().len()),
                _ => unreachable!("decrypted before the benchmark"),
            }
        });
    });
    group.bench_function("sealed_try_get", |b| {
        b.iter(|| {
            black_box(&SECRET)
                .try_get()
                .map(|s| black_box(s.expose().len()))
        });
    });
    group.bench_function("bundle_value_get", |b| {
        b.iter(|| {
            let future = pin!(black_box(&BUNDLED).get());
            match future.poll(&mut context) {
                Poll::Ready(Ok(secret)) => black_box(secret.expose().len()),
                _ => unreachable!("decrypted before the benchmark"),
            }
        });
    });
    group.bench_function("bundle_value_try_get", |b| {
        b.iter(|| {
            black_box(&BUNDLED)
                .try_get()
                .map(|s| black_box(s.expose().len()))
        });
    });
    group.bench_function("oncelock_get", |b| {
        b.iter(|| black_box(&ONCE).get().map(|v| black_box(v.len())));
    });
    group.bench_function("oncelock_get_via_handle", |b| {
        b.iter(|| black_box(&ONCE_HANDLE).get().map(|v| black_box(v.len())));
    });
    group.bench_function("env_var", |b| {
        b.iter(|| std::env::var(black_box("SEALED_BENCH_SECRET")).map(|v| black_box(v.len())));
    });
    group.finish();
}

fn bundle_open(c: &mut Criterion) {
    decrypt_once();
    let text = include_str!("../secrets/hot.bundle");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("bundle_open");
    group.bench_function("first_get_after_unwrap", |b| {
        b.iter_batched(
            // a new value of the same bundle: its private key is already unwrapped, the value
            // not yet opened (built outside the measurement)
            || {
                &*Box::leak(Box::new(
                    Sealed::from_bundle(text, "bench_value")
                        .expect_key("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
                        .expect_readers(["key arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab C8O6ErL9WL_W2g_yazqUcF-zG9TUxZUJs1y3mXWsJLA"])
                        .build()
                        .unwrap(),
                ))
            },
            // the first access as a caller meets it: handed to the library's runtime, opened
            // there (one P-256 ECDH, the key schedule, AES-256-GCM), handed back
            |value: &'static Sealed| black_box(runtime.block_on(value.get()).unwrap().len()),
            BatchSize::SmallInput,
        );
    });
    group.finish();
}

criterion_group!(benches, hot_access, bundle_open);
criterion_main!(benches);
