//! Run-time errors: what happened, to which sealed value, with which key and region, and what to
//! do next. Never any plaintext.

use core::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::credentials::Diagnosis;
use crate::facts::Location;

/// What went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The caller may not call `kms:Decrypt` on the key (IAM or key policy).
    AccessDenied,
    /// KMS could not authenticate the ciphertext: corrupted, or — most often — an
    /// encryption-context mismatch.
    InvalidCiphertext,
    /// The ciphertext was made under another key than the pinned one.
    IncorrectKey,
    /// The key is disabled.
    KeyDisabled,
    /// The key is pending deletion, pending import, or otherwise unusable — for a key in a custom
    /// key store (CloudHSM, external), often a disconnected key store.
    KeyInvalidState,
    /// The key cannot decrypt this ciphertext: a key for signing or MACs, or another algorithm
    /// than the one the ciphertext was made with (`InvalidKeyUsageException`).
    InvalidKeyUsage,
    /// The key does not exist in this region and account.
    KeyNotFound,
    /// KMS throttled the request through every retry.
    Throttled,
    /// No answer within the configured timeout.
    TimedOut,
    /// KMS could not be reached (DNS, connection, TLS).
    Unreachable,
    /// No usable AWS credentials: the credential chain found none (no credentials, a profile
    /// that does not exist, an expired `aws sso login`), or KMS rejected them (an unknown access
    /// key, a bad signature or clock skew, an expired session token).
    Credentials,
    /// KMS answered with an error of its own: an HTTP 5xx (internal error, key unavailable,
    /// dependency timeout), or an answer that is not a KMS answer at all.
    Service,
    /// KMS refused the request as invalid (`ValidationException`, or another 4xx this version
    /// does not name): permanent until the request changes.
    InvalidRequest,
    /// KMS answered `Decrypt` for another key than the one pinned with `key = …`.
    KeyMismatch {
        /// The key ARN KMS returned.
        returned: String,
    },
    /// The plaintext is not UTF-8 ([`Secret::expose_str`](crate::Secret::expose_str)).
    NotUtf8 {
        /// The plaintext's length.
        len: usize,
        /// The offset of the first invalid byte.
        valid_up_to: usize,
    },
    /// An `env("NAME")` context value whose variable is not set (or not Unicode).
    MissingEnvVar {
        /// The variable.
        name: String,
    },
    /// No region to send `Decrypt` to: no `AWS_REGION` and the key is not an ARN.
    NoRegion,
    /// A ciphertext given at run time that `sealed-format` rejects.
    InvalidFormat(sealed_format::FormatError),
    /// A key reference given at run time that is not valid.
    InvalidKey(sealed_format::KeyError),
    /// An asymmetric algorithm given at run time without a key.
    KeyRequired {
        /// The algorithm.
        algorithm: sealed_format::Algorithm,
    },
    /// An encryption context given at run time that breaks a rule (empty or duplicate key).
    InvalidContext(sealed_format::ContextError),
    /// The decryption attempt panicked: in a credentials provider, an interceptor or an HTTP
    /// client installed with [`set_client`](crate::set_client). Every waiter gets this error;
    /// the next access tries again.
    Panicked,
    /// [`Sealed::get_blocking`](crate::Sealed::get_blocking) called from inside a decryption
    /// attempt (an interceptor or credentials provider of the KMS client), where it could never
    /// finish.
    BlockingInAttempt,
    /// A value of a bundle did not authenticate under the bundle's data key: the file was edited,
    /// or the value was moved from another name or another bundle. No plaintext is given.
    BundleValueRejected,
    /// KMS decrypted a bundle's data key to another length than 32 bytes: its `data-key` line is
    /// not the data key the bundle was made with.
    BundleDataKey {
        /// The length KMS returned.
        len: usize,
    },
    /// A bundle given at run time that does not parse, or whose data key is not a valid KMS
    /// ciphertext of 32 bytes.
    InvalidBundle(sealed_format::BundleError),
    /// A bundle given at run time without the value asked for.
    NoSuchBundleValue {
        /// The name asked for.
        name: String,
        /// The names the bundle has.
        names: Vec<String>,
    },
}

impl ErrorKind {
    /// The kind's name, as stable as the variant's: for metrics, logs and alarms that group by
    /// kind (Lambda's `errorType` is `sealed.` and this name, with the `lambda` feature).
    ///
    /// ```
    /// assert_eq!(sealed_runtime::ErrorKind::AccessDenied.name(), "AccessDenied");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            ErrorKind::AccessDenied => "AccessDenied",
            ErrorKind::InvalidCiphertext => "InvalidCiphertext",
            ErrorKind::IncorrectKey => "IncorrectKey",
            ErrorKind::KeyDisabled => "KeyDisabled",
            ErrorKind::KeyInvalidState => "KeyInvalidState",
            ErrorKind::InvalidKeyUsage => "InvalidKeyUsage",
            ErrorKind::KeyNotFound => "KeyNotFound",
            ErrorKind::Throttled => "Throttled",
            ErrorKind::TimedOut => "TimedOut",
            ErrorKind::Unreachable => "Unreachable",
            ErrorKind::Credentials => "Credentials",
            ErrorKind::Service => "Service",
            ErrorKind::InvalidRequest => "InvalidRequest",
            ErrorKind::KeyMismatch { .. } => "KeyMismatch",
            ErrorKind::NotUtf8 { .. } => "NotUtf8",
            ErrorKind::MissingEnvVar { .. } => "MissingEnvVar",
            ErrorKind::NoRegion => "NoRegion",
            ErrorKind::InvalidFormat(_) => "InvalidFormat",
            ErrorKind::InvalidKey(_) => "InvalidKey",
            ErrorKind::KeyRequired { .. } => "KeyRequired",
            ErrorKind::InvalidContext(_) => "InvalidContext",
            ErrorKind::Panicked => "Panicked",
            ErrorKind::BlockingInAttempt => "BlockingInAttempt",
            ErrorKind::BundleValueRejected => "BundleValueRejected",
            ErrorKind::BundleDataKey { .. } => "BundleDataKey",
            ErrorKind::InvalidBundle(_) => "InvalidBundle",
            ErrorKind::NoSuchBundleValue { .. } => "NoSuchBundleValue",
        }
    }
}

/// An error of `sealed-runtime`: cheap to clone, so that every task that waited on one failed
/// `Decrypt` receives the same error.
#[derive(Clone)]
pub struct Error {
    inner: Arc<Inner>,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Details {
    pub(crate) location: Option<Location>,
    pub(crate) key: Option<String>,
    pub(crate) region: Option<String>,
    pub(crate) code: Option<String>,
    pub(crate) request_id: Option<String>,
    pub(crate) aws_message: Option<String>,
    pub(crate) context_keys: Vec<String>,
    pub(crate) endpoint: Option<String>,
    pub(crate) elapsed: Option<Duration>,
    pub(crate) attempts: Option<u32>,
    pub(crate) timeout: Option<Duration>,
    /// For [`ErrorKind::Credentials`]: what the chain read and what to do.
    pub(crate) credentials: Option<Diagnosis>,
    /// For a value of a bundle: the bundle file and the value's name.
    pub(crate) bundle: Option<(&'static str, &'static str)>,
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

    pub(crate) fn at(self, location: Location) -> Self {
        let mut details = self.inner.details.clone();
        details.location = Some(location);
        Error::with_source(self.inner.kind.clone(), details, self.inner.source.clone())
    }

    /// This error, with the attempts and the time of every round that led to it.
    pub(crate) fn with_totals(self, attempts: u32, elapsed: Duration) -> Self {
        let mut details = self.inner.details.clone();
        details.attempts = Some(attempts);
        details.elapsed = Some(elapsed);
        Error::with_source(self.inner.kind.clone(), details, self.inner.source.clone())
    }

    /// This error, for the value `name` of the bundle file `path`.
    pub(crate) fn in_bundle(self, path: &'static str, name: &'static str) -> Self {
        let mut details = self.inner.details.clone();
        details.bundle = Some((path, name));
        Error::with_source(self.inner.kind.clone(), details, self.inner.source.clone())
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

    /// The KMS error code (`AccessDeniedException`, …).
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

    fn key_or_default(&self) -> &str {
        self.key().unwrap_or("the key")
    }

    /// The one next step (printed after `help:`).
    pub fn help(&self) -> String {
        let d = &self.inner.details;
        let key = self.key_or_default();
        match self.kind() {
            ErrorKind::AccessDenied => {
                let resource = match (&d.key, &d.region) {
                    (Some(k), _) if k.starts_with("arn:") && k.contains(":key/") => k.clone(),
                    (_, Some(region)) => format!("arn:aws:kms:{region}:ACCOUNT:key/KEY-ID"),
                    _ => "arn:aws:kms:REGION:ACCOUNT:key/KEY-ID".to_owned(),
                };
                let lookup = match &d.key {
                    Some(k) if !(k.starts_with("arn:") && k.contains(":key/")) => format!(
                        "; `{k}` is not a key ARN: `aws kms describe-key --key-id {k}` shows it"
                    ),
                    _ => String::new(),
                };
                format!(
                    "allow the function's role to decrypt with the key: add to its policy {{\"Effect\": \"Allow\", \"Action\": \"kms:Decrypt\", \"Resource\": \"{resource}\"}}{lookup} (and check that the key policy lets the account's IAM policies grant it)"
                )
            }
            ErrorKind::InvalidCiphertext => {
                let sent = if d.context_keys.is_empty() {
                    "no encryption context was sent".to_owned()
                } else {
                    format!("the context keys sent were {}", list(&d.context_keys))
                };
                format!(
                    "the encryption context must match the one used to encrypt, exactly ({sent}); values encrypted by the Lambda console's helpers need `context = {{ \"LambdaFunctionName\": env(\"AWS_LAMBDA_FUNCTION_NAME\") }}`; otherwise the ciphertext is corrupted: seal it again"
                )
            }
            ErrorKind::IncorrectKey => format!(
                "the ciphertext was not made with {key}: fix `key = …`, or seal the value again with `cargo sealed encrypt --key {key}`"
            ),
            ErrorKind::KeyDisabled => format!("enable the key: `aws kms enable-key --key-id {key}`; the next access will try again"),
            ErrorKind::KeyInvalidState => format!(
                "`aws kms describe-key --key-id {key}` shows its `KeyState` and `CustomKeyStoreId`: a key pending deletion is restored with `aws kms cancel-key-deletion`; a key in a custom key store (CloudHSM or external) needs that store connected (`aws kms describe-custom-key-stores`, `aws kms connect-custom-key-store`); a key pending import needs its key material imported"
            ),
            ErrorKind::InvalidKeyUsage => format!(
                "`aws kms describe-key --key-id {key}` shows its `KeyUsage` and `EncryptionAlgorithms`: seal the value with an `ENCRYPT_DECRYPT` key, or declare the `algorithm = …` it was encrypted with"
            ),
            ErrorKind::KeyNotFound => format!(
                "check that {key} exists in region {} of this account: a key ARN's region must match, and a bare key id or alias is looked up in `AWS_REGION`",
                d.region.as_deref().unwrap_or("(unset)")
            ),
            ErrorKind::Throttled => "the account's KMS request quota for this region stayed exhausted (tried until 9 s after the first attempt): call `prefetch()` once at start-up instead of decrypting per request, put a function's values in one bundle (`cargo sealed bundle`: one `Decrypt` per process), or ask for a higher quota".to_owned(),
            ErrorKind::TimedOut => "KMS did not answer in time: check the network path (VPC endpoint or NAT for functions in a VPC), or raise the timeouts with `set_client`".to_owned(),
            ErrorKind::Unreachable => format!(
                "check the network and the endpoint ({}): functions in a VPC need a KMS VPC endpoint or a NAT gateway",
                d.endpoint.as_deref().unwrap_or("the default KMS endpoint")
            ),
            ErrorKind::Service => "KMS reported an error on its side: the next access will try again".to_owned(),
            ErrorKind::InvalidRequest if d.request_id.is_none() && d.code.is_none() => "the SDK could not build the request (its error is this error's `source()`): check `AWS_REGION` and `AWS_ENDPOINT_URL_KMS`".to_owned(),
            ErrorKind::InvalidRequest => "KMS's message says what it refused; this is not transient: the same request fails again until it changes (if it names nothing you control, report it with the request id)".to_owned(),
            ErrorKind::Credentials => d.credentials.as_ref().map_or_else(
                || "give the process AWS credentials (`aws sso login`, `aws configure`, or the Lambda execution role)".to_owned(),
                Diagnosis::help,
            ),
            ErrorKind::KeyMismatch { .. } => format!(
                "KMS decrypted with another key than {key}: the ciphertext belongs to that other key; seal it again under {key}"
            ),
            ErrorKind::NotUtf8 { .. } => "use `expose()` for binary secrets, or seal the text again from a UTF-8 file".to_owned(),
            ErrorKind::MissingEnvVar { name } => format!("set `{name}` in the environment (Lambda sets `AWS_LAMBDA_FUNCTION_NAME` itself)"),
            ErrorKind::NoRegion => "set `AWS_REGION`, or write the key as an ARN (`arn:aws:kms:REGION:ACCOUNT:key/KEY-ID`)".to_owned(),
            ErrorKind::InvalidFormat(error) => error.help(),
            ErrorKind::InvalidKey(_) => "write a key id, a key ARN, `alias/NAME` or an alias ARN".to_owned(),
            ErrorKind::KeyRequired { .. } => "add `.key(\"arn:aws:kms:REGION:ACCOUNT:key/KEY-ID\")` naming the asymmetric key".to_owned(),
            ErrorKind::InvalidContext(_) => "give each encryption-context key once, non-empty, as at encryption".to_owned(),
            ErrorKind::Panicked => "the panic's message was printed by the panic hook; fix the credentials provider, interceptor or HTTP client that panicked (installed with `set_client`); the next access will try again".to_owned(),
            ErrorKind::BlockingInAttempt => "use `get().await`, or read the value before the KMS client's own code runs".to_owned(),
            ErrorKind::BundleValueRejected | ErrorKind::BundleDataKey { .. } => {
                let (path, name) = d.bundle.unwrap_or(("FILE", "NAME"));
                format!("the file was edited, or this value was copied from another name or bundle (which never opens): restore `{path}` from version control, or set the value again with `cargo sealed bundle set {path} {name}`")
            }
            ErrorKind::InvalidBundle(error) => error.help(),
            ErrorKind::NoSuchBundleValue { name, .. } => format!("add it with `cargo sealed bundle set FILE {name}`, or fix the name"),
        }
    }

    fn what(&self) -> String {
        let d = &self.inner.details;
        match self.kind() {
            ErrorKind::AccessDenied => "access denied to kms:Decrypt".into(),
            ErrorKind::InvalidCiphertext => {
                "KMS rejected the ciphertext (InvalidCiphertextException)".into()
            }
            ErrorKind::IncorrectKey => {
                "the ciphertext is not for the pinned key (IncorrectKeyException)".into()
            }
            ErrorKind::KeyDisabled => "the key is disabled".into(),
            ErrorKind::KeyInvalidState => "the key is not in a usable state".into(),
            ErrorKind::InvalidKeyUsage => "the key cannot decrypt this ciphertext (InvalidKeyUsageException)".into(),
            ErrorKind::KeyNotFound => "the key was not found".into(),
            ErrorKind::Throttled => {
                "KMS kept throttling Decrypt through every retry".into()
            }
            ErrorKind::TimedOut => match d.timeout {
                Some(t) => format!("Decrypt timed out after {} ms", t.as_millis()),
                None => "Decrypt timed out".into(),
            },
            ErrorKind::Unreachable => "KMS is unreachable".into(),
            ErrorKind::Credentials => "no usable AWS credentials".into(),
            ErrorKind::Service => "KMS failed to decrypt".into(),
            ErrorKind::InvalidRequest => "KMS refused the Decrypt request".into(),
            ErrorKind::KeyMismatch { returned } => {
                format!("KMS answered for key `{returned}`, not the pinned key")
            }
            ErrorKind::NotUtf8 { len, valid_up_to } => format!(
                "the plaintext ({len} bytes) is not UTF-8: invalid byte at offset {valid_up_to}"
            ),
            ErrorKind::MissingEnvVar { name } => {
                format!("the encryption context needs `{name}`, which is not set")
            }
            ErrorKind::NoRegion => "no region to send Decrypt to".into(),
            ErrorKind::InvalidFormat(error) => format!("invalid ciphertext: {error}"),
            ErrorKind::InvalidKey(error) => format!("invalid key: {error}"),
            ErrorKind::KeyRequired { algorithm } => format!("`{algorithm}` needs a key: KMS decrypts asymmetric ciphertexts only when told the key"),
            ErrorKind::InvalidContext(error) => format!("invalid encryption context: {error}"),
            ErrorKind::Panicked => "the decryption attempt panicked".into(),
            ErrorKind::BlockingInAttempt => "`get_blocking` was called from inside a decryption attempt".into(),
            ErrorKind::BundleValueRejected => "the bundle value does not authenticate under the bundle's data key".into(),
            ErrorKind::BundleDataKey { len } => format!("KMS decrypted the bundle's data key to {len} bytes, not 32"),
            ErrorKind::InvalidBundle(error) => format!("invalid bundle: {error}"),
            ErrorKind::NoSuchBundleValue { name, names } => format!(
                "no value `{name}` in the bundle; its values: {}",
                if names.is_empty() { "none".to_owned() } else { list(names) }
            ),
        }
    }
}

fn list(items: &[String]) -> String {
    items
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for Error {
    /// `access denied to kms:Decrypt for the sealed value at src/main.rs:12:25 (key `…`, region
    /// eu-west-1, AccessDeniedException, request id …): AWS's message; help: …`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.inner.details;
        f.write_str(&self.what())?;
        if let Some(location) = d.location {
            write!(f, " for the sealed value at {location}")?;
        }
        let mut facts = Vec::new();
        if let Some((path, name)) = d.bundle {
            facts.push(format!("value `{name}` of bundle `{path}`"));
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
        if !facts.is_empty() {
            write!(f, " ({})", facts.join(", "))?;
        }
        if let Some(message) = d.aws_message.as_deref().filter(|m| !m.is_empty()) {
            write!(f, ": {message}")?;
        }
        write!(f, "; help: {}", self.help())
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

impl From<crate::facts::Panicked> for Error {
    fn from(_: crate::facts::Panicked) -> Self {
        Error::new(ErrorKind::Panicked)
    }
}

impl std::error::Error for Error {
    /// The error this one wraps: the SDK's error (its own chain leads to the credential
    /// provider's, the connector's, …), or the [`FormatError`](sealed_format::FormatError),
    /// [`KeyError`](sealed_format::KeyError) or [`ContextError`](sealed_format::ContextError) of a
    /// value built at run time.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self.kind() {
            ErrorKind::InvalidFormat(error) => Some(error),
            ErrorKind::InvalidKey(error) => Some(error),
            ErrorKind::InvalidContext(error) => Some(error),
            ErrorKind::InvalidBundle(error) => Some(error),
            _ => self
                .inner
                .source
                .as_deref()
                .map(|e| e as &(dyn std::error::Error + 'static)),
        }
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
        let error = Error::new(ErrorKind::AccessDenied).at(Location::__new("src/main.rs", 3, 30));
        let message = error.to_string();
        let diagnostic = lambda_runtime::Diagnostic::from(error);
        assert_eq!(diagnostic.error_type, "sealed.AccessDenied");
        assert_eq!(diagnostic.error_message, message);
        for kind in [
            ErrorKind::Throttled,
            ErrorKind::BundleValueRejected,
            ErrorKind::Credentials,
        ] {
            let name = kind.name();
            let diagnostic = lambda_runtime::Diagnostic::from(Error::new(kind));
            assert_eq!(diagnostic.error_type, format!("sealed.{name}"));
        }
    }
}
