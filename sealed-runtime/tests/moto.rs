//! Against a real KMS-compatible server: the moto emulator that `scripts/dev-kms` starts
//! (`eval "$(scripts/dev-kms)"`, then `cargo test -p sealed-runtime --features emulator`).
//! Emulator ciphertexts exist only while the server runs, so values are built at run time.
#![cfg(feature = "emulator")]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use sealed_runtime::{kms::default_config, set_client, ErrorKind, Sealed};
use tokio::sync::Mutex;

use sealed_test_support as support;

use support::{create_key, Calls};

const CANARY: &str = "canary-7f3a9c-hello, world!";

struct Kms {
    client: aws_sdk_kms::Client,
    calls: Arc<AtomicUsize>,
    sent: support::Sent,
}

/// One test at a time: they share the library's client and its call counter.
static SERIAL: Mutex<()> = Mutex::const_new(());

async fn kms() -> &'static Kms {
    static KMS: OnceLock<Kms> = OnceLock::new();
    if let Some(kms) = KMS.get() {
        return kms;
    }
    assert!(
        std::env::var_os("AWS_ENDPOINT_URL_KMS").is_some(),
        "these tests need the KMS emulator: run `eval \"$(scripts/dev-kms)\"` first (scripts/test does)"
    );
    support::captured_logs();
    let config = default_config().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let sent = support::Sent::default();
    let counted = config
        .to_builder()
        .interceptor(Calls(calls.clone()))
        .interceptor(sent.clone())
        .build();
    set_client(&aws_sdk_kms::Client::from_conf(counted)).expect("installed once");
    let _ = KMS.set(Kms {
        client: aws_sdk_kms::Client::from_conf(config),
        calls,
        sent,
    });
    KMS.get().unwrap()
}

impl Kms {
    async fn key(&self) -> String {
        create_key(&self.client).await
    }

    async fn seal(&self, key: &str, context: &[(&str, &str)]) -> String {
        support::encrypt(&self.client, key, CANARY.as_bytes(), context, None).await
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

fn leak(value: Sealed) -> &'static Sealed {
    Box::leak(Box::new(value))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_trip_with_context_then_memory_reads() {
    let _serial = SERIAL.lock().await;
    let kms = kms().await;
    let key = kms.key().await;
    let text = kms.seal(&key, &[("app", "billing")]).await;
    let value = Sealed::builder(text)
        .key(&key)
        .context("app", "billing")
        .build()
        .unwrap();
    let before = kms.calls();
    let secret = value.get().await.unwrap();
    assert_eq!(secret.expose_str().unwrap(), CANARY);
    assert_eq!(kms.calls() - before, 1);
    for _ in 0..100 {
        assert!(std::ptr::eq(value.get().await.unwrap(), secret));
    }
    assert!(std::ptr::eq(value.try_get().unwrap(), secret));
    assert_eq!(kms.calls() - before, 1, "later accesses are memory reads");
    support::assert_no_canary(CANARY.as_bytes(), &format!("{secret:?}"));
    let logs = String::from_utf8_lossy(&support::captured_logs().lock().unwrap()).into_owned();
    assert!(
        logs.contains("sealed.decrypt{value=sealed-runtime/tests/moto.rs:"),
        "the span is logged"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_context_is_an_invalid_ciphertext_naming_the_keys_sent() {
    let _serial = SERIAL.lock().await;
    let kms = kms().await;
    let key = kms.key().await;
    let text = kms.seal(&key, &[("app", "billing")]).await;
    let value = Sealed::builder(text)
        .key(&key)
        .context("app", "payments")
        .build()
        .unwrap();
    let error = value.get().await.unwrap_err();
    assert_eq!(error.kind(), &ErrorKind::InvalidCiphertext);
    let message = error.to_string();
    assert!(
        message.contains("context keys sent were `app`"),
        "{message}"
    );
    assert!(message.contains("LambdaFunctionName"), "{message}");
    assert!(message.contains("tests/moto.rs:"), "{message}");
    assert!(message.contains(&key), "{message}");
    support::assert_no_canary(CANARY.as_bytes(), &format!("{message} {error:?}"));
    assert!(value.try_get().is_none(), "failures are not cached");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_first_accesses_make_one_decrypt() {
    let _serial = SERIAL.lock().await;
    let kms = kms().await;
    let key = kms.key().await;
    let value = leak(
        Sealed::builder(kms.seal(&key, &[]).await)
            .key(&key)
            .build()
            .unwrap(),
    );
    let before = kms.calls();
    let tasks: Vec<_> = (0..1000)
        .map(|_| tokio::spawn(async move { value.get().await.map(sealed_runtime::Secret::len) }))
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap(), CANARY.len());
    }
    assert_eq!(kms.calls() - before, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_env_var_fails_before_kms_and_is_not_cached() {
    let _serial = SERIAL.lock().await;
    let kms = kms().await;
    let key = kms.key().await;
    let text = kms.seal(&key, &[("LambdaFunctionName", "hello")]).await;
    let value = Sealed::builder(text)
        .key(&key)
        .context_env("LambdaFunctionName", "SEALED_TEST_FUNCTION_NAME")
        .allow_env("SEALED_TEST_FUNCTION_NAME")
        .build()
        .unwrap();
    let before = kms.calls();
    let error = value.get().await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::MissingEnvVar { name } if name == "SEALED_TEST_FUNCTION_NAME")
    );
    assert_eq!(kms.calls(), before, "no KMS call without the context");
    // read only by this test, which SERIAL keeps alone
    std::env::set_var("SEALED_TEST_FUNCTION_NAME", "hello");
    assert_eq!(value.get().await.unwrap().expose_str().unwrap(), CANARY);
    assert_eq!(kms.calls() - before, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pinned_to_another_key_fails_and_is_not_retried() {
    let _serial = SERIAL.lock().await;
    let kms = kms().await;
    let (key, other) = (kms.key().await, kms.key().await);
    let value = Sealed::builder(kms.seal(&key, &[]).await)
        .key(&other)
        .build()
        .unwrap();
    let before = kms.calls();
    let error = value.get().await.unwrap_err();
    // moto answers AccessDeniedException where AWS says IncorrectKeyException
    assert!(
        matches!(
            error.kind(),
            ErrorKind::AccessDenied | ErrorKind::IncorrectKey
        ),
        "{error}"
    );
    assert_eq!(kms.calls() - before, 1, "not retried");
    assert!(error.to_string().contains(&other));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_rsa_key_with_rsaes_oaep_sha_256() {
    use aws_sdk_kms::types::{EncryptionAlgorithmSpec, KeySpec, KeyUsageType};
    let _serial = SERIAL.lock().await;
    let kms = kms().await;
    let key = kms
        .client
        .create_key()
        .key_spec(KeySpec::Rsa2048)
        .key_usage(KeyUsageType::EncryptDecrypt)
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap()
        .arn
        .unwrap();
    let text = support::encrypt(
        &kms.client,
        &key,
        CANARY.as_bytes(),
        &[],
        Some(EncryptionAlgorithmSpec::RsaesOaepSha256),
    )
    .await;
    // moto writes its symmetric layout even for RSA keys (docs/KMS-FORMAT.md §4)
    let value = Sealed::builder(text)
        .key(&key)
        .algorithm(sealed_runtime::format::Algorithm::RsaesOaepSha256)
        .build()
        .unwrap();
    assert_eq!(value.get().await.unwrap().expose_str().unwrap(), CANARY);
    support::assert_no_canary(CANARY.as_bytes(), "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plaintext_that_is_not_utf8_says_where_without_the_bytes() {
    let _serial = SERIAL.lock().await;
    let kms = kms().await;
    let key = kms.key().await;
    let bytes = [b'c', b'a', b'n', 0xff, 0xfe, b'!'];
    let text = support::encrypt(&kms.client, &key, &bytes, &[], None).await;
    let value = Sealed::builder(text).key(&key).build().unwrap();
    let secret = value.get().await.unwrap();
    let error = secret.expose_str().unwrap_err();
    assert!(
        matches!(
            error.kind(),
            ErrorKind::NotUtf8 {
                len: 6,
                valid_up_to: 3
            }
        ),
        "{error}"
    );
    assert!(error.to_string().contains("tests/moto.rs:"), "{error}");
    assert!(!error.to_string().contains("can"), "{error}");
    assert_eq!(secret.expose(), &bytes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_against_a_server_that_ignores_dry_run_discards_the_plaintext() {
    let _serial = SERIAL.lock().await;
    let kms = kms().await;
    let key = kms.key().await;
    let value = Sealed::builder(kms.seal(&key, &[]).await)
        .key(&key)
        .build()
        .unwrap();
    assert_eq!(
        value.verify().await.unwrap(),
        sealed_runtime::kms::Verified::DecryptedAndDiscarded
    );
    assert!(value.try_get().is_none(), "verify does not fill the value");
}

/// A multi-Region key written with its eu-west-1 ARN, in a function whose `AWS_REGION` is
/// us-east-1 (the emulator's environment): the first request goes to us-east-1 naming the
/// replica's ARN, as the signed request on the wire shows, and moto answers it there: no such
/// key (`NotFoundException`), which sends the second to the key's own region. (moto's own
/// multi-Region keys have ids that are not AWS's `mrk-` + 32 hex digits, and it cannot decrypt
/// multi-Region ciphertexts at all: the ARN here names no key moto has, so the outcome is
/// moto's `NotFoundException` from eu-west-1; the plaintext path is covered in `mock.rs`.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_multi_region_key_is_decrypted_in_the_functions_region() {
    let _serial = SERIAL.lock().await;
    let kms = kms().await;
    assert_eq!(std::env::var("AWS_REGION").as_deref(), Ok("us-east-1"));
    let key = kms.key().await;
    let text = kms.seal(&key, &[]).await;
    let account = key.split(':').nth(4).unwrap();
    let id = "mrk-0123456789abcdef0123456789abcdef";
    let primary = format!("arn:aws:kms:eu-west-1:{account}:key/{id}");
    let replica = format!("arn:aws:kms:us-east-1:{account}:key/{id}");
    let value = Sealed::builder(text).key(&primary).build().unwrap();
    let before = kms.calls();
    let error = value.get().await.unwrap_err();
    assert_eq!(
        kms.sent.naming(id),
        [
            ("us-east-1".to_owned(), replica),
            ("eu-west-1".to_owned(), primary.clone())
        ]
    );
    assert_eq!(kms.calls() - before, 2, "moto answered both");
    assert_eq!(error.kind(), &ErrorKind::KeyNotFound, "{error}");
    assert_eq!(error.region(), Some("eu-west-1"), "{error}");
    assert_eq!(error.key(), Some(primary.as_str()), "{error}");
    support::assert_no_canary(CANARY.as_bytes(), &format!("{error} {error:?}"));
}
