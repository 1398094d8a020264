//! Run-time errors: what happened, to which sealed value, with which key and region, and what to
//! do next. Never any plaintext.

use core::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::credentials::Diagnosis;
use crate::declaration::Location;

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
    /// The decryption attempt panicked: in a credentials provider, an interceptor or an HTTP
    /// client installed with [`set_client`](crate::set_client). Every waiter gets this error;
    /// the next access tries again.
    Panicked,
    /// [`Sealed::get_blocking`](crate::Sealed::get_blocking) called from inside a decryption
    /// attempt (an interceptor or credentials provider of the KMS client), where it could never
    /// finish.
    BlockingInAttempt,
    /// A value of a bundle did not open with the bundle's private key: the file was edited, or
    /// the value was moved from another name, generation or bundle. No plaintext is given.
    BundleValueRejected,
    /// The private key KMS unwrapped is not the one whose public key the bundle file holds: the
    /// `public-key` line was changed, or `private-key` belongs to another key pair. No value of
    /// the bundle is opened.
    BundleKeyMismatch,
    /// KMS decrypted a bundle's `private-key` to something that is not a P-256 private key
    /// (PKCS#8): that line is not a key pair's wrapped private key.
    BundlePrivateKey,
    /// A value of a stage set read with the variable that selects the stage unset: there is
    /// never a default stage.
    StageNotSelected {
        /// The variable (`SEALED_STAGE` unless the set names another).
        variable: String,
        /// The stages this binary holds.
        stages: Vec<String>,
    },
    /// The variable that selects the stage names no stage of the set.
    UnknownStage {
        /// The variable.
        variable: String,
        /// Its value (at most 64 characters of it).
        value: String,
        /// The stages this binary holds.
        stages: Vec<String>,
    },
    /// `AWS_REGION` is not one of the regions the stage set gives the selected stage: the stage
    /// was selected in the wrong place. Found before any network call.
    StageMismatch {
        /// The selected stage.
        stage: String,
        /// `AWS_REGION`.
        region: String,
        /// The stage's regions.
        regions: Vec<String>,
    },
    /// The value is left out of the selected stage by `only = […]`: this stage has no such
    /// value, and never gets another stage's.
    StageExcluded {
        /// The selected stage.
        stage: String,
        /// The stages the value is in.
        only: Vec<String>,
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
        explain(self, &Details::default()).name
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
    /// KMS's error code (or an emulator's, from its XML body).
    pub(crate) code: Option<String>,
    /// The HTTP status of an answer that carried no KMS (JSON) error code: a proxy's page, an
    /// emulator's XML denial.
    pub(crate) http_status: Option<u16>,
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
    /// For a value of a stage set, before a stage is chosen: the set file and the value's name.
    pub(crate) stage_set: Option<(&'static str, &'static str)>,
    /// For [`ErrorKind::Unreachable`]: the TLS library's words when the endpoint's certificate
    /// was refused.
    pub(crate) certificate: Option<String>,
    /// For a bundle with failover recipients: what each recipient tried before this error's
    /// answered (`` `arn:…`: Unreachable ``).
    pub(crate) tried_before: Vec<String>,
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

/// What an error of `kind` says: its name, what happened and the one next step.
struct Explanation {
    name: &'static str,
    what: String,
    help: String,
}

fn says(name: &'static str, what: impl Into<String>, help: impl Into<String>) -> Explanation {
    Explanation {
        name,
        what: what.into(),
        help: help.into(),
    }
}

/// The one place that says, for each kind, what happened and what to do next (`d`: the
/// request's details, for the key, region, context and endpoint they name).
#[allow(clippy::too_many_lines)] // one arm per kind, each read on its own
fn explain(kind: &ErrorKind, d: &Details) -> Explanation {
    let key = d.key.as_deref().unwrap_or("the key");
    match kind {
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
            says(
                "AccessDenied",
                "access denied to kms:Decrypt",
                format!("allow the function's role to decrypt with the key: add to its policy {{\"Effect\": \"Allow\", \"Action\": \"kms:Decrypt\", \"Resource\": \"{resource}\"}}{lookup} (and check that the key policy lets the account's IAM policies grant it)"),
            )
        }
        ErrorKind::InvalidCiphertext => {
            let sent = if d.context_keys.is_empty() {
                "no encryption context was sent".to_owned()
            } else {
                format!("the context keys sent were {}", list(&d.context_keys))
            };
            says(
                "InvalidCiphertext",
                "KMS rejected the ciphertext (InvalidCiphertextException)",
                format!("the encryption context must match the one used to encrypt, exactly ({sent}); values encrypted by the Lambda console's helpers need `context = {{ \"LambdaFunctionName\": env(\"AWS_LAMBDA_FUNCTION_NAME\") }}`; otherwise the ciphertext is corrupted: seal it again"),
            )
        }
        ErrorKind::IncorrectKey => says(
            "IncorrectKey",
            "the ciphertext is not for the pinned key (IncorrectKeyException)",
            format!("the ciphertext was not made with {key}: fix `key = …`, or seal the value again with `cargo sealed encrypt --key {key}`"),
        ),
        ErrorKind::KeyDisabled => says(
            "KeyDisabled",
            "the key is disabled",
            format!("enable the key: `aws kms enable-key --key-id {key}`; the next access will try again"),
        ),
        ErrorKind::KeyInvalidState => says(
            "KeyInvalidState",
            "the key is not in a usable state",
            format!("`aws kms describe-key --key-id {key}` shows its `KeyState` and `CustomKeyStoreId`: a key pending deletion is restored with `aws kms cancel-key-deletion`; a key in a custom key store (CloudHSM or external) needs that store connected (`aws kms describe-custom-key-stores`, `aws kms connect-custom-key-store`); a key pending import needs its key material imported"),
        ),
        ErrorKind::InvalidKeyUsage => says(
            "InvalidKeyUsage",
            "the key cannot decrypt this ciphertext (InvalidKeyUsageException)",
            format!("`aws kms describe-key --key-id {key}` shows its `KeyUsage` and `EncryptionAlgorithms`: seal the value with an `ENCRYPT_DECRYPT` key, or declare the `algorithm = …` it was encrypted with"),
        ),
        ErrorKind::KeyNotFound => says(
            "KeyNotFound",
            "the key was not found",
            format!(
                "check that {key} exists in region {} of this account: a key ARN's region must match, and a bare key id or alias is looked up in `AWS_REGION`",
                d.region.as_deref().unwrap_or("(unset)")
            ),
        ),
        ErrorKind::Throttled => says(
            "Throttled",
            "KMS kept throttling Decrypt through every retry",
            "the account's KMS request quota for this region stayed exhausted (tried until 9 s after the first attempt): call `prefetch()` once at start-up instead of decrypting per request, put a function's values in one bundle (`cargo sealed bundle`: one `Decrypt` per process), or ask for a higher quota",
        ),
        ErrorKind::TimedOut => says(
            "TimedOut",
            match d.timeout {
                Some(t) => format!("Decrypt timed out after {} ms", t.as_millis()),
                None => "Decrypt timed out".into(),
            },
            "KMS did not answer in time: check the network path (VPC endpoint or NAT for functions in a VPC), or raise the timeouts with `set_client`",
        ),
        ErrorKind::Unreachable => match &d.certificate {
            Some(words) => says(
                "Unreachable",
                "KMS is unreachable: its TLS certificate was refused",
                certificate_help(words, d.endpoint.as_deref()),
            ),
            None => says(
                "Unreachable",
                "KMS is unreachable",
                format!(
                    "check the network and the endpoint ({}): functions in a VPC need a KMS VPC endpoint or a NAT gateway",
                    d.endpoint.as_deref().unwrap_or("the default KMS endpoint")
                ),
            ),
        },
        ErrorKind::Credentials => says(
            "Credentials",
            "no usable AWS credentials",
            d.credentials.as_ref().map_or_else(
                || "give the process AWS credentials (`aws sso login`, `aws configure`, or the Lambda execution role)".to_owned(),
                Diagnosis::help,
            ),
        ),
        ErrorKind::Service => says(
            "Service",
            "KMS failed to decrypt",
            "KMS reported an error on its side: the next access will try again",
        ),
        ErrorKind::InvalidRequest => says(
            "InvalidRequest",
            "KMS refused the Decrypt request",
            if d.request_id.is_none() && d.code.is_none() && d.http_status.is_none() {
                "the SDK could not build the request (its words are above): check `AWS_REGION` and `AWS_ENDPOINT_URL_KMS`"
            } else {
                "KMS's message says what it refused; this is not transient: the same request fails again until it changes (if it names nothing you control, report it with the request id)"
            },
        ),
        ErrorKind::KeyMismatch { returned } => says(
            "KeyMismatch",
            format!("KMS answered for key `{returned}`, not the pinned key"),
            format!("KMS decrypted with another key than {key}: the ciphertext belongs to that other key; seal it again under {key}"),
        ),
        ErrorKind::NotUtf8 { len, valid_up_to } => says(
            "NotUtf8",
            format!("the plaintext ({len} bytes) is not UTF-8: invalid byte at offset {valid_up_to}"),
            "use `expose()` for binary secrets, or seal the text again from a UTF-8 file",
        ),
        ErrorKind::MissingEnvVar { name } => says(
            "MissingEnvVar",
            format!("the encryption context needs `{name}`, which is not set"),
            format!("set `{name}` in the environment (Lambda sets `AWS_LAMBDA_FUNCTION_NAME` itself)"),
        ),
        ErrorKind::NoRegion => says(
            "NoRegion",
            "no region to send Decrypt to",
            "set `AWS_REGION`, or write the key as an ARN (`arn:aws:kms:REGION:ACCOUNT:key/KEY-ID`)",
        ),
        ErrorKind::Panicked => says(
            "Panicked",
            "the decryption attempt panicked",
            "the panic's message was printed by the panic hook; fix the credentials provider, interceptor or HTTP client that panicked (installed with `set_client`); the next access will try again",
        ),
        ErrorKind::BlockingInAttempt => says(
            "BlockingInAttempt",
            "`get_blocking` was called from inside a decryption attempt",
            "use `get().await`, or read the value before the KMS client's own code runs",
        ),
        ErrorKind::BundleValueRejected => {
            let (path, name) = d.bundle.unwrap_or(("FILE", "NAME"));
            says(
                "BundleValueRejected",
                "the bundle value does not open with the bundle's private key",
                format!("the file was edited, or this value was copied from another name, generation or bundle (which never opens): restore `{path}` from version control, or set the value again with `cargo sealed bundle set {path} {name}`"),
            )
        }
        ErrorKind::BundleKeyMismatch | ErrorKind::BundlePrivateKey => {
            let (path, _) = d.bundle.unwrap_or(("FILE", "NAME"));
            let help = format!("the `public-key` line of `{path}` was changed, or `private-key` was copied from another bundle: restore both lines from version control (a bundle's key pair changes only with `cargo sealed bundle rotate`, which gives it a new id too)");
            if *kind == ErrorKind::BundleKeyMismatch {
                says(
                    "BundleKeyMismatch",
                    "the bundle's private key (from KMS) is not the pair of the public key in the file",
                    help,
                )
            } else {
                says(
                    "BundlePrivateKey",
                    "KMS decrypted the bundle's private key to something that is not a P-256 private key",
                    help,
                )
            }
        }
        ErrorKind::StageNotSelected { variable, stages } => {
            let example = stages.last().map_or("prod", String::as_str);
            says(
                "StageNotSelected",
                format!("`{variable}` is not set, so no stage is selected (this binary holds {}; it never guesses one)", list(stages)),
                format!("set `{variable}` in the function's environment to its stage: SAM `Environment: {{Variables: {{{variable}: {example}}}}}`; CDK `environment: {{ {variable}: '{example}' }}`; Serverless `provider: {{environment: {{{variable}: {example}}}}}`; `cargo lambda deploy --env-var {variable}={example}`; locally `{variable}={example} cargo run`"),
            )
        }
        ErrorKind::UnknownStage { variable, value, stages } => {
            let names: Vec<&str> = stages.iter().map(String::as_str).collect();
            let near = sealed_format::closest(value, &names)
                .map(|near| format!("did you mean `{near}`? "))
                .unwrap_or_default();
            says(
                "UnknownStage",
                format!("`{variable}` is `{value}`, which is no stage of this binary (it holds {})", list(stages)),
                format!("{near}set `{variable}` to one of {}; a new stage needs `cargo sealed stage new` and a new build", list(stages)),
            )
        }
        ErrorKind::StageMismatch { stage, region, regions } => {
            let (set, _) = d.stage_set.unwrap_or(("the stage set", "NAME"));
            says(
                "StageMismatch",
                format!("the stage `{stage}` runs in {}, but `AWS_REGION` is `{region}`", list(regions)),
                format!("the stage is selected in the wrong place: fix the selector where this function is deployed in {region}; if `{stage}` runs there on purpose, add `{region}` to the `regions=` of its line in `{set}` (a reviewed change) and build again"),
            )
        }
        ErrorKind::StageExcluded { stage, only } => {
            let (set, name) = d.stage_set.unwrap_or(("FILE", "NAME"));
            says(
                "StageExcluded",
                format!("the value is not in stage `{stage}`: `only = […]` gives it to {} alone", list(only)),
                format!("do not read it in `{stage}`, or give `{stage}` the value: `printf %s \"$VALUE\" | cargo sealed stage set {set} {stage} {name}` and add `\"{stage}\"` to `only`"),
            )
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

/// What to do about a server certificate TLS refused (`words`: rustls's, such as `invalid peer
/// certificate: UnknownIssuer`): trust its authority when no trusted root signs it, else look at
/// the certificate itself.
fn certificate_help(words: &str, endpoint: Option<&str>) -> String {
    let endpoint = endpoint.unwrap_or("the default KMS endpoint");
    if !words.contains("UnknownIssuer") {
        return format!(
            "the endpoint ({endpoint}) presented a certificate TLS refused ({words}): check its host name against the endpoint's, its validity dates and this machine's clock"
        );
    }
    let trusted = match crate::tls::roots() {
        crate::tls::Roots::CompiledIn => "the roots compiled into sealed-runtime (Mozilla's list, which signs every AWS endpoint)",
        crate::tls::Roots::Platform => "the certificates SSL_CERT_FILE or SSL_CERT_DIR name, else the system's store (`native-roots`)",
    };
    format!(
        "the endpoint ({endpoint}) presented a certificate that none of the trusted roots signs ({words}); trusted are {trusted}: behind a proxy or endpoint with a private certificate authority, name its certificate with SSL_CERT_FILE, or build with sealed-runtime's `native-roots` feature to trust the system's store"
    )
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

#[cfg(test)]
mod certificate_tests {
    use super::certificate_help;

    #[test]
    fn a_certificate_no_root_signs_names_the_roots_and_another_refusal_the_certificate() {
        let unknown = certificate_help(
            "invalid peer certificate: UnknownIssuer",
            Some("https://kms.example"),
        );
        assert!(
            unknown.contains("none of the trusted roots signs"),
            "{unknown}"
        );
        assert!(
            unknown.contains("SSL_CERT_FILE") && unknown.contains("native-roots"),
            "{unknown}"
        );
        let expired = certificate_help("invalid peer certificate: Expired", None);
        assert!(
            expired.contains("validity dates and this machine's clock"),
            "{expired}"
        );
        assert!(!expired.contains("SSL_CERT_FILE"), "{expired}");
    }
}
