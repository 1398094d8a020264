//! The project's local KMS (`scripts/dev-kms`) answers `GenerateDataKeyPairWithoutPlaintext`,
//! which moto lacks and `scripts/moto_server_sealed.py` adds, as the AWS API reference says KMS
//! does: a P-256 public key in clear (DER `SubjectPublicKeyInfo`), the private key (DER PKCS#8)
//! wrapped under the KMS key with the encryption context given, so that `Decrypt` with that
//! context, and only that one, gives it back. Through the real SDK's request.

use aws_sdk_kms::types::DataKeyPairSpec;
use sealed_test_support::{create_key, require_emulator};

/// The fixed DER header of a P-256 `SubjectPublicKeyInfo` (`id-ecPublicKey`, prime256v1, the
/// uncompressed point's BIT STRING), before its 65-byte point.
const P256_SPKI_HEADER: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

async fn client() -> aws_sdk_kms::Client {
    require_emulator();
    aws_sdk_kms::Client::from_conf(sealed_runtime::kms::default_config().await)
}

#[tokio::test]
async fn a_key_pair_is_generated_with_its_private_key_wrapped_under_the_context() {
    let client = client().await;
    let key = create_key(&client).await;
    let pair = client
        .generate_data_key_pair_without_plaintext()
        .key_id(&key)
        .key_pair_spec(DataKeyPairSpec::EccNistP256)
        .encryption_context("sealed:bundle", "0f1e2d3c4b5a69788796a5b4c3d2e1f0")
        .send()
        .await
        .unwrap();
    assert_eq!(pair.key_pair_spec(), Some(&DataKeyPairSpec::EccNistP256));
    assert_eq!(pair.key_id(), Some(key.as_str()));
    let public = pair.public_key().unwrap().as_ref();
    assert_eq!(public.len(), 91, "a P-256 SubjectPublicKeyInfo");
    assert_eq!(public[..26], P256_SPKI_HEADER);
    assert_eq!(public[26], 0x04, "an uncompressed point");
    let wrapped = pair.private_key_ciphertext_blob().unwrap().clone();

    // Decrypt with the same context gives the PKCS#8 private key, which holds the public point
    let private = client
        .decrypt()
        .ciphertext_blob(wrapped.clone())
        .key_id(&key)
        .encryption_context("sealed:bundle", "0f1e2d3c4b5a69788796a5b4c3d2e1f0")
        .send()
        .await
        .unwrap()
        .plaintext
        .unwrap();
    let private = private.as_ref();
    assert_eq!(private[0], 0x30, "a DER SEQUENCE (PKCS#8 PrivateKeyInfo)");
    assert!(
        private.windows(65).any(|w| w == &public[26..]),
        "the private key is the public key's pair"
    );

    // another context (another bundle), or none: KMS refuses
    for context in [Some("00000000000000000000000000000000"), None] {
        let mut request = client
            .decrypt()
            .ciphertext_blob(wrapped.clone())
            .key_id(&key);
        if let Some(id) = context {
            request = request.encryption_context("sealed:bundle", id);
        }
        let error = request.send().await.unwrap_err();
        assert_eq!(
            aws_sdk_kms::error::ProvideErrorMetadata::code(&error),
            Some("InvalidCiphertextException"),
            "{context:?}"
        );
    }
}

#[tokio::test]
async fn a_spec_the_local_kms_does_not_emulate_is_a_validation_error() {
    let client = client().await;
    let key = create_key(&client).await;
    let error = client
        .generate_data_key_pair_without_plaintext()
        .key_id(&key)
        .key_pair_spec(DataKeyPairSpec::Sm2)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_kms::error::ProvideErrorMetadata::code(&error),
        Some("ValidationException")
    );
}
