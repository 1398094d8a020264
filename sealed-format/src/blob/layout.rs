//! What every layout reader returns: the facts of a blob it recognised, or the error at the
//! byte range that breaks its layout; and the helpers that word those errors.

use core::ops::Range;

use crate::error::ErrorKind;
use crate::family::BlobFamily;

/// What the bytes of a recognised blob tell, offline.
pub(crate) struct BlobFacts {
    pub(crate) family: BlobFamily,
    pub(crate) plaintext_len: Option<usize>,
    pub(crate) key_material_id: Option<[u8; 32]>,
    pub(crate) emulator_key_id: Option<String>,
}

impl BlobFacts {
    /// A blob of `family` whose bytes tell nothing more.
    pub(crate) fn new(family: BlobFamily) -> Self {
        BlobFacts {
            family,
            plaintext_len: None,
            key_material_id: None,
            emulator_key_id: None,
        }
    }
}

/// Why a blob was not recognised: a definite error at a byte range, or no known layout at all.
pub(crate) enum LayoutError {
    At(ErrorKind, Range<usize>),
    NoKnownLayout,
}

/// The bytes in hex, separated by spaces (`01 02 03`).
pub(crate) fn hex_spaced(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| hex::encode([*b]))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `expected` was not found at `bytes[at..at + len]`: shows what is there instead.
pub(crate) fn malformed(
    family: BlobFamily,
    bytes: &[u8],
    at: usize,
    len: usize,
    expected: &'static str,
) -> LayoutError {
    let end = (at + len).min(bytes.len());
    let found = if at >= bytes.len() {
        "the end of the ciphertext".to_owned()
    } else {
        format!("`{}`", hex_spaced(&bytes[at..end]))
    };
    LayoutError::At(
        ErrorKind::Malformed {
            family,
            at,
            expected,
            found,
            whole: false,
        },
        if at < end {
            at..end
        } else {
            point(bytes.len(), at)
        },
    )
}

/// A one-byte range at `at`, kept inside a blob of `len` bytes.
pub(crate) fn point(len: usize, at: usize) -> Range<usize> {
    let at = at.min(len.saturating_sub(1));
    at..at + 1
}
