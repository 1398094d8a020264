//! Access denied for real: a moto server with IAM enforced (`scripts/dev-kms --iam 3`, whose
//! endpoint `scripts/test` exports as `SEALED_IAM_KMS_ENDPOINT`), a user without `kms:Decrypt`,
//! then the same user with the policy the error asks for. Set-up through boto3
//! (`test-support/iam.py`), the access under test through `sealed-runtime`.
#![cfg(feature = "emulator")]

use aws_sdk_kms::config::Credentials;
use sealed_runtime::{kms::default_config, set_client, ErrorKind, Sealed};

fn helper(args: &[&str]) -> String {
    sealed_test_support::emulator::iam(args)
}

fn field<'a>(json: &'a str, name: &str) -> &'a str {
    let start = json.find(&format!("\"{name}\": \"")).unwrap() + name.len() + 5;
    let end = start + json[start..].find('"').unwrap();
    &json[start..end]
}

#[tokio::test]
async fn a_role_without_decrypt_is_denied_with_the_statement_to_add_then_allowed() {
    let endpoint = std::env::var("SEALED_IAM_KMS_ENDPOINT").expect(
        "this test needs a KMS emulator with IAM enforced: run `SEALED_DEV_KMS_STATE=target/dev-kms-iam scripts/dev-kms --iam 3` and export its endpoint as SEALED_IAM_KMS_ENDPOINT (scripts/test does)",
    );
    let setup = helper(&["setup", &endpoint]);
    let key = field(&setup, "key").to_owned();
    let config = default_config()
        .await
        .to_builder()
        .endpoint_url(&endpoint)
        .credentials_provider(Credentials::new(
            field(&setup, "app_id"),
            field(&setup, "app_secret"),
            None,
            None,
            "iam-test",
        ))
        .build();
    set_client(&aws_sdk_kms::Client::from_conf(config)).expect("installed once");

    let value = Sealed::builder(field(&setup, "ciphertext"))
        .key(&key)
        .build()
        .unwrap();
    let error = value.get().await.unwrap_err();
    assert_eq!(error.kind(), &ErrorKind::AccessDenied, "{error}");
    let message = error.to_string();
    println!("{message}");
    assert!(
        message.contains(&format!(
            "{{\"Effect\": \"Allow\", \"Action\": \"kms:Decrypt\", \"Resource\": \"{key}\"}}"
        )),
        "{message}"
    );
    assert!(message.contains("tests/iam.rs:"), "{message}");
    // moto's own words are kept (it names the action)
    assert!(message.contains("kms:Decrypt"), "{message}");
    // the emulator's XML code, and the HTTP status beside it in the message only
    assert_eq!(error.code(), Some("AccessDenied"), "{message}");
    assert!(message.contains("AccessDenied, HTTP 403"), "{message}");
    assert_eq!(error.attempts(), Some(1), "access denied is not retried");
    assert!(value.try_get().is_none());

    helper(&[
        "grant",
        &endpoint,
        field(&setup, "admin_id"),
        field(&setup, "admin_secret"),
    ]);
    let secret = value.get().await.unwrap();
    assert_eq!(secret.expose(), b"canary-iam-5e2b");
}
