//! Run-time errors: what happened, to which sealed value, with which key and region, and what to
//! do next. Never any plaintext.

use core::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::credentials::Diagnosis;
use crate::declaration::Location;
pub(crate) use crate::error_kind::Details;
pub use crate::error_kind::ErrorKind;
use crate::error_words::{explain, Explanation};

/// An error of `sealed-runtime`: cheap to clone, so that every task that waited on one failed
/// `Decrypt` receives the same error.
#[derive(Clone)]
pub struct Error {
    inner: Arc<Inner>,
}

/// The error this one wraps: the SDK's, for the whole chain (`aws_smithy_types::error::display::
/// DisplayErrorContext` prints it). Never holds a plaintext: KMS error responses carry none.
type Source = Arc<dyn std::error::Error + Send + Sync + 'static>;

struct Inner {
    kind: ErrorKind,
    details: Details,
    source: Option<Source>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind) -> Self {
        Error::with(kind, Details::default())
    }

    pub(crate) fn with(kind: ErrorKind, details: Details) -> Self {
        Error::with_source(kind, details, None)
    }

    pub(crate) fn with_source(kind: ErrorKind, details: Details, source: Option<Source>) -> Self {
        Error {
            inner: Arc::new(Inner {
                kind,
                details,
                source,
            }),
        }
    }

    /// This error with `details` changed by `change`.
    fn with_details(self, change: impl FnOnce(&mut Details)) -> Self {
        let mut details = self.inner.details.clone();
        change(&mut details);
        Error::with_source(self.inner.kind.clone(), details, self.inner.source.clone())
    }

    pub(crate) fn at(self, location: Location) -> Self {
        self.with_details(|d| d.location = Some(location))
    }

    /// This error, with the attempts and the time of every round that led to it.
    pub(crate) fn with_totals(self, attempts: u32, elapsed: Duration) -> Self {
        self.with_details(|d| {
            d.attempts = Some(attempts);
            d.elapsed = Some(elapsed);
        })
    }

    /// This error, the last recipient's, after the bundle's earlier recipients answered as
    /// `tried` says.
    pub(crate) fn after_failover(self, tried: Vec<String>) -> Self {
        self.with_details(|d| d.tried_before = tried)
    }

    /// This error, for the value `name` of the bundle file `path`.
    pub(crate) fn in_bundle(self, path: &'static str, name: &'static str) -> Self {
        self.with_details(|d| d.bundle = Some((path, name)))
    }

    /// This error, for the value `name` of the stage set `path`.
    pub(crate) fn in_stage_set(self, path: &'static str, name: &'static str) -> Self {
        self.with_details(|d| d.stage_set = Some((path, name)))
    }

    /// For a value of a bundle: the bundle file (as `bundle = "…"` names it) and the value's
    /// name.
    pub fn bundle(&self) -> Option<(&'static str, &'static str)> {
        self.inner.details.bundle
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.inner.kind
    }

    /// Where the failing `sealed!` is written.
    pub fn location(&self) -> Option<Location> {
        self.inner.details.location
    }

    /// The key the request named, if any.
    pub fn key(&self) -> Option<&str> {
        self.inner.details.key.as_deref()
    }

    /// The region the request went to.
    pub fn region(&self) -> Option<&str> {
        self.inner.details.region.as_deref()
    }

    /// The KMS error code (`AccessDeniedException`, …): only ever a code KMS (or an emulator)
    /// sent, never an HTTP status (the message names the status of an answer without a code).
    pub fn code(&self) -> Option<&str> {
        self.inner.details.code.as_deref()
    }

    /// The KMS request id, for AWS support and `CloudTrail`.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.details.request_id.as_deref()
    }

    /// How many HTTP attempts the failed `Decrypt` made (retries included).
    pub fn attempts(&self) -> Option<u32> {
        self.inner.details.attempts
    }

    /// How long the failed `Decrypt` took, retries included.
    pub fn elapsed(&self) -> Option<Duration> {
        self.inner.details.elapsed
    }

    /// Whether the same access may succeed later without a change (throttling, timeouts, outages,
    /// KMS's 5xx). Credentials, permissions, keys, ciphertexts and invalid requests are not: they
    /// fail the same way until someone changes something.
    pub fn is_transient(&self) -> bool {
        match self.kind() {
            ErrorKind::Throttled
            | ErrorKind::TimedOut
            | ErrorKind::Unreachable
            | ErrorKind::Service => true,
            // a credentials endpoint that did not answer in time
            ErrorKind::Credentials => self
                .inner
                .details
                .credentials
                .as_ref()
                .is_some_and(Diagnosis::is_transient),
            _ => false,
        }
    }

    /// The one next step (printed after `help:`).
    pub fn help(&self) -> String {
        explain(self.kind(), &self.inner.details).help
    }
}

impl fmt::Display for Error {
    /// `access denied to kms:Decrypt for the sealed value at src/main.rs:12:25 (key `…`, region
    /// eu-west-1, AccessDeniedException, request id …): AWS's message; help: …`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.inner.details;
        let Explanation { what, help, .. } = explain(self.kind(), d);
        f.write_str(&what)?;
        if let Some(location) = d.location {
            write!(f, " for the sealed value at {location}")?;
        }
        let mut facts = Vec::new();
        if let Some((path, name)) = d.bundle {
            facts.push(format!("value `{name}` of bundle `{path}`"));
        }
        if let Some((path, name)) = d.stage_set {
            facts.push(format!("value `{name}` of stage set `{path}`"));
        }
        if let Some(key) = &d.key {
            facts.push(format!("key `{key}`"));
        }
        if let Some(region) = &d.region {
            facts.push(format!("region {region}"));
        }
        if let Some(code) = &d.code {
            facts.push(code.clone());
        }
        if let Some(status) = d.http_status {
            facts.push(format!("HTTP {status}"));
        }
        if let Some(id) = &d.request_id {
            facts.push(format!("request id {id}"));
        }
        match (d.attempts, d.elapsed) {
            (Some(n), Some(elapsed)) => facts.push(format!(
                "{n} attempt{} in {} ms",
                if n == 1 { "" } else { "s" },
                elapsed.as_millis()
            )),
            (None, Some(elapsed)) => facts.push(format!("after {} ms", elapsed.as_millis())),
            _ => {}
        }
        if let (ErrorKind::Credentials, Some(words)) = (self.kind(), &d.certificate) {
            facts.push(format!("a TLS certificate was refused: {words}"));
        }
        if !d.tried_before.is_empty() {
            facts.push(format!(
                "the last recipient tried, after {}",
                d.tried_before.join(", ")
            ));
        }
        if !facts.is_empty() {
            write!(f, " ({})", facts.join(", "))?;
        }
        if let Some(message) = d.aws_message.as_deref().filter(|m| !m.is_empty()) {
            write!(f, ": {message}")?;
        }
        write!(f, "; help: {help}")
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", self.kind())
            .field("details", &self.inner.details)
            .finish()
    }
}

impl From<crate::flight::Panicked> for Error {
    fn from(_: crate::flight::Panicked) -> Self {
        Error::new(ErrorKind::Panicked)
    }
}

impl std::error::Error for Error {
    /// The error this one wraps, from the first one whose words the message does not already
    /// say (so that a reporter printing the chain does not repeat KMS's message): the SDK's
    /// (its own chain leads to the credential provider's, the connector's, …), or `None` when
    /// the message said all of it.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        let mut next: &(dyn std::error::Error + 'static) = self.inner.source.as_deref()?;
        if let Some(printed) = self.inner.details.aws_message.as_deref() {
            while !printed.is_empty() && next.to_string().contains(printed) {
                next = next.source()?;
            }
        }
        Some(next)
    }
}

/// With the `lambda` feature: the error as Lambda reports it. `errorType` (what the console,
/// CloudWatch and alarms group by) names what happened, `sealed.` and [`ErrorKind::name`]
/// (`sealed.AccessDenied`); `errorMessage` is the whole message, with its `help:`. Return
/// `Result<_, sealed_runtime::Error>` from a handler, or convert with `?` into a handler error
/// type of your own that is `Into<Diagnostic>`.
#[cfg(feature = "lambda")]
#[cfg_attr(docsrs, doc(cfg(feature = "lambda")))]
impl From<Error> for lambda_runtime::Diagnostic {
    fn from(error: Error) -> Self {
        lambda_runtime::Diagnostic {
            error_type: format!("sealed.{}", error.kind().name()),
            error_message: error.to_string(),
        }
    }
}

#[cfg(all(test, feature = "lambda"))]
mod lambda_tests {
    use super::*;

    #[test]
    fn lambda_reports_what_happened_as_the_error_type_and_the_message_whole() {
        let error = Error::new(ErrorKind::AccessDenied).at(crate::declaration::location(
            "src/main.rs",
            3,
            30,
        ));
        let message = error.to_string();
        let diagnostic = lambda_runtime::Diagnostic::from(error);
        assert_eq!(diagnostic.error_type, "sealed.AccessDenied");
        assert_eq!(diagnostic.error_message, message);
        for kind in [
            ErrorKind::Throttled,
            ErrorKind::BundleValueRejected,
            ErrorKind::BundleKeyMismatch,
            ErrorKind::Credentials,
        ] {
            let name = kind.name();
            let diagnostic = lambda_runtime::Diagnostic::from(Error::new(kind));
            assert_eq!(diagnostic.error_type, format!("sealed.{name}"));
        }
    }
}
