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
        .send()
        .instrument(span.clone())
        .await;
    let elapsed = started.elapsed();
    let attempts = attempts.total() - attempts_before;
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
            if let Some(key) = key {
                // an answer that names no key cannot be held to the pinned one (`plaintext` is
                // zeroed as it drops)
                let Some(returned) = output.key_id() else {
                    span.record("outcome", "no key id");
                    return Err(Error::with(ErrorKind::KeyNotReturned, details));
                };
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
