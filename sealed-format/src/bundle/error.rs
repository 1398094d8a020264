//! What can be wrong with a bundle file, with the words shown to people and the next step.

use core::fmt;

use crate::bundle::format::{
    BUNDLE_HEADER, BUNDLE_ID_LEN, ENC_LEN, MAX_BUNDLE_VALUE, MAX_NAME_LEN, MAX_STAGE_LEN,
    PRIVATE_KEY_LENS, TAG_LEN,
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
    /// The first line is not `sealed-bundle 2`.
    NotABundle,
    /// `sealed-bundle 1`: format 1, whose writers could read every value; it is not read any more.
    OldVersion,
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
    /// `id`, `key`, `stage`, `public-key`, `private-key` or `generation` given twice.
    Duplicate(&'static str),
    /// `id`, `key`, `public-key`, `private-key` or `generation` missing.
    Missing(&'static str),
    /// `id` is not 32 hex digits.
    BadId,
    /// The key is not a key reference.
    BadKey(String),
    /// A context key or value that does not decode, or breaks a rule of the context.
    BadContext(String),
    /// A value name outside `[A-Za-z0-9_.-]{1,128}`.
    BadName(String),
    /// A stage name outside a letter then `[A-Za-z0-9_-]`, 32 at most.
    BadStage(String),
    /// Two values with one name.
    DuplicateName(String),
    /// A value that is not base64.
    BadBase64(String),
    /// `public-key` is not base64.
    BadHeaderBase64(&'static str),
    /// `public-key` is not a P-256 `SubjectPublicKeyInfo`: why.
    BadPublicKey(&'static str),
    /// A generation that is not a decimal number (of at most 20 digits).
    BadGeneration(String),
    /// A value's generation is above the bundle's `generation` line.
    GenerationAhead {
        /// The value's name.
        name: String,
        /// Its generation.
        generation: u64,
        /// The bundle's.
        bundle: u64,
    },
    /// A value set with a generation that is not above every generation given so far.
    GenerationNotNew {
        /// The generation offered.
        generation: u64,
        /// The bundle's.
        bundle: u64,
    },
    /// The bundle has given its last generation (`u64::MAX`).
    GenerationsExhausted,
    /// A value whose sealed bytes cannot hold a plaintext of 1 to [`MAX_BUNDLE_VALUE`] bytes.
    BadLength {
        /// The value's name.
        name: String,
        /// Its sealed bytes.
        len: usize,
    },
    /// `private-key` is not a valid KMS ciphertext.
    PrivateKey(FormatError),
    /// `private-key` decrypts to a length no P-256 PKCS#8 private key has.
    PrivateKeyLength(usize),
    /// A directive after the first `value` line that is not a `value`.
    HeaderAfterValues(&'static str),
    /// A value with another number of sealings than the bundle has recipients.
    Sealings {
        /// The value's name (empty: every value, when a recipient is added).
        name: String,
        /// One per recipient: `key` and each `recipient` line.
        expected: usize,
        /// As given.
        found: usize,
    },
    /// A recipient whose key is the bundle's `key` or another recipient's.
    DuplicateRecipient(String),
    /// A recipient whose public key is the bundle's or another recipient's.
    SharedPublicKey(String),
    /// More recipients than [`MAX_RECIPIENTS`](crate::bundle::format::MAX_RECIPIENTS).
    TooManyRecipients,
    /// A file larger than [`MAX_FILE_BYTES`](crate::bundle::format::MAX_FILE_BYTES): its length.
    TooLarge(usize),
}

impl fmt::Display for BundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        match &self.kind {
            BundleErrorKind::NotABundle => write!(f, "not a sealed bundle: the first line must be `{BUNDLE_HEADER}`"),
            BundleErrorKind::OldVersion => write!(f, "`sealed-bundle 1` is bundle format 1, which this version of sealed no longer reads (its writers could read every value); this version reads `{BUNDLE_HEADER}`"),
            BundleErrorKind::UnknownVersion(v) => write!(f, "bundle format `{v}` is newer than this version of sealed reads (`{BUNDLE_HEADER}`)"),
            BundleErrorKind::UnknownDirective(d) => write!(f, "unknown directive `{d}`; expected `id`, `key`, `stage`, `context`, `context-env`, `public-key`, `private-key`, `recipient`, `generation` or `value`"),
            BundleErrorKind::Fields { directive, expected } => write!(f, "`{directive}` takes {expected}"),
            BundleErrorKind::Duplicate(d) => write!(f, "`{d}` given twice"),
            BundleErrorKind::Missing(d) => write!(f, "no `{d}` line"),
            BundleErrorKind::BadId => write!(f, "`id` must be {} hex digits", BUNDLE_ID_LEN * 2),
            BundleErrorKind::BadKey(e) => write!(f, "invalid key: {e}"),
            BundleErrorKind::BadContext(e) => write!(f, "invalid encryption context: {e}"),
            BundleErrorKind::BadName(n) => write!(f, "invalid value name `{n}`: names are 1 to {MAX_NAME_LEN} of `A-Z a-z 0-9 _ . -`"),
            BundleErrorKind::BadStage(n) => write!(f, "invalid stage name `{n}`: a letter, then up to {} of `A-Z a-z 0-9 _ -`", MAX_STAGE_LEN - 1),
            BundleErrorKind::DuplicateName(n) => write!(f, "the value `{n}` is given twice"),
            BundleErrorKind::BadBase64(n) => write!(f, "the value `{n}` is not standard base64"),
            BundleErrorKind::BadHeaderBase64(d) => write!(f, "`{d}` is not standard base64"),
            BundleErrorKind::BadPublicKey(why) => write!(f, "the public key is not a bundle's: {why}"),
            BundleErrorKind::BadGeneration(g) => write!(f, "generation `{g}` is not a decimal number up to 2^53 (no bundle gives a higher one: the file was written by hand)"),
            BundleErrorKind::GenerationAhead { name, generation, bundle } => write!(f, "the value `{name}` has generation {generation}, above the bundle's `generation {bundle}`: the file was edited by hand"),
            BundleErrorKind::GenerationNotNew { generation, bundle } => write!(f, "generation {generation} is not above the bundle's {bundle}: a value is always set with a new generation"),
            BundleErrorKind::GenerationsExhausted => write!(f, "the bundle has given its last generation"),
            BundleErrorKind::BadLength { name, len } => write!(
                f,
                "the value `{name}` is {len} sealed bytes; a sealed value is {} to {} bytes (encapsulated key, 1 to {MAX_BUNDLE_VALUE} bytes of ciphertext, tag): it was cut or edited",
                ENC_LEN + TAG_LEN + 1,
                ENC_LEN + TAG_LEN + MAX_BUNDLE_VALUE
            ),
            BundleErrorKind::PrivateKey(e) => write!(f, "the private key: {e}"),
            BundleErrorKind::PrivateKeyLength(n) => write!(f, "the private key decrypts to {n} bytes; a bundle's P-256 private key (PKCS#8) is {} or {} bytes", PRIVATE_KEY_LENS[0], PRIVATE_KEY_LENS[1]),
            BundleErrorKind::HeaderAfterValues(d) => write!(f, "`{d}` after the values; the header comes first"),
            BundleErrorKind::Sealings { name, expected, found } if name.is_empty() => write!(f, "a new recipient needs one sealing per value: {found} given for {expected} values"),
            BundleErrorKind::Sealings { name, expected, found } => write!(f, "the value `{name}` has {found} sealing{}; the bundle has {expected} recipient{} (its `key` and each `recipient` line), and every value is sealed to each", if *found == 1 { "" } else { "s" }, if *expected == 1 { "" } else { "s" }),
            BundleErrorKind::DuplicateRecipient(key) => write!(f, "the key `{key}` is a recipient of the bundle already"),
            BundleErrorKind::TooManyRecipients => write!(f, "more than {} recipients beside the bundle's key: `cargo sealed` never writes that many", crate::bundle::format::MAX_RECIPIENTS),
            BundleErrorKind::TooLarge(len) => write!(f, "the file is {len} bytes, more than the {} a bundle may be", crate::bundle::format::MAX_FILE_BYTES),
            BundleErrorKind::SharedPublicKey(key) => write!(f, "the recipient `{key}` has the public key of another recipient: each recipient has a key pair of its own, made by KMS under its key"),
        }
    }
}

/// No `source()`: the message says the whole of the private key's error (`the private key: …`),
/// which [`BundleErrorKind::PrivateKey`] holds; a renderer that walks the chain would say it twice.
impl std::error::Error for BundleError {}

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
            BundleErrorKind::PrivateKey(error) => error.help(),
            BundleErrorKind::OldVersion => "create the bundle again with `cargo sealed bundle new FILE --key KEY` and set each value with `cargo sealed bundle set FILE NAME` (format 1 is not migrated: its data key was readable by every writer)".to_owned(),
            BundleErrorKind::GenerationsExhausted => "rotate the bundle: `cargo sealed bundle rotate FILE`".to_owned(),
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
