//! What the KMS calls of `cargo sealed` share: a failure as a `CliError` with the next step, the
//! base64 in which a ciphertext KMS returns is written, public-key fingerprints, and the sessions
//! of a named profile (`stage add-key`'s two).

use aws_sdk_kms::error::ProvideErrorMetadata as _;

use aws_sdk_kms::error::DisplayErrorContext;

use crate::error::CliError;
use crate::runtime_tools::{explain_failure, xml_error};

/// A failed KMS call of `cargo sealed` (`operation` on `key`) as a message with the next step.
pub fn failure_message<E>(
    operation: &str,
    key: &str,
    error: &aws_sdk_kms::error::SdkError<E, aws_sdk_kms::config::http::HttpResponse>,
    code: Option<&str>,
) -> CliError
where
    E: std::error::Error + aws_sdk_kms::error::ProvideErrorMetadata + 'static,
{
    if let Some((message, help)) = explain_failure(error, code) {
        return CliError::new(format!("KMS {operation} with key `{key}`: {message}")).help(help);
    }
    let response = error.raw_response();
    let status = response.map(|r| r.status().as_u16());
    // no JSON error code: an emulator's XML body may still name one
    let (xml_code, xml_message) = response
        .and_then(|r| r.body().bytes())
        .and_then(|b| std::str::from_utf8(b).ok())
        .map(xml_error)
        .unwrap_or_default();
    let code = code.map(str::to_owned).or(xml_code);
    let message = error
        .message()
        .map(str::to_owned)
        .or(xml_message)
        .filter(|m| !m.trim().is_empty());
    // what answered: KMS's code, else the HTTP status, else why nothing did
    let what = match (&code, status) {
        (Some(code), _) => code.clone(),
        (None, Some(status)) => format!("HTTP {status}, no KMS error code"),
        (None, None) => format!("no answer: {}", DisplayErrorContext(error)),
    };
    let mut text = format!("KMS {operation} with key `{key}` failed ({what})");
    if let Some(message) = message {
        text.push_str(": ");
        text.push_str(&message);
    }
    let denied = code.as_deref().is_some_and(|c| c.contains("AccessDenied"))
        || (code.is_none() && status == Some(403));
    let error = CliError::new(text);
    if denied {
        error.help(format!("allow kms:{operation} on {key} for the caller"))
    } else if code.is_none() && status.is_some() {
        error.help(format!(
            "{} answered without a KMS error: it does not implement {operation}, or it is not KMS (a local KMS: `scripts/dev-kms`'s moto has every action `cargo sealed` uses; moto alone lacks GenerateDataKeyPairWithoutPlaintext)",
            endpoint()
        ))
    } else {
        error
    }
}

/// The KMS endpoint as the user configured it: the environment's, else AWS's regional one.
fn endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL_KMS")
        .or_else(|_| std::env::var("AWS_ENDPOINT_URL"))
        .or_else(|_| {
            std::env::var("AWS_REGION").map(|region| format!("https://kms.{region}.amazonaws.com"))
        })
        .map_or_else(|_| "the endpoint".to_owned(), |url| format!("`{url}`"))
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
    sealed_format::public_key_fingerprint(public_key)
}

/// A ciphertext (or wrapped private key) from KMS as `sealed!` and bundle files write it.
pub fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// One session of `stage add-key`: a KMS client of its own, and who it is.
pub struct Session {
    /// The client.
    pub client: aws_sdk_kms::Client,
    /// Its access key id, all but the last four characters hidden (`access key …WXYZ`), or why
    /// its credentials could not be read: for the report, so that the operator sees which
    /// identity did what.
    pub identity: String,
}

/// A session for the named profile of the shared AWS config files (its credentials, region and
/// `endpoint_url`), or for the environment's default chain (`None`), with `sealed`'s timeouts
/// and HTTP client; it never sees the other session's. A profile's credentials come from the
/// profile alone: credentials in the environment (`AWS_ACCESS_KEY_ID`, which the default chain
/// reads first) are not used.
pub async fn session(profile: Option<&str>) -> Session {
    use aws_credential_types::provider::ProvideCredentials as _;
    let settings = sealed_runtime::KmsSettings::default();
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(sealed_runtime::kms::http_client())
        .timeout_config(settings.timeout_config())
        .retry_config(settings.retry_config());
    if let Some(profile) = profile {
        let from_profile = aws_config::profile::ProfileFileCredentialsProvider::builder()
            .configure(
                &aws_config::provider_config::ProviderConfig::default()
                    .with_http_client(sealed_runtime::kms::http_client()),
            )
            .profile_name(profile)
            .build();
        loader = loader
            .profile_name(profile)
            .credentials_provider(from_profile);
    }
    let shared = loader.load().await;
    let identity = match shared.credentials_provider() {
        None => "no credentials".to_owned(),
        Some(provider) => match provider.provide_credentials().await {
            Ok(credentials) => {
                let id = credentials.access_key_id();
                let tail: String = id
                    .chars()
                    .skip(id.chars().count().saturating_sub(4))
                    .collect();
                format!("access key …{tail}")
            }
            Err(error) => format!("credentials not read: {error}"),
        },
    };
    Session {
        client: aws_sdk_kms::Client::new(&shared),
        identity,
    }
}
