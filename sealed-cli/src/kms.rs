//! What the KMS calls of `cargo sealed` share: a failure as a message with the next step, and the
//! base64 in which a ciphertext KMS returns is written.

use aws_sdk_kms::error::ProvideErrorMetadata as _;

use crate::runtime_tools::explain_failure;

/// A failed KMS call of `cargo sealed` (`operation` on `key`) as a message with the next step.
pub fn failure_message<E>(
    operation: &str,
    key: &str,
    error: &aws_sdk_kms::error::SdkError<E, aws_sdk_kms::config::http::HttpResponse>,
    code: Option<&str>,
) -> String
where
    E: std::error::Error + aws_sdk_kms::error::ProvideErrorMetadata + 'static,
{
    if let Some((message, help)) = explain_failure(error, code) {
        return format!("KMS {operation} with key `{key}`: {message}\n  = help: {help}");
    }
    let message = error.message().unwrap_or("");
    let denied = code.is_some_and(|c| c.contains("AccessDenied"))
        || error
            .raw_response()
            .is_some_and(|r| r.status().as_u16() == 403);
    let hint = if denied {
        format!("\n  = help: allow kms:{operation} on {key} for the caller")
    } else {
        String::new()
    };
    format!(
        "KMS {operation} with key `{key}` failed ({}): {message}{hint}",
        code.unwrap_or("no error code")
    )
}

/// A bundle's public key as people compare it out of band: SHA-256 of its DER
/// `SubjectPublicKeyInfo`, base64url without padding (43 characters). `new`, `set`, `ls` and
/// `inspect` print it, so a writer can tell that the key they seal to is the deploy pipeline's.
pub fn public_key_fingerprint(bundle: &sealed_format::Bundle) -> String {
    fingerprint_of(bundle.public_key())
}

/// The fingerprint of a public key (a DER `SubjectPublicKeyInfo`), as
/// [`public_key_fingerprint`] writes a bundle's: a recipient's.
pub fn fingerprint_of(public_key: &[u8]) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(public_key))
}

/// A ciphertext (or wrapped private key) from KMS as `sealed!` and bundle files write it.
pub fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A KMS client of its own for the named profile of the shared AWS config files (its region,
/// credentials and `endpoint_url`), or for the environment's default chain (`None`), with
/// `sealed`'s timeouts and HTTP client: one session of `stage add-key`, which never sees the
/// other's.
pub async fn session(profile: Option<&str>) -> aws_sdk_kms::Client {
    let settings = sealed_runtime::KmsSettings::default();
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(profile) = profile {
        loader = loader.profile_name(profile);
    }
    let shared = loader
        .http_client(sealed_runtime::http_client())
        .timeout_config(settings.timeout_config())
        .retry_config(settings.retry_config())
        .load()
        .await;
    aws_sdk_kms::Client::new(&shared)
}
