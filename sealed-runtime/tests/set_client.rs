//! `set_client` after the first access: the library's clients were built from the environment's
//! configuration and keep it, so a later client is refused with the reason, not accepted and
//! silently ignored. Its own test binary: the process-wide client must be the library's own.
#![cfg(feature = "emulator")]

use sealed_runtime::{kms::default_config, set_client, Sealed};

use sealed_test_support as support;

#[tokio::test]
async fn set_client_after_the_first_access_is_refused_saying_why() {
    assert!(
        std::env::var_os("AWS_ENDPOINT_URL_KMS").is_some(),
        "this test needs the KMS emulator: run `eval \"$(scripts/dev-kms)\"` first (scripts/test does)"
    );
    let client = aws_sdk_kms::Client::from_conf(default_config().await);
    let key = support::create_key(&client).await;
    let text = support::encrypt(&client, &key, b"canary-set-client", &[], None).await;
    let value = Sealed::builder(text).key(&key).build().unwrap();
    let value: &'static Sealed = Box::leak(Box::new(value));
    value.get().await.unwrap();

    let refused = set_client(&client).unwrap_err();
    assert!(refused.in_use(), "{refused}");
    let message = refused.to_string();
    assert!(message.contains("in use already"), "{message}");
    assert!(
        message.contains("help: call `set_client` before the first access"),
        "{message}"
    );
    let _client: aws_sdk_kms::Client = refused.into_client();
}
