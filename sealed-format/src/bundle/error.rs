//! What can be wrong with a bundle file, with the words shown to people and the next step.

use core::fmt;

use crate::bundle::format::{
    BUNDLE_HEADER, BUNDLE_ID_LEN, DATA_KEY_LEN, MAX_BUNDLE_VALUE, MAX_NAME_LEN, NONCE_LEN, TAG_LEN,
};
use crate::error::FormatError;

/// What is wrong with a bundle file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleError {
    /// The line (from 1), if the problem is on one.
    pub line: Option<usize>,
    /// What is wrong.
    pub kind: BundleErrorKind,
}

/// The rule a bundle file breaks.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BundleErrorKind {
    /// The first line is not `sealed-bundle 1`.
    NotABundle,
    /// `sealed-bundle N` of a later format version.
    UnknownVersion(String),
    /// A directive this version does not know.
    UnknownDirective(String),
    /// A directive with the wrong number of fields.
    Fields {
        /// The directive.
        directive: &'static str,
        /// What it takes.
        expected: &'static str,
    },
    /// `id`, `key` or `data-key` given twice.
    Duplicate(&'static str),
    /// `id`, `key` or `data-key` missing.
    Missing(&'static str),
    /// `id` is not 32 hex digits.
    BadId,
    /// The key is not a key reference.
    BadKey(String),
    /// A context key or value that does not decode, or breaks a rule of the context.
    BadContext(String),
    /// A value name outside `[A-Za-z0-9_.-]{1,128}`.
    BadName(String),
    /// Two values with one name.
    DuplicateName(String),
    /// A value that is not base64.
    BadBase64(String),
    /// A value whose sealed bytes cannot hold a plaintext of 1 to [`MAX_BUNDLE_VALUE`] bytes.
    BadLength {
        /// The value's name.
        name: String,
        /// Its sealed bytes.
        len: usize,
    },
    /// `data-key` is not a valid KMS ciphertext.
    DataKey(FormatError),
    /// `data-key` decrypts to another length than 32 bytes.
    DataKeyLength(usize),
    /// A directive after the first `value` line that is not a `value`.
    HeaderAfterValues(&'static str),
}

impl fmt::Display for BundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        match &self.kind {
            BundleErrorKind::NotABundle => write!(f, "not a sealed bundle: the first line must be `{BUNDLE_HEADER}`"),
            BundleErrorKind::UnknownVersion(v) => write!(f, "bundle format `{v}` is newer than this version of sealed reads (`{BUNDLE_HEADER}`)"),
            BundleErrorKind::UnknownDirective(d) => write!(f, "unknown directive `{d}`; expected `id`, `key`, `context`, `context-env`, `data-key` or `value`"),
            BundleErrorKind::Fields { directive, expected } => write!(f, "`{directive}` takes {expected}"),
            BundleErrorKind::Duplicate(d) => write!(f, "`{d}` given twice"),
            BundleErrorKind::Missing(d) => write!(f, "no `{d}` line"),
            BundleErrorKind::BadId => write!(f, "`id` must be {} hex digits", BUNDLE_ID_LEN * 2),
            BundleErrorKind::BadKey(e) => write!(f, "invalid key: {e}"),
            BundleErrorKind::BadContext(e) => write!(f, "invalid encryption context: {e}"),
            BundleErrorKind::BadName(n) => write!(f, "invalid value name `{n}`: names are 1 to {MAX_NAME_LEN} of `A-Z a-z 0-9 _ . -`"),
            BundleErrorKind::DuplicateName(n) => write!(f, "the value `{n}` is given twice"),
            BundleErrorKind::BadBase64(n) => write!(f, "the value `{n}` is not standard base64"),
            BundleErrorKind::BadLength { name, len } => write!(
                f,
                "the value `{name}` is {len} sealed bytes; a sealed value is {} to {} bytes (nonce, 1 to {MAX_BUNDLE_VALUE} bytes of ciphertext, tag): it was cut or edited",
                NONCE_LEN + TAG_LEN + 1,
                NONCE_LEN + TAG_LEN + MAX_BUNDLE_VALUE
            ),
            BundleErrorKind::DataKey(e) => write!(f, "the data key: {e}"),
            BundleErrorKind::DataKeyLength(n) => write!(f, "the data key decrypts to {n} bytes; a bundle's data key is {DATA_KEY_LEN} (AES-256)"),
            BundleErrorKind::HeaderAfterValues(d) => write!(f, "`{d}` after the values; the header comes first"),
        }
    }
}

impl std::error::Error for BundleError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            BundleErrorKind::DataKey(error) => Some(error),
            _ => None,
        }
    }
}

impl BundleError {
    /// The error `kind` on line `line` (from 1).
    pub(crate) fn at(line: usize, kind: BundleErrorKind) -> Self {
        BundleError {
            line: Some(line),
            kind,
        }
    }

    /// The next step.
    pub fn help(&self) -> String {
        match &self.kind {
            BundleErrorKind::DataKey(error) => error.help(),
            BundleErrorKind::UnknownVersion(_) => {
                "upgrade sealed-runtime and cargo sealed to read it".to_owned()
            }
            BundleErrorKind::NotABundle => {
                "create one with `cargo sealed bundle new FILE --key KEY`".to_owned()
            }
            _ => "a bundle is written by `cargo sealed bundle`: restore the file from version control, or set the value again with `cargo sealed bundle set FILE NAME`".to_owned(),
        }
    }
}
