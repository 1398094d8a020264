//! What can be wrong with a ciphertext literal, with the words shown to people.
//!
//! The macro and `cargo sealed` print exactly these texts: [`FormatError`]'s `Display` is the
//! message, [`FormatError::help`] the next step to take.

use core::fmt;
use core::ops::Range;

use crate::algorithm::Algorithm;
use crate::family::{BlobFamily, Emulator};

/// Why a literal is not accepted, and where in it (character offsets into the literal).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatError {
    kind: ErrorKind,
    span: Range<usize>,
}

/// The rule a literal broke.
///
/// Offsets are 0-based character offsets into the literal as written (whitespace included).
/// Byte positions (`at`) are offsets into the decoded blob.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Nothing but whitespace.
    Empty,
    /// The whole JSON answer of `aws kms encrypt` instead of its `CiphertextBlob` value.
    JsonPasted,
    /// A documentation example or a redacted paste: `...`, `…`, `<snip>`, `*`.
    Elided {
        /// The marker found.
        marker: String,
        /// Where it starts.
        offset: usize,
    },
    /// Not base64 and too short to be a ciphertext, or a PEM block: most likely the secret itself.
    PlaintextPasted {
        /// How many non-whitespace characters the literal has.
        chars: usize,
    },
    /// A character outside the standard base64 alphabet.
    BadCharacter {
        /// Where it is.
        offset: usize,
        /// The character.
        ch: char,
    },
    /// `-` or `_` of the URL-safe base64 alphabet.
    UrlSafeAlphabet {
        /// Where the first one is.
        offset: usize,
        /// The character.
        ch: char,
    },
    /// `=` somewhere other than the last one or two characters.
    MisplacedPadding {
        /// Where the first `=` is.
        offset: usize,
    },
    /// The number of base64 characters is not a multiple of 4.
    Base64Length {
        /// How many base64 characters there are.
        chars: usize,
        /// Whether the literal ends in `=` padding.
        padded: bool,
    },
    /// The last character leaves non-zero bits unused: not the output of an encoder.
    NonCanonicalEnd {
        /// Where the character is.
        offset: usize,
        /// The character.
        ch: char,
    },
    /// Over the 6144 bytes the KMS API accepts.
    TooLong {
        /// Decoded length.
        bytes: usize,
    },
    /// Valid base64 but far too short for any ciphertext: most likely the secret itself.
    TooShort {
        /// Decoded length.
        bytes: usize,
    },
    /// A length field disagrees with the number of bytes that follow it.
    LengthMismatch {
        /// The layout the header announced.
        family: BlobFamily,
        /// Where the length field is.
        at: usize,
        /// How many bytes the length field itself takes (4, or 1–2 for the legacy varint).
        field_len: usize,
        /// What the length field says follows.
        declared: usize,
        /// What does follow.
        actual: usize,
        /// The base64 itself was cut short too.
        cut_base64: bool,
    },
    /// The blob ends inside the fixed header of its layout.
    TruncatedHeader {
        /// The layout the first bytes announced.
        family: BlobFamily,
        /// How many bytes there are.
        len: usize,
        /// How long that layout's header is.
        header_len: usize,
    },
    /// A byte or structure that the layout fixes has another value.
    Malformed {
        /// The layout the header announced.
        family: BlobFamily,
        /// Where in the blob.
        at: usize,
        /// What the layout requires there.
        expected: &'static str,
        /// What is there (hex, at most a few bytes).
        found: String,
        /// The length field agreed with the size, so the blob was almost certainly pasted whole:
        /// it may be a layout this version does not know, which `unchecked` accepts.
        whole: bool,
    },
    /// The encrypted content is outside 28 ..= 4123 bytes (plaintext 1 ..= 4096).
    ContentLength {
        /// The layout.
        family: BlobFamily,
        /// Where the content starts.
        at: usize,
        /// Its length.
        len: usize,
    },
    /// A legacy blob whose inner key-material id differs from the outer one.
    LegacyIdMismatch {
        /// Where the inner id starts.
        at: usize,
    },
    /// An AWS Encryption SDK message, not a raw KMS ciphertext.
    EncryptionSdkMessage {
        /// The message format version (1 or 2).
        version: u8,
    },
    /// Base64 of a base64 ciphertext.
    DoubleBase64 {
        /// What the inner text decodes to.
        inner: BlobFamily,
    },
    /// A ciphertext made by a local KMS emulator, in a build that does not accept them.
    Emulator {
        /// Which emulator's layout.
        emulator: Emulator,
        /// The key id or ARN the emulator wrote in clear.
        key_id: String,
    },
    /// Good base64 of a plausible length in no layout we know.
    UnknownLayout {
        /// Decoded length.
        bytes: usize,
        /// The first bytes, in hex.
        prefix: String,
        /// The length is one of the RSA modulus lengths (256, 384, 512).
        rsa_sized: bool,
    },
    /// A symmetric ciphertext declared with an asymmetric algorithm.
    SymmetricWithAsymmetricAlgorithm {
        /// The layout found.
        family: BlobFamily,
        /// The algorithm declared.
        algorithm: Algorithm,
    },
    /// An RSA ciphertext whose length is not 256, 384 or 512 bytes.
    RsaLength {
        /// Decoded length.
        bytes: usize,
        /// The algorithm declared.
        algorithm: Algorithm,
    },
    /// Not the DER structure of an SM2PKE ciphertext.
    Sm2Malformed {
        /// Where in the blob.
        at: usize,
        /// What the structure requires there.
        expected: &'static str,
    },
}

impl FormatError {
    pub(crate) fn new(kind: ErrorKind, span: Range<usize>) -> Self {
        FormatError { kind, span }
    }

    /// The rule that was broken.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The characters of the literal (0-based character offsets, whitespace included) that show
    /// the problem.
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// The next step to take, in one sentence.
    pub fn help(&self) -> String {
        const ENCRYPT: &str = "encrypt the secret with `cargo sealed encrypt --key <key>` and paste the line it prints";
        const REPASTE: &str = "copy the ciphertext again, whole, from the output of `aws kms encrypt --output text --query CiphertextBlob` or `cargo sealed encrypt`";
        match &self.kind {
            ErrorKind::Empty | ErrorKind::TooShort { .. } | ErrorKind::PlaintextPasted { .. } => {
                format!("never put the secret itself in source code: {ENCRYPT}")
            }
            ErrorKind::JsonPasted => "paste only the value of `CiphertextBlob`, without the quotes (`aws kms encrypt ... --output text --query CiphertextBlob` prints just that)".into(),
            ErrorKind::Elided { .. } => format!("this is an elided example, not a ciphertext: {ENCRYPT}"),
            // The length field agreed: a damaged paste is unlikely, a layout this version does not
            // know is possible, and a false reject must never be a dead end.
            ErrorKind::Malformed { whole: true, .. }
            | ErrorKind::ContentLength { .. }
            | ErrorKind::LegacyIdMismatch { .. } => format!("{REPASTE}; if you copied it whole from the output of KMS `Encrypt`, it may be a layout `sealed` does not know yet: add the argument `unchecked` (then only its base64 and size are checked) and please report it"),
            ErrorKind::BadCharacter { .. }
            | ErrorKind::MisplacedPadding { .. }
            | ErrorKind::LengthMismatch { .. }
            | ErrorKind::TruncatedHeader { .. }
            | ErrorKind::Base64Length { .. }
            | ErrorKind::Malformed { whole: false, .. } => REPASTE.into(),
            ErrorKind::UrlSafeAlphabet { .. } => "KMS ciphertexts are standard base64: replace `-` with `+` and `_` with `/`, or take the text from `aws kms encrypt --output text --query CiphertextBlob` unchanged".into(),
            ErrorKind::NonCanonicalEnd { .. } => format!("the end was edited (documentation examples end in `EXAMPLE==`): {REPASTE}"),
            ErrorKind::TooLong { .. } => "KMS encrypts at most 4096 bytes of plaintext directly; for larger secrets use envelope encryption (`GenerateDataKey`) and seal the data key".into(),
            ErrorKind::EncryptionSdkMessage { .. } => "`sealed!` takes the raw output of KMS `Encrypt`; encrypt the secret with `cargo sealed encrypt --key <key>` instead of the AWS Encryption SDK".into(),
            ErrorKind::DoubleBase64 { .. } => "the text was base64-encoded twice: paste the output of `base64 -d` of it, or the `CiphertextBlob` as `aws kms encrypt --output text` prints it".into(),
            ErrorKind::Emulator { .. } => "emulator ciphertexts build only with the `emulator` feature of `sealed-runtime`: seal the secret with the real key (`cargo sealed encrypt --key <key>`); for local development and tests only, enable it: `sealed-runtime = { version = \"…\", features = [\"emulator\"] }`".into(),
            ErrorKind::UnknownLayout { rsa_sized: true, .. } => "if this is an RSA ciphertext, declare it: `algorithm = \"RSAES_OAEP_SHA_256\"` (or `RSAES_OAEP_SHA_1`) with `key = \"<key ARN>\"`; if it is the output of KMS `Encrypt` in a layout `sealed` does not know yet, add `unchecked` and report it".into(),
            ErrorKind::UnknownLayout { .. } => "if this is the output of KMS `Encrypt` in a layout `sealed` does not know yet, add the argument `unchecked` (then only its base64 and size are checked) and report it".into(),
            ErrorKind::SymmetricWithAsymmetricAlgorithm { .. } => "remove the `algorithm` argument, or paste the ciphertext made with the asymmetric key".into(),
            ErrorKind::RsaLength { .. } => "RSA ciphertexts are exactly as long as the key's modulus: 256 bytes (RSA_2048), 384 (RSA_3072) or 512 (RSA_4096); copy it again whole".into(),
            ErrorKind::Sm2Malformed { .. } => "copy the SM2PKE ciphertext again, whole, from the output of `aws kms encrypt --encryption-algorithm SM2PKE`".into(),
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

impl fmt::Display for FormatError {
    // One arm per rule: a table, clearer whole than split.
    #[allow(clippy::too_many_lines)]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Empty => f.write_str("empty ciphertext; expected the base64 output of KMS `Encrypt`"),
            ErrorKind::JsonPasted => f.write_str(
                "found a JSON document; expected only the base64 value of its `CiphertextBlob` field",
            ),
            ErrorKind::Elided { marker, offset } => write!(
                f,
                "ciphertext is elided: `{marker}` at offset {offset}; a real KMS ciphertext is whole base64"
            ),
            ErrorKind::PlaintextPasted { chars } => write!(
                f,
                "this is not a KMS ciphertext: {chars} character{} that are not base64 and too short for a ciphertext (the shortest is {} characters); it looks like the secret itself",
                plural(*chars),
                crate::limits::MIN_AWS_CHARS,
            ),
            ErrorKind::BadCharacter { offset, ch } => write!(
                f,
                "invalid character {} at offset {offset}; expected standard base64 (`A-Z`, `a-z`, `0-9`, `+`, `/`, `=` at the end)",
                show_char(*ch)
            ),
            ErrorKind::UrlSafeAlphabet { offset, ch } => write!(
                f,
                "URL-safe base64 character {} at offset {offset}; expected standard base64 (`+` and `/`)",
                show_char(*ch)
            ),
            ErrorKind::MisplacedPadding { offset } => write!(
                f,
                "misplaced padding `=` at offset {offset}; `=` may only be the last one or two characters"
            ),
            ErrorKind::Base64Length { chars, padded: false } => write!(
                f,
                "ciphertext is cut short: {chars} base64 characters, not a multiple of 4, and no `=` padding"
            ),
            ErrorKind::Base64Length { chars, padded: true } => write!(
                f,
                "wrong padding: {chars} base64 characters with their `=` padding, not a multiple of 4"
            ),
            ErrorKind::NonCanonicalEnd { offset, ch } => write!(
                f,
                "the last character {} at offset {offset} leaves non-zero unused bits; an encoder never writes that, so the end of this ciphertext was edited",
                show_char(*ch)
            ),
            ErrorKind::TooLong { bytes } => write!(
                f,
                "ciphertext is {bytes} bytes; KMS accepts at most {}",
                crate::limits::MAX_CIPHERTEXT_BYTES
            ),
            ErrorKind::TooShort { bytes } => write!(
                f,
                "this is not a KMS ciphertext: it decodes to only {bytes} byte{}, and the shortest AWS ciphertext is 136; it looks like the secret itself",
                plural(*bytes)
            ),
            ErrorKind::LengthMismatch {
                family,
                at,
                field_len,
                declared,
                actual,
                cut_base64,
            } => {
                let total = at + field_len + declared;
                if actual < declared {
                    write!(
                        f,
                        "ciphertext is truncated: its length field (byte {at}) says {declared} bytes follow, but only {actual} do{}; a whole {family} ciphertext of this size is {total} bytes ({} base64 characters)",
                        if *cut_base64 { " and the base64 ends mid-group" } else { "" },
                        total.div_ceil(3) * 4,
                    )
                } else {
                    write!(
                        f,
                        "ciphertext has {} extra byte{} at the end: its length field (byte {at}) says {declared} bytes follow, but {actual} do; a whole {family} ciphertext of this size is {total} bytes",
                        actual - declared,
                        plural(actual - declared),
                    )
                }
            }
            ErrorKind::TruncatedHeader {
                family,
                len,
                header_len,
            } => write!(
                f,
                "ciphertext is truncated: it ends after {len} byte{}, inside the {header_len}-byte header of {} {family} ciphertext",
                plural(*len),
                article(family.name())
            ),
            ErrorKind::Malformed {
                family,
                at,
                expected,
                found,
                ..
            } => write!(
                f,
                "malformed {family} ciphertext: at byte {at} expected {expected}, found {found}"
            ),
            ErrorKind::ContentLength { family, at, len } => write!(
                f,
                "malformed {family} ciphertext: the encrypted content at byte {at} is {len} bytes; expected 28 ..= 4123 (a plaintext of 1 ..= 4096 bytes plus 27)"
            ),
            ErrorKind::LegacyIdMismatch { at } => write!(
                f,
                "malformed aws-legacy-protobuf ciphertext: the inner key-material id at byte {at} differs from the outer one"
            ),
            ErrorKind::EncryptionSdkMessage { version } => write!(
                f,
                "this is an AWS Encryption SDK message (format version {version}), not a raw KMS ciphertext"
            ),
            ErrorKind::DoubleBase64 { inner } => write!(
                f,
                "this is base64 of base64: it decodes to the text of {} {inner} ciphertext; expected the ciphertext's base64 itself",
                article(inner.name())
            ),
            ErrorKind::Emulator { emulator, key_id } => write!(
                f,
                "this ciphertext was made by the {emulator} KMS emulator (key id `{key_id}` in clear) and will never decrypt with AWS KMS"
            ),
            ErrorKind::UnknownLayout {
                bytes,
                prefix,
                rsa_sized,
            } => write!(
                f,
                "unknown ciphertext layout: {bytes} bytes of valid base64 starting `{prefix}`, not a known KMS ciphertext (AWS blobs start `01 02 .. 00 78`, `01 01 .. 00 78` or `0a 20`){}",
                if *rsa_sized { "; its length fits an RSA key, but no asymmetric `algorithm` is declared" } else { "" }
            ),
            ErrorKind::SymmetricWithAsymmetricAlgorithm { family, algorithm } => write!(
                f,
                "this is a symmetric ciphertext ({family}), but `algorithm = \"{algorithm}\"` declares an asymmetric key"
            ),
            ErrorKind::RsaLength { bytes, algorithm } => write!(
                f,
                "an {algorithm} ciphertext is 256, 384 or 512 bytes long; this one is {bytes}"
            ),
            ErrorKind::Sm2Malformed { at, expected } => write!(
                f,
                "malformed SM2PKE ciphertext: at byte {at} expected {expected}"
            ),
        }
    }
}

fn article(name: &str) -> &'static str {
    if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

fn show_char(ch: char) -> String {
    if ch.is_ascii_graphic() {
        format!("`{ch}`")
    } else {
        format!("`{}`", ch.escape_default())
    }
}

impl std::error::Error for FormatError {}
