//! What a failed `Decrypt` means for the user: the SDK's error, with KMS's error code and
//! words, read as an [`ErrorKind`] with the details the message and the next step need.

use std::sync::Arc;

use aws_sdk_kms::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_kms::operation::decrypt::DecryptError;
use aws_sdk_kms::operation::RequestId;

use crate::credentials;
use crate::emulator;
use crate::error::{Details, Error, ErrorKind};

/// `error` as the user's error, with `details` of the request completed from it. `client` is
/// the client that sent the request (its operation timeout is named on a timeout).
pub(crate) fn error_of(
    error: SdkError<DecryptError, aws_smithy_runtime_api::http::Response>,
    mut details: Details,
    client: &aws_sdk_kms::Client,
) -> Error {
    details.code = error.code().map(str::to_owned);
    details.request_id = error.request_id().map(str::to_owned);
    details.aws_message = error.message().map(str::to_owned);
    // The endpoint as the user configured it: the environment, else AWS's regional endpoint.
    details.endpoint = std::env::var("AWS_ENDPOINT_URL_KMS")
        .or_else(|_| std::env::var("AWS_ENDPOINT_URL"))
        .ok()
        .or_else(|| {
            details
                .region
                .as_ref()
                .map(|region| format!("https://kms.{region}.amazonaws.com"))
        });
    let status = error.raw_response().map(|r| r.status().as_u16());
    if details.code.is_none() {
        // the message then names the HTTP status beside whatever the body said
        details.http_status = status;
        // no JSON error code: an emulator's XML body may still name one
        let body = error
            .raw_response()
            .and_then(|r| r.body().bytes())
            .and_then(|b| std::str::from_utf8(b).ok());
        if let Some((code, message)) = body.map(emulator::xml_error) {
            details.code = code;
            details.aws_message = details.aws_message.or(message);
        }
    }
    let kind = match &error {
        SdkError::TimeoutError(_) => {
            details.timeout = client
                .config()
                .timeout_config()
                .and_then(aws_config::timeout::TimeoutConfig::operation_timeout);
            ErrorKind::TimedOut
        }
        SdkError::DispatchFailure(failure) if failure.is_timeout() => ErrorKind::TimedOut,
        SdkError::DispatchFailure(_) => {
            // a TLS-inspecting proxy refused in front of KMS, or of STS or SSO
            details.certificate = refused_certificate(&error);
            if let Some((message, diagnosis)) = credentials::diagnose(&error) {
                details.credentials = Some(diagnosis);
                details.aws_message = Some(message);
                ErrorKind::Credentials
            } else {
                ErrorKind::Unreachable
            }
        }
        // The request could not be built: nothing KMS said.
        SdkError::ConstructionFailure(_) => {
            details.aws_message = std::error::Error::source(&error).map(ToString::to_string);
            ErrorKind::InvalidRequest
        }
        // An answer that is not a KMS answer (a proxy's page, a cut body).
        SdkError::ResponseError(_) => ErrorKind::Service,
        _ => {
            let kind = kind_of(details.code.as_deref(), status);
            if kind == ErrorKind::Credentials {
                details.credentials = details.code.as_deref().map(credentials::diagnose_rejection);
            }
            kind
        }
    };
    // KMS's answer is said whole by the message (code, words, request id): its chain would only
    // repeat it. A failure before or outside an answer keeps the SDK's chain (the connector's,
    // the credential provider's errors), from the first error the message does not say.
    let source = match error {
        SdkError::ServiceError(_) => None,
        other => other.into_source().ok().map(Arc::from),
    };
    Error::with_source(kind, details, source)
}

/// The TLS library's words when a connection failed because the endpoint's certificate was
/// refused (`invalid peer certificate: UnknownIssuer`, `…: Expired`, …): found in the error's
/// chain as rustls says it, whichever crypto provider (ring, AWS-LC) verified it.
fn refused_certificate(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut next = Some(error);
    while let Some(error) = next {
        let words = error.to_string();
        if let Some(at) = words.find("invalid peer certificate") {
            return Some(words[at..].to_owned());
        }
        next = error.source();
    }
    None
}

/// What a KMS error code (or, without one, the HTTP status) means for the user. Only 5xx is
/// KMS's side; any other answer is permanent until something changes.
fn kind_of(code: Option<&str>, status: Option<u16>) -> ErrorKind {
    match (code, status) {
        (Some("AccessDeniedException" | emulator::XML_ACCESS_DENIED), _) | (None, Some(403)) => {
            ErrorKind::AccessDenied
        }
        (Some(code), _) if credentials::is_rejection(code) => ErrorKind::Credentials,
        (Some("InvalidCiphertextException"), _) => ErrorKind::InvalidCiphertext,
        (Some("IncorrectKeyException"), _) => ErrorKind::IncorrectKey,
        (Some("InvalidKeyUsageException"), _) => ErrorKind::InvalidKeyUsage,
        (Some("DisabledException"), _) => ErrorKind::KeyDisabled,
        (Some("KMSInvalidStateException"), _) => ErrorKind::KeyInvalidState,
        (Some("NotFoundException"), _) => ErrorKind::KeyNotFound,
        (Some("ThrottlingException"), _) | (_, Some(429)) => ErrorKind::Throttled,
        // KMS's 5xx, and its 5xx codes should a proxy have changed the status
        (_, Some(500..=599))
        | (
            Some("KMSInternalException" | "DependencyTimeoutException" | "KeyUnavailableException"),
            _,
        ) => ErrorKind::Service,
        _ => ErrorKind::InvalidRequest,
    }
}

#[cfg(test)]
mod tests {
    use super::kind_of;
    use crate::error::{Error, ErrorKind as K};

    /// Every code `Decrypt` documents (and the emulator's spellings), the kind it is read as,
    /// and whether the same access may succeed later without a change.
    const TABLE: &[(Option<&str>, Option<u16>, K, bool)] = &[
        (
            Some("AccessDeniedException"),
            Some(400),
            K::AccessDenied,
            false,
        ),
        (Some("AccessDenied"), Some(403), K::AccessDenied, false),
        (None, Some(403), K::AccessDenied, false),
        (
            Some("UnrecognizedClientException"),
            Some(400),
            K::Credentials,
            false,
        ),
        (
            Some("InvalidSignatureException"),
            Some(400),
            K::Credentials,
            false,
        ),
        (
            Some("ExpiredTokenException"),
            Some(400),
            K::Credentials,
            false,
        ),
        (
            Some("InvalidClientTokenId"),
            Some(403),
            K::Credentials,
            false,
        ),
        (
            Some("InvalidCiphertextException"),
            Some(400),
            K::InvalidCiphertext,
            false,
        ),
        (
            Some("IncorrectKeyException"),
            Some(400),
            K::IncorrectKey,
            false,
        ),
        (
            Some("InvalidKeyUsageException"),
            Some(400),
            K::InvalidKeyUsage,
            false,
        ),
        (Some("DisabledException"), Some(400), K::KeyDisabled, false),
        (
            Some("KMSInvalidStateException"),
            Some(400),
            K::KeyInvalidState,
            false,
        ),
        (Some("NotFoundException"), Some(400), K::KeyNotFound, false),
        (Some("ThrottlingException"), Some(400), K::Throttled, true),
        (None, Some(429), K::Throttled, true),
        (Some("KMSInternalException"), Some(500), K::Service, true),
        (
            Some("DependencyTimeoutException"),
            Some(400),
            K::Service,
            true,
        ),
        (Some("KeyUnavailableException"), Some(400), K::Service, true),
        (None, Some(503), K::Service, true),
        (
            Some("ValidationException"),
            Some(400),
            K::InvalidRequest,
            false,
        ),
        (
            Some("InvalidGrantTokenException"),
            Some(400),
            K::InvalidRequest,
            false,
        ),
        (
            Some("DryRunOperationException"),
            Some(412),
            K::InvalidRequest,
            false,
        ),
        (None, Some(404), K::InvalidRequest, false),
    ];

    #[test]
    fn each_answer_is_read_as_its_kind_and_only_kms_side_failures_are_transient() {
        for (code, status, kind, transient) in TABLE {
            let read = kind_of(*code, *status);
            assert_eq!(&read, kind, "{code:?} with HTTP {status:?}");
            let error = Error::new(read);
            assert_eq!(error.is_transient(), *transient, "{code:?}: {error}");
        }
    }
}
