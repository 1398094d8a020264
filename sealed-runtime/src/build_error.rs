//! The errors of the run-time builders ([`Sealed::builder`](crate::Sealed::builder),
//! [`Sealed::from_bundle`](crate::Sealed::from_bundle)): a value given at run time that the
//! checks of `sealed!` reject. Kept apart from [`Error`](crate::Error), which is what an
//! access to a value meets (as aws-smithy keeps `BuildError` apart from `SdkError`): nothing
//! was sent to KMS.

use core::fmt;

use crate::declaration::Location;

/// What the check rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildErrorKind {
    /// A ciphertext that `sealed-format` rejects.
    InvalidFormat(sealed_format::FormatError),
    /// A key reference that is not valid.
    InvalidKey(sealed_format::KeyError),
    /// An asymmetric algorithm without a key.
    KeyRequired {
        /// The algorithm.
        algorithm: sealed_format::Algorithm,
    },
    /// An encryption context that breaks a rule (empty or duplicate key).
    InvalidContext(sealed_format::ContextError),
    /// A bundle that does not parse, or whose wrapped private key is not a valid KMS ciphertext
    /// of a P-256 private key's length.
    InvalidBundle(sealed_format::BundleError),
    /// A failover recipient pinned
    /// ([`BundleValueBuilder::failover`](crate::build::BundleValueBuilder::failover)) that is
    /// none of the bundle's `recipient` lines (or is its key, or pinned twice).
    NotARecipient {
        /// The key pinned.
        key: String,
        /// The bundle's keys, as the message lists them.
        keys: String,
    },
    /// A bundle whose key, encryption context or id is not the one the program pinned
    /// ([`BundleValueBuilder::expect_key`](crate::build::BundleValueBuilder::expect_key) and the like).
    BundleNotPinned {
        /// What was pinned: `key`, `context` or `id`.
        pinned: String,
        /// What the program pinned.
        expected: String,
        /// What the file says.
        found: String,
    },
    /// A bundle read at run time whose key the program did not pin
    /// ([`BundleValueBuilder::expect_key`](crate::build::BundleValueBuilder::expect_key)): the file
    /// alone would choose the key its private key is unwrapped with.
    BundleKeyNotPinned {
        /// The key the file names.
        found: String,
    },
    /// A bundle read at run time whose readers the program did not pin
    /// ([`BundleValueBuilder::expect_readers`](crate::build::BundleValueBuilder::expect_readers)):
    /// the file alone would choose who can read its values.
    BundleReadersNotPinned {
        /// The file's readers, as the program would pin them.
        readers: Vec<String>,
    },
    /// A pinned reader that is not written as one (`[STAGE ]KIND KEY-ARN FINGERPRINT`).
    MalformedReader {
        /// The pin as given.
        pin: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A bundle whose readers are not the ones the program pins: a reader added, another key
    /// pair under a pinned key, a pinned reader gone.
    BundleReadersChanged {
        /// Each difference, one per line.
        changes: String,
        /// The file's readers, as the program would pin them.
        readers: Vec<String>,
    },
    /// A bundle without the value asked for.
    NoSuchBundleValue {
        /// The name asked for.
        name: String,
        /// The names the bundle has.
        names: Vec<String>,
    },
}

/// `readers` as Rust string literals, comma-separated.
fn quoted(readers: &[String]) -> String {
    readers
        .iter()
        .map(|r| format!("{r:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A sealed value given at run time that the checks of `sealed!` reject, at the builder's call
/// site (or the location given to it).
///
/// ```
/// use sealed_runtime::{build::BuildErrorKind, Sealed};
///
/// let error = Sealed::builder("AQICAHh...==").build().unwrap_err();
/// assert!(matches!(error.kind(), BuildErrorKind::InvalidFormat(_)));
/// assert!(error.to_string().starts_with("invalid ciphertext: ciphertext is elided"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildError {
    kind: BuildErrorKind,
    location: Location,
}

impl BuildError {
    pub(crate) fn new(kind: BuildErrorKind, location: Location) -> Self {
        BuildError { kind, location }
    }

    /// What the check rejected.
    pub fn kind(&self) -> &BuildErrorKind {
        &self.kind
    }

    /// Where the builder was called (or the location given to it).
    pub fn location(&self) -> Location {
        self.location
    }

    /// The one next step (printed after `help:`).
    pub fn help(&self) -> String {
        self.kind.explain().1
    }
}

impl BuildErrorKind {
    /// What happened and the one next step.
    fn explain(&self) -> (String, String) {
        match self {
            BuildErrorKind::InvalidFormat(error) => {
                (format!("invalid ciphertext: {error}"), error.help())
            }
            BuildErrorKind::InvalidKey(error) => (
                format!("invalid key: {error}"),
                "write a key id, a key ARN, `alias/NAME` or an alias ARN".to_owned(),
            ),
            BuildErrorKind::KeyRequired { algorithm } => (
                format!("`{algorithm}` needs a key: KMS decrypts asymmetric ciphertexts only when told the key"),
                "add `.key(\"arn:aws:kms:REGION:ACCOUNT:key/KEY-ID\")` naming the asymmetric key".to_owned(),
            ),
            BuildErrorKind::InvalidContext(error) => (
                format!("invalid encryption context: {error}"),
                "give each encryption-context key once, non-empty, as at encryption".to_owned(),
            ),
            BuildErrorKind::InvalidBundle(error) => {
                (format!("invalid bundle: {error}"), error.help())
            }
            BuildErrorKind::NotARecipient { key: expected, keys: found } => (
                format!("`{expected}` is no key of the bundle but its first one (its keys: `{found}`), so it cannot be a failover recipient"),
                "a failover recipient is one of the bundle's `recipient` lines (`cargo sealed stage add-key` adds one): pin one of those, or add it".to_owned(),
            ),
            BuildErrorKind::BundleNotPinned {
                pinned,
                expected,
                found,
            } => (
                format!("the bundle's {pinned} is `{found}`, not the pinned `{expected}`"),
                "the file chose what the program did not: restore it from version control, or change what the program pins if the bundle moved on purpose".to_owned(),
            ),
            BuildErrorKind::BundleKeyNotPinned { found } => (
                format!("a bundle value pins its KMS key: call `expect_key(\"{found}\")` (the key the bundle names)"),
                "the file says which key its private key is wrapped under, and anyone who can write the file could point it at a key they control, with a private key they know: the key written in the program is the one it trusts (a key ARN pins best)".to_owned(),
            ),
            BuildErrorKind::BundleReadersNotPinned { readers } => (
                format!(
                    "a bundle value pins who can read it: call `expect_readers([{}])` once you have checked each reader",
                    quoted(readers)
                ),
                "anyone who can write the file could add a reader of their own (a recipient, a key pair they wrapped under the key): the readers written in the program are the ones it trusts".to_owned(),
            ),
            BuildErrorKind::MalformedReader { pin, problem } => (
                format!("the pinned reader `{pin}`: {problem}"),
                "pin each reader as `cargo sealed bundle ls` prints it".to_owned(),
            ),
            BuildErrorKind::BundleReadersChanged { changes, readers } => (
                format!("the bundle's readers are not the ones the program pins:\n{changes}"),
                format!(
                    "a rotation does this, and so does someone adding a reader of their own: compare the file with its reviewed version; if every reader is one you expect, pin `expect_readers([{}])`",
                    quoted(readers)
                ),
            ),
            BuildErrorKind::NoSuchBundleValue { name, names } => (
                format!(
                    "no value `{name}` in the bundle; its values: {}",
                    if names.is_empty() {
                        "none".to_owned()
                    } else {
                        names
                            .iter()
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                ),
                format!("add it with `cargo sealed bundle set FILE {name}`, or fix the name"),
            ),
        }
    }
}

impl fmt::Display for BuildError {
    /// `invalid ciphertext: … for the sealed value at src/main.rs:12:25; help: …`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (what, help) = self.kind.explain();
        write!(
            f,
            "{what} for the sealed value at {}; help: {help}",
            self.location
        )
    }
}

impl fmt::Display for BuildErrorKind {
    /// What the check rejected, without where or what to do (`BuildError` says both):
    /// `invalid bundle: line 6: the private key: …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.explain().0)
    }
}

/// No `source()`: the message says the whole of the rejected check's error, which
/// [`BuildError::kind`] holds.
impl std::error::Error for BuildError {}
