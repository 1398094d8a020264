//! Keys and sealed test values through the SDK, and interceptors that count and record what a
//! client sends.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use aws_sdk_kms::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_kms::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_kms::error::BoxError;

use crate::emulator::require_emulator;

/// Encrypts `plaintext` with a real (emulated) KMS and returns the base64 to seal.
pub async fn encrypt(
    client: &aws_sdk_kms::Client,
    key: &str,
    plaintext: &[u8],
    context: &[(&str, &str)],
    algorithm: Option<aws_sdk_kms::types::EncryptionAlgorithmSpec>,
) -> String {
    use base64::Engine as _;
    let mut request = client
        .encrypt()
        .key_id(key)
        .plaintext(aws_sdk_kms::primitives::Blob::new(plaintext))
        .set_encryption_algorithm(algorithm);
    for (k, v) in context {
        request = request.encryption_context(*k, *v);
    }
    let blob = request.send().await.unwrap().ciphertext_blob.unwrap();
    base64::engine::general_purpose::STANDARD.encode(blob.as_ref())
}

/// Counts the requests a client sends (an interceptor, added to the client's config).
#[derive(Debug)]
pub struct Calls(pub Arc<AtomicUsize>);

impl Intercept for Calls {
    fn name(&self) -> &'static str {
        "count-calls"
    }
    fn read_before_transmit(
        &self,
        _: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

/// The key policy of the tests' keys: KMS's default (the account may do anything it grants in
/// IAM) with the statements `cargo sealed policy --key-policy` prints pasted in, as a user's key
/// that holds bundles has them (`check --kms` verifies them). The account is moto's default,
/// replaced by the key's own.
pub const BUNDLE_KEY_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Id": "key-default-1",
  "Statement": [
    {
      "Sid": "Enable IAM User Permissions",
      "Effect": "Allow",
      "Principal": { "AWS": "arn:aws:iam::123456789012:root" },
      "Action": "kms:*",
      "Resource": "*"
    },
    {
      "Sid": "SealedNoKnownSecretInBundleContext",
      "Effect": "Deny",
      "Principal": "*",
      "Action": [
        "kms:Encrypt",
        "kms:GenerateDataKey",
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:GenerateDataKeyPair",
        "kms:ReEncryptTo",
        "kms:ReEncryptFrom"
      ],
      "Resource": "*",
      "Condition": { "ForAnyValue:StringLike": { "kms:EncryptionContextKeys": "sealed:*" } }
    },
    {
      "Sid": "SealedBundlePairsAreP256",
      "Effect": "Deny",
      "Principal": "*",
      "Action": "kms:GenerateDataKeyPairWithoutPlaintext",
      "Resource": "*",
      "Condition": { "StringNotEquals": { "kms:DataKeyPairSpec": "ECC_NIST_P256" } }
    }
  ]
}"#;

/// A new symmetric key as `aws kms create-key` makes it (KMS's default key policy and nothing
/// else); its ARN.
pub async fn create_plain_key(client: &aws_sdk_kms::Client) -> String {
    let created = client.create_key().send().await.unwrap();
    created.key_metadata.unwrap().arn.unwrap()
}

/// A new symmetric key on the server the client talks to, with [`BUNDLE_KEY_POLICY`]; its ARN.
pub async fn create_key(client: &aws_sdk_kms::Client) -> String {
    let arn = create_plain_key(client).await;
    let account = arn.split(':').nth(4).unwrap_or_default();
    client
        .put_key_policy()
        .key_id(&arn)
        .policy_name("default")
        .policy(BUNDLE_KEY_POLICY.replace("123456789012", account))
        .send()
        .await
        .unwrap();
    arn
}

/// What each request sent, from the signed request on the wire: the region of its `SigV4`
/// credential scope and the `KeyId` of its body.
#[derive(Debug, Default, Clone)]
pub struct Sent(pub Arc<Mutex<Vec<(String, String)>>>);

impl Sent {
    /// The (region, key id) of every request so far that named `key_id_part`.
    pub fn naming(&self, key_id_part: &str) -> Vec<(String, String)> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, key)| key.contains(key_id_part))
            .cloned()
            .collect()
    }
}

impl Intercept for Sent {
    fn name(&self) -> &'static str {
        "sent-region-and-key"
    }
    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request();
        // `AWS4-HMAC-SHA256 Credential=AKID/20261201/eu-west-1/kms/aws4_request, …`
        let region = request
            .headers()
            .get("authorization")
            .and_then(|auth| auth.split("Credential=").nth(1))
            .and_then(|scope| scope.split('/').nth(2))
            .unwrap_or("")
            .to_owned();
        let body = request
            .body()
            .bytes()
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("");
        let key = body
            .split("\"KeyId\":\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or("")
            .to_owned();
        self.0.lock().unwrap().push((region, key));
        Ok(())
    }
}

/// A value sealed with the emulator under a new key, for a test that is not async: the key's ARN
/// and the base64 ciphertext. `context` is the encryption context.
///
/// # Panics
/// When the emulator does not answer: the test cannot go on.
pub fn seal(plaintext: &str, context: &[(&str, &str)]) -> (String, String) {
    require_emulator();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime builds");
    runtime.block_on(async {
        // a client of its own, on this runtime: no connection of it outlives the runtime in a
        // pool that `sealed-runtime` shares
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .load()
            .await;
        let client = aws_sdk_kms::Client::new(&config);
        let key = create_key(&client).await;
        let ciphertext = encrypt(&client, &key, plaintext.as_bytes(), context, None).await;
        (key, ciphertext)
    })
}
