//! Hot access: `Sealed::get()` and `try_get()` after the first decrypt, against
//! `std::sync::OnceLock::get` on the same data and `std::env::var` (what many functions do with a
//! plaintext in their environment). `get()` is polled once with a no-op waker: after the first
//! decrypt it completes on its first poll, so no executor cost is counted.

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::OnceLock;
use std::task::{Context, Poll, Waker};

use aws_sdk_kms::operation::decrypt::DecryptOutput;
use aws_sdk_kms::primitives::Blob;
use aws_smithy_mocks::{mock, mock_client, RuleMode};
use criterion::{criterion_group, criterion_main, Criterion};
use sealed_runtime::{sealed, Sealed};

static SECRET: Sealed = sealed!(
    "AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=",
    key = "alias/bench",
);
/// A value of a bundle (`secrets/hot.bundle`: its data key is a sample KMS ciphertext, its value
/// sealed under the 32 bytes the mock answers for it).
static BUNDLED: Sealed = sealed!(bundle = "secrets/hot.bundle", name = "bench_value");
static ONCE: OnceLock<Vec<u8>> = OnceLock::new();
/// A `OnceLock` reached through a `&'static` handle, as `Sealed` reaches its cell: the cost of
/// the one extra load that lets a `const` `Sealed` refer to a single value.
static ONCE_HANDLE: &OnceLock<Vec<u8>> = &ONCE;

fn decrypt_once() {
    let rule = mock!(aws_sdk_kms::Client::decrypt).then_output(|| {
        DecryptOutput::builder()
            .key_id("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
            .plaintext(Blob::new(&b"hunter2hunter2"[..]))
            .build()
    });
    let data_key = mock!(aws_sdk_kms::Client::decrypt)
        .match_requests(|request| {
            request.ciphertext_blob().map(Blob::as_ref) == Some(BUNDLED.ciphertext())
        })
        .then_output(|| {
            DecryptOutput::builder()
                .key_id(
                    "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                )
                .plaintext(Blob::new(vec![7u8; 32]))
                .build()
        });
    sealed_runtime::set_client(&mock_client!(
        aws_sdk_kms,
        RuleMode::MatchAny,
        [&data_key, &rule]
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
        "the bundle value opens with the mock's data key"
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

criterion_group!(benches, hot_access);
criterion_main!(benches);
