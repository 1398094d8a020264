//! What went wrong, by kind ([`ErrorKind`]), and the details of the request an error names (key,
//! region, codes, location, what was tried): the words of [`crate::error`] are made from both.

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
    /// KMS answered `Decrypt` for a value whose key is pinned without naming the key it used
    /// (no `KeyId`): AWS KMS always names it, so the answer cannot be checked and is refused.
    KeyNotReturned,
    /// The KMS endpoint is plain HTTP and not this machine (loopback): a `Decrypt` answer carries
    /// the plaintext, which anyone on the path could read or replace. Refused before sending,
    /// unless the `emulator` feature is on or the value is an emulator's ciphertext.
    InsecureEndpoint {
        /// The endpoint, as configured.
        endpoint: String,
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
        /// Its value (at most 64 characters of it) when it is a near miss of a stage's name;
        /// empty otherwise: the variable is the set's choice, and may hold anything.
        value: String,
        /// Its length, in characters.
        length: usize,
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
