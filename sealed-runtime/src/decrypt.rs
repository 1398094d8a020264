//! One `Decrypt` request: what it sends (the ciphertext, the pinned key, the encryption context
//! read now, the algorithm), what it accepts (an answer for the pinned key only), its span, and
//! how a failure is logged. Which region it goes to is `replica`'s; trying again after
//! throttling, `throttling`'s; what a failure means, `kms_error`'s.
//!
//! Every `Decrypt` runs `throttling::decrypt` → `replica::call` (once per round) →
//! [`send`] (once per region tried). [`Attempts`] counts the SDK's attempts across all of them,
//! for the error's totals; [`context_now`] reads the `env("NAME")` values of the context at the
//! moment of the call.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Instant;

use aws_sdk_kms::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_kms::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_kms::error::{BoxError, ProvideErrorMetadata as _};
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::EncryptionAlgorithmSpec;
use sealed_format::{Algorithm, KeyRef};
use tracing::Instrument as _;
use zeroize::Zeroizing;

use crate::declaration::{ContextValue, Request};
use crate::error::{Details, Error, ErrorKind};
use crate::kms_error;

/// Whether the request decrypts or only proves that it would.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `Decrypt`: the plaintext.
    Decrypt,
    /// `Decrypt` with `DryRun`: KMS checks everything and decrypts nothing.
    DryRun,
}

/// What a failure of this request is, for the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fallback {
    /// Another request follows if this one fails (the key's own region after its local
    /// replica): a failure is logged at debug level.
    Follows,
    /// This is the last request: a failure is the user's error, logged as a warning.
    None,
}

/// What a `Decrypt` ended with.
pub(crate) enum Outcome {
    /// The plaintext (a server that ignores `DryRun` also gives one).
    Plaintext(Zeroizing<Vec<u8>>),
    /// KMS answered `DryRunOperationException`: the real call would succeed.
    DryRunPassed,
}

/// The key a request names (as written, or its replica's ARN) and the key its answer must be for.
#[derive(Clone, Copy)]
pub(crate) struct KeyId<'a> {
    /// The key declared, to check the answer's `KeyId` against.
    pub(crate) key: Option<KeyRef<'a>>,
    /// The `KeyId` the request sends.
    pub(crate) sent: Option<&'a str>,
}

/// Counts HTTP attempts (retries included) of every request sent with it, for errors and
/// tracing: one counter per access, across its throttling rounds and regions, so that a round
/// cut short by the deadline still counts the attempts it made.
#[derive(Clone, Debug, Default)]
pub(crate) struct Attempts(Arc<AtomicU32>);

impl Attempts {
    /// The attempts so far.
    pub(crate) fn total(&self) -> u32 {
        self.0.load(Ordering::Relaxed)
    }
}

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

/// The encryption context with its `env("NAME")` values read now; a missing variable fails
/// before any call to KMS. (`cargo sealed reseal` reads a context the same way from the parsed
/// source, in `sealed-cli/src/reseal.rs`, with errors worded for a terminal.)
pub(crate) fn context_now(declared: &Request) -> Result<HashMap<String, String>, Error> {
    let mut context = HashMap::with_capacity(declared.context.len());
    for (key, value) in declared.context {
        let value = match value {
            ContextValue::Literal(value) => (*value).to_owned(),
            ContextValue::Env(name) => std::env::var(name).map_err(|_| {
                Error::new(ErrorKind::MissingEnvVar {
                    name: (*name).to_owned(),
                })
                .at(declared.location)
            })?,
        };
        context.insert((*key).to_owned(), value);
    }
    Ok(context)
}

/// Stops a request before it is sent to a plain-HTTP endpoint off this machine
/// ([`plain_http_elsewhere`]) unless `allow_plain`, recording the endpoint it refused.
#[derive(Clone, Debug)]
struct EndpointGuard {
    allow_plain: bool,
    refused: Arc<std::sync::Mutex<Option<String>>>,
}

impl Intercept for EndpointGuard {
    fn name(&self) -> &'static str {
        "sealed-endpoint-guard"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let uri = context.request().uri();
        if self.allow_plain || !plain_http_elsewhere(uri) {
            return Ok(());
        }
        // the endpoint for the error, without a query or any user name and password in it
        let endpoint = uri.split(['?', '#']).next().unwrap_or_default();
        let endpoint = match endpoint.split_once("://") {
            Some((scheme, rest)) => {
                let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
                let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
                format!("{scheme}://{host}/{path}")
            }
            None => endpoint.to_owned(),
        };
        if let Ok(mut refused) = self.refused.lock() {
            *refused = Some(endpoint);
        }
        Err("refused: plain HTTP to a KMS endpoint off this machine".into())
    }
}

/// Whether `endpoint` is plain HTTP to a host other than this machine's loopback
/// (`127.0.0.0/8`, `::1`, `localhost`): where a `Decrypt` answer, plaintext and all, would
/// travel unprotected.
pub(crate) fn plain_http_elsewhere(endpoint: &str) -> bool {
    let Some(rest) = endpoint
        .get(..7)
        .filter(|scheme| scheme.eq_ignore_ascii_case("http://"))
        .map(|_| &endpoint[7..])
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.split(':').next().unwrap_or_default(),
    };
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    !loopback
}

/// A `Decrypt` answer held to the pinned `key`: its plaintext, or why it is refused (the
/// plaintext is zeroed as it drops).
fn answered(
    mut output: aws_sdk_kms::operation::decrypt::DecryptOutput,
    key: Option<&KeyRef<'_>>,
    details: Details,
    span: &tracing::Span,
) -> Result<Outcome, Error> {
    let plaintext = Zeroizing::new(
        output
            .plaintext
            .take()
            .map(Blob::into_inner)
            .unwrap_or_default(),
    );
    if let Some(key) = key {
        // an answer that names no key cannot be held to the pinned one
        let Some(returned) = output.key_id() else {
            span.record("outcome", "no key id");
            return Err(Error::with(ErrorKind::KeyNotReturned, details));
        };
        if !key.matches_key_arn(returned) {
            span.record("outcome", "key mismatch");
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

/// One `Decrypt` of `declared` with `client`, naming `key_id`.
pub(crate) async fn send(
    declared: &Request,
    key_id: KeyId<'_>,
    context: &HashMap<String, String>,
    client: &aws_sdk_kms::Client,
    mode: Mode,
    fallback: Fallback,
    attempts: &Attempts,
) -> Result<Outcome, Error> {
    let KeyId { key, sent: key_id } = key_id;
    let region = client.config().region().map(ToString::to_string);
    let mut details = Details {
        location: Some(declared.location),
        key: key_id.map(str::to_owned),
        region: region.clone(),
        context_keys: declared
            .context
            .iter()
            .map(|(k, _)| (*k).to_owned())
            .collect(),
        ..Details::default()
    };
    if region.is_none() {
        return Err(Error::with(ErrorKind::NoRegion, details));
    }
    let guard = EndpointGuard {
        allow_plain: cfg!(feature = "emulator") || declared.emulator_key_id.is_some(),
        refused: Arc::default(),
    };
    let span = tracing::info_span!(
        "sealed.decrypt",
        value = %declared.location,
        key = key_id.unwrap_or(""),
        region = region.as_deref().unwrap_or(""),
        latency_ms = tracing::field::Empty,
        attempts = tracing::field::Empty,
        outcome = tracing::field::Empty,
    );
    let attempts_before = attempts.total();
    let started = Instant::now();
    let call = client
        .decrypt()
        .ciphertext_blob(Blob::new(declared.ciphertext))
        .set_key_id(key_id.map(str::to_owned))
        .set_encryption_context((!context.is_empty()).then(|| context.clone()))
        .set_encryption_algorithm(algorithm_spec(declared.algorithm))
        .set_dry_run((mode == Mode::DryRun).then_some(true))
        .customize()
        .interceptor(attempts.clone())
        .interceptor(guard.clone())
        .send()
        .instrument(span.clone())
        .await;
    let elapsed = started.elapsed();
    let attempts = attempts.total() - attempts_before;
    span.record("latency_ms", elapsed.as_millis());
    span.record("attempts", attempts);
    details.elapsed = Some(elapsed);
    details.attempts = Some(attempts);
    let refused = guard.refused.lock().map(|r| r.clone()).unwrap_or_default();
    if let Some(endpoint) = refused {
        span.record("outcome", "insecure endpoint");
        return Err(Error::with(
            ErrorKind::InsecureEndpoint { endpoint },
            details,
        ));
    }
    match call {
        Ok(output) => answered(output, key.as_ref(), details, &span),
        Err(error) if mode == Mode::DryRun && error.code() == Some("DryRunOperationException") => {
            span.record("outcome", "dry run passed");
            Ok(Outcome::DryRunPassed)
        }
        Err(error) => {
            let error = kms_error::error_of(error, details, client);
            span.record(
                "outcome",
                tracing::field::display(error.code().unwrap_or("error")),
            );
            match fallback {
                Fallback::None => {
                    tracing::warn!(parent: &span, error = %error, "sealed: Decrypt failed");
                }
                Fallback::Follows => {
                    tracing::debug!(parent: &span, error = %error, "sealed: Decrypt failed");
                }
            }
            Err(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::plain_http_elsewhere;

    #[test]
    fn plain_http_is_refused_off_this_machine_only() {
        for local in [
            "http://127.0.0.1:4566",
            "HTTP://127.9.9.9",
            "http://localhost:8080/",
            "http://[::1]:9000",
            "http://user@127.0.0.1:1",
            "https://kms.eu-west-1.amazonaws.com",
            "https://10.0.0.5",
        ] {
            assert!(!plain_http_elsewhere(local), "{local}");
        }
        for elsewhere in [
            "http://localstack:4566",
            "http://10.0.0.5",
            "http://kms.eu-west-1.amazonaws.com",
            "http://[fe80::1]:80",
            "http://127.0.0.1.evil.example",
            "http://localhost.evil.example/",
            "http://127.0.0.1@evil.example",
        ] {
            assert!(plain_http_elsewhere(elsewhere), "{elsewhere}");
        }
    }
}
