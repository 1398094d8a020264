//! One value of a bundle, and the rules for its name and its sealed length; and the rule for a
//! stage's name, which a bundle's `stage` line and a stage set share.

use core::fmt;

use crate::bundle::error::BundleErrorKind;
use crate::bundle::format::{ENC_LEN, MAX_BUNDLE_VALUE, MAX_NAME_LEN, MAX_STAGE_LEN, TAG_LEN};

/// One value of a bundle.
#[derive(Clone, PartialEq, Eq)]
pub struct BundleValue {
    /// Its name.
    pub name: String,
    /// The bundle's generation when it was set: in clear, and bound into its sealing.
    pub generation: u64,
    /// The HPKE encapsulated key ‖ ciphertext ‖ tag, sealed to the pair of the bundle's `key`.
    pub sealed: Vec<u8>,
    /// The same value sealed to each of the bundle's other recipients, in the order of its
    /// `recipient` lines.
    pub others: Vec<Vec<u8>>,
    /// Its line (from 1); 0 for a value set in memory.
    pub line: usize,
}

impl fmt::Debug for BundleValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BundleValue")
            .field("name", &self.name)
            .field("generation", &self.generation)
            .field("sealed_len", &self.sealed.len())
            .field("recipients", &(1 + self.others.len()))
            .field("line", &self.line)
            .finish()
    }
}

impl BundleValue {
    /// Its sealing to recipient `index` (0: the bundle's `key`; 1…: its `recipient` lines).
    pub fn sealing(&self, index: usize) -> Option<&[u8]> {
        match index {
            0 => Some(&self.sealed),
            i => self.others.get(i - 1).map(Vec::as_slice),
        }
    }

    /// The plaintext's length: the sealed bytes less the encapsulated key and the tag.
    pub fn plaintext_len(&self) -> usize {
        self.sealed.len().saturating_sub(ENC_LEN + TAG_LEN)
    }
}

/// Checks a value name: 1 to [`MAX_NAME_LEN`] of `A-Z a-z 0-9 _ . -`.
pub fn check_value_name(name: &str) -> Result<(), BundleErrorKind> {
    let valid = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    if valid {
        Ok(())
    } else {
        Err(BundleErrorKind::BadName(
            name.chars().take(MAX_NAME_LEN).collect(),
        ))
    }
}

/// Checks a stage name: a letter, then up to 31 of `a-z A-Z 0-9 _ -` (`dev`, `staging`,
/// `prod-eu`), so that it is a word in a file name, an IAM condition and an environment variable.
pub fn check_stage_name(name: &str) -> Result<(), BundleErrorKind> {
    let valid = name.len() <= MAX_STAGE_LEN
        && name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'));
    if valid {
        Ok(())
    } else {
        Err(BundleErrorKind::BadStage(
            name.chars().take(MAX_STAGE_LEN).collect(),
        ))
    }
}

/// Checks that `len` sealed bytes hold a plaintext of 1 to [`MAX_BUNDLE_VALUE`] bytes.
pub(crate) fn check_sealed_len(name: &str, len: usize) -> Result<(), BundleErrorKind> {
    let overhead = ENC_LEN + TAG_LEN;
    if len > overhead && len <= overhead + MAX_BUNDLE_VALUE {
        Ok(())
    } else {
        Err(BundleErrorKind::BadLength {
            name: name.to_owned(),
            len,
        })
    }
}
