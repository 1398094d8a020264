//! One `Decrypt` call: what it sends, what it accepts, and how its failures read.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use aws_sdk_kms::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_kms::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_kms::error::BoxError;

use aws_sdk_kms::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_kms::operation::decrypt::DecryptError;
use aws_sdk_kms::operation::RequestId;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::EncryptionAlgorithmSpec;
use sealed_format::{Algorithm, KeyRef};
use tracing::Instrument as _;
use zeroize::Zeroizing;

use crate::client::client_for;
use crate::credentials;
use crate::error::{Details, Error, ErrorKind};
use crate::facts::{ContextValue, EntryParts};

/// Counts the HTTP attempts of one `Decrypt` (retries included), for errors and tracing.
#[derive(Debug, Default)]
struct Attempts(Arc<AtomicU32>);

impl Intercept for Attempts {
    fn name(&self) -> &'static str {
        "sealed-attempts"
    }

    fn read_before_attempt(
        &self,
        _: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

fn algorithm_spec(algorithm: Algorithm) -> Option<EncryptionAlgorithmSpec> {
    match algorithm {
        Algorithm::RsaesOaepSha1 => Some(EncryptionAlgorithmSpec::RsaesOaepSha1),
        Algorithm::RsaesOaepSha256 => Some(EncryptionAlgorithmSpec::RsaesOaepSha256),
        Algorithm::Sm2Pke => Some(EncryptionAlgorithmSpec::Sm2Pke),
        _ => None,
    }
}

/// Reads `env("NAME")` values now; a missing variable fails before any call to KMS.
fn context_now(request: &EntryParts) -> Result<HashMap<String, String>, Error> {
    let mut context = HashMap::with_capacity(request.context.len());
    for (key, value) in request.context {
        let value = match value {
            ContextValue::Literal(value) => (*value).to_owned(),
            ContextValue::Env(name) => std::env::var(name).map_err(|_| {
                Error::new(ErrorKind::MissingEnvVar {
                    name: (*name).to_owned(),
                })
                .at(request.location)
            })?,
        };
        context.insert((*key).to_owned(), value);
    }
    Ok(context)
}

/// How long a throttled `Decrypt` keeps being tried, from its first attempt: 9 s, inside
/// Lambda's 10 s INIT. Throttling is KMS's account-wide request quota, met by a fleet of cold
/// starts at once: each process's own attempts (3, with the SDK's back-off) end before the
/// quota frees up, so the library sends the request again after a jittered pause (0.5–1 s, then
/// 1–2 s) until this deadline, which also ends a round still in flight. Other errors are not
/// affected: an unreachable endpoint still fails after its 3 attempts.
pub const THROTTLED_RETRY_DEADLINE: Duration = Duration::from_secs(9);

/// The pause before sending a throttled request again, after `round` earlier pauses: half of
/// 1 s (then 2 s), plus a random share of the other half, so a fleet does not come back at once.
fn throttled_pause(round: u32) -> Duration {
    let base = if round == 0 { 1000 } else { 2000 };
    Duration::from_millis(base / 2 + fastrand::u64(0..=base / 2))
}

/// Decrypts; the plaintext is only ever held in a zeroizing buffer. Throttling is tried again
/// until [`THROTTLED_RETRY_DEADLINE`].
pub(crate) async fn decrypt(request: &EntryParts) -> Result<Zeroizing<Vec<u8>>, Error> {
    let started = Instant::now();
    let mut earlier_attempts = 0;
    let mut throttled: Option<Error> = None;
    for round in 0.. {
        // a round after a pause ends by the deadline whatever its own timeouts
        let attempt = match throttled.take() {
            None => call(request, false).await,
            Some(last) => {
                let left = THROTTLED_RETRY_DEADLINE.saturating_sub(started.elapsed());
                match tokio::time::timeout(left, call(request, false)).await {
                    Ok(result) => result,
                    Err(_) => return Err(last.with_totals(earlier_attempts + 1, started.elapsed())),
                }
            }
        };
        let error = match attempt {
            Ok(Outcome::Plaintext(plaintext)) => return Ok(plaintext),
            // Only a dry run can end without a plaintext.
            Ok(Outcome::DryRunPassed) => {
                return Err(Error::new(ErrorKind::Service).at(request.location))
            }
            Err(error) => error,
        };
        let pause = throttled_pause(round);
        let attempts = earlier_attempts + error.attempts().unwrap_or(1);
        if error.kind() != &ErrorKind::Throttled
            || started.elapsed() + pause >= THROTTLED_RETRY_DEADLINE
        {
            return Err(if round == 0 {
                error
            } else {
                error.with_totals(attempts, started.elapsed())
            });
        }
        tracing::debug!(value = %request.location, attempts, pause_ms = pause.as_millis(), "sealed: Decrypt throttled; sending it again after a pause");
        earlier_attempts = attempts;
        tokio::time::sleep(pause).await;
        throttled = Some(error);
    }
    unreachable!("the loop returns")
}

/// What a `Decrypt` ended with.
pub(crate) enum Outcome {
    /// The plaintext (a server that ignores `DryRun` also gives one).
    Plaintext(Zeroizing<Vec<u8>>),
    /// KMS answered `DryRunOperationException`: the real call would succeed.
    DryRunPassed,
}

/// Replica ARNs that answered `NotFoundException` or `AccessDeniedException`: later values on
/// the same key go to the key's own region at once.
static NO_LOCAL_REPLICA: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// One `Decrypt`, or its dry run.
///
/// A multi-Region key ARN (`…:key/mrk-…`) of another region is decrypted in the function's own
/// region (`AWS_REGION`) with its replica there: the local replica's latency and resilience,
/// and it works from a VPC with only a regional KMS endpoint. Where the region has no replica
/// (`NotFoundException`), or the replica's key policy does not grant the caller what the
/// primary's does (`AccessDeniedException`), the ARN's own region is asked, and asked first for
/// the rest of the process.
pub(crate) async fn call(request: &EntryParts, dry_run: bool) -> Result<Outcome, Error> {
    let key = request.key.and_then(|k| KeyRef::parse(k).ok());
    let context = context_now(request)?;
    if let Some(key) = key.filter(KeyRef::is_multi_region) {
        let local = client_for(None).await;
        let replica = local
            .config()
            .region()
            .and_then(|region| key.replica_in(region.as_ref()));
        let known_absent = |replica: &String| {
            NO_LOCAL_REPLICA
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .contains(replica)
        };
        if let Some(replica) = replica.filter(|r| !known_absent(r)) {
            match send(
                request,
                key_id(key, &replica),
                &context,
                &local,
                dry_run,
                false,
            )
            .await
            {
                Err(error)
                    if matches!(
                        error.kind(),
                        ErrorKind::KeyNotFound | ErrorKind::AccessDenied
                    ) =>
                {
                    tracing::debug!(replica = %replica, error = %error, "sealed: the local replica did not decrypt; asking the key's own region");
                    NO_LOCAL_REPLICA
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(replica);
                }
                done => return done,
            }
        }
    }
    let home = client_for(key.and_then(|k| k.region())).await;
    let written = KeyId {
        key,
        sent: request.key,
    };
    send(request, written, &context, &home, dry_run, true).await
}

/// The key a request names: as written, or its replica's ARN; and the key to check the answer
/// against.
#[derive(Clone, Copy)]
struct KeyId<'a> {
    key: Option<KeyRef<'a>>,
    sent: Option<&'a str>,
}

fn key_id<'a>(key: KeyRef<'a>, replica: &'a str) -> KeyId<'a> {
    KeyId {
        key: Some(key),
        sent: Some(replica),
    }
}

/// One `Decrypt` of `request` with `client`, naming `key_id`. A failure of the `last` try is
/// logged as a warning, of an earlier one at debug level.
async fn send(
    request: &EntryParts,
    key_id: KeyId<'_>,
    context: &HashMap<String, String>,
    client: &aws_sdk_kms::Client,
    dry_run: bool,
    last: bool,
) -> Result<Outcome, Error> {
    let KeyId { key, sent: key_id } = key_id;
    let region = client.config().region().map(ToString::to_string);
    let mut details = Details {
        location: Some(request.location),
        key: key_id.map(str::to_owned),
        region: region.clone(),
        context_keys: request
            .context
            .iter()
            .map(|(k, _)| (*k).to_owned())
            .collect(),
        ..Details::default()
    };
    if region.is_none() {
        return Err(Error::with(ErrorKind::NoRegion, details));
    }
    let span = tracing::info_span!(
        "sealed.decrypt",
        value = %request.location,
        key = key_id.unwrap_or(""),
        region = region.as_deref().unwrap_or(""),
        latency_ms = tracing::field::Empty,
        attempts = tracing::field::Empty,
        outcome = tracing::field::Empty,
    );
    let attempts = Arc::new(AtomicU32::new(0));
    let started = Instant::now();
    let call = client
        .decrypt()
        .ciphertext_blob(Blob::new(request.ciphertext))
        .set_key_id(key_id.map(str::to_owned))
        .set_encryption_context((!context.is_empty()).then(|| context.clone()))
        .set_encryption_algorithm(algorithm_spec(request.algorithm))
        .set_dry_run(dry_run.then_some(true))
        .customize()
        .interceptor(Attempts(attempts.clone()))
        .send()
        .instrument(span.clone())
        .await;
    let elapsed = started.elapsed();
    let attempts = attempts.load(Ordering::Relaxed);
    span.record("latency_ms", elapsed.as_millis());
    span.record("attempts", attempts);
    details.elapsed = Some(elapsed);
    details.attempts = Some(attempts);
    match call {
        Ok(mut output) => {
            let plaintext = Zeroizing::new(
                output
                    .plaintext
                    .take()
                    .map(Blob::into_inner)
                    .unwrap_or_default(),
            );
            if let (Some(key), Some(returned)) = (key, output.key_id()) {
                if !key.matches_key_arn(returned) {
                    span.record("outcome", "key mismatch");
                    // `plaintext` is zeroed as it drops here.
                    return Err(Error::with(
                        ErrorKind::KeyMismatch {
                            returned: returned.to_owned(),
                        },
                        details,
                    ));
                }
            }
            span.record("outcome", "ok");
            Ok(Outcome::Plaintext(plaintext))
        }
        Err(error) if dry_run && error.code() == Some("DryRunOperationException") => {
            span.record("outcome", "dry run passed");
            Ok(Outcome::DryRunPassed)
        }
        Err(error) => {
            let error = map_error(error, details, client);
            span.record(
                "outcome",
                tracing::field::display(error.code().unwrap_or("error")),
            );
            if last {
                tracing::warn!(parent: &span, error = %error, "sealed: Decrypt failed");
            } else {
                tracing::debug!(parent: &span, error = %error, "sealed: Decrypt failed");
            }
            Err(error)
        }
    }
}

fn map_error(
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
        // An XML error body (moto's IAM denials): keep its code and AWS's words.
        let body = error
            .raw_response()
            .and_then(|r| r.body().bytes())
            .and_then(|b| std::str::from_utf8(b).ok());
        details.code = body.and_then(|b| xml_element(b, "Code"));
        if details.aws_message.is_none() {
            details.aws_message = body.and_then(|b| xml_element(b, "Message"));
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
        SdkError::DispatchFailure(_) => match credentials::diagnose(&error) {
            Some((message, diagnosis)) => {
                details.credentials = Some(diagnosis);
                details.aws_message = Some(message);
                ErrorKind::Credentials
            }
            None => ErrorKind::Unreachable,
        },
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
    if error.code().is_none() {
        // no JSON error code: say the HTTP status beside what the body said
        let http = status.map(|s| format!("HTTP {s}"));
        details.code = match (details.code.take(), http) {
            (Some(code), Some(http)) => Some(format!("{code}, {http}")),
            (code, http) => code.or(http),
        };
    }
    let source = error.into_source().ok().map(Arc::from);
    Error::with_source(kind, details, source)
}

/// What a KMS error code (or, without one, the HTTP status) means for the user. Only 5xx is
/// KMS's side; any other answer is permanent until something changes.
fn kind_of(code: Option<&str>, status: Option<u16>) -> ErrorKind {
    match (code, status) {
        (Some("AccessDeniedException" | "AccessDenied"), _) | (None, Some(403)) => {
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

/// The text of the first `<name>…</name>` in an XML error body.
fn xml_element(body: &str, name: &str) -> Option<String> {
    let start = body.find(&format!("<{name}>"))? + name.len() + 2;
    let end = start + body[start..].find(&format!("</{name}>"))?;
    Some(body[start..end].trim().to_owned())
}
