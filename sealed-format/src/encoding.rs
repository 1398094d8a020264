//! Step one: from the text of a literal to bytes, with every base64 mistake named at its offset.

use core::ops::Range;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use crate::error::{ErrorKind, FormatError};
use crate::limits::{MAX_CIPHERTEXT_BYTES, MIN_AWS_CHARS};
use crate::stripped::Stripped;

/// The decoded bytes of a literal.
pub(crate) struct Decoded {
    pub(crate) stripped: Stripped,
    pub(crate) bytes: Vec<u8>,
    /// Set when the base64 was cut short: the bytes are those of the complete 4-character groups,
    /// and the error to give if the structure does not explain the cut better.
    pub(crate) short_groups: Option<FormatError>,
}

fn is_base64_char(ch: char) -> bool {
    ch.is_ascii_alphanumeric() || ch == '+' || ch == '/'
}

/// The mistakes visible in the characters alone: JSON, elisions, plaintext, foreign alphabets.
fn check_characters(stripped: &Stripped, whole: Range<usize>) -> Result<(), FormatError> {
    // A whole JSON answer of `aws kms encrypt` pasted instead of its `CiphertextBlob` value.
    if stripped.chars[0] == '{' || stripped.contains("CiphertextBlob").is_some() {
        return Err(FormatError::new(ErrorKind::JsonPasted, whole));
    }
    // Documentation examples and redacted pastes.
    for marker in ["...", "..", "\u{2026}", "<snip", "snip>", "*"] {
        if let Some(at) = stripped.contains(marker) {
            let len = marker.chars().count();
            return Err(FormatError::new(
                ErrorKind::Elided {
                    marker: marker.to_owned(),
                    offset: stripped.offsets[at],
                },
                stripped.literal_range(at..at + len),
            ));
        }
    }
    // A PEM block, or something that is neither base64 nor long enough to be a ciphertext: the
    // secret itself. Nothing of it is repeated in the message.
    let bad = stripped
        .chars
        .iter()
        .position(|&ch| !is_base64_char(ch) && ch != '=');
    let short = stripped.chars.len() < MIN_AWS_CHARS;
    // A cut paste of an AWS ciphertext keeps its prefix (`AQ…`, `Ci…`); the structure then says
    // how much is missing.
    let aws_prefix = matches!(stripped.chars[..], ['A', 'Q', ..] | ['C', 'i', ..]);
    if stripped.contains("-----BEGIN").is_some()
        || (short && bad.is_some())
        || (short && !aws_prefix && !stripped.chars.len().is_multiple_of(4))
    {
        return Err(FormatError::new(
            ErrorKind::PlaintextPasted {
                chars: stripped.chars.len(),
            },
            whole,
        ));
    }
    if let Some(at) = bad {
        let ch = stripped.chars[at];
        let offset = stripped.offsets[at];
        let url_safe =
            (ch == '-' || ch == '_') && !stripped.chars.iter().any(|&c| c == '+' || c == '/');
        let kind = if url_safe {
            ErrorKind::UrlSafeAlphabet { offset, ch }
        } else {
            ErrorKind::BadCharacter { offset, ch }
        };
        return Err(FormatError::new(kind, stripped.literal_range(at..at + 1)));
    }
    Ok(())
}

/// Decodes `literal` as standard, padded, canonical base64 after removing ASCII whitespace.
pub(crate) fn decode(literal: &str) -> Result<Decoded, FormatError> {
    let stripped = Stripped::new(literal);
    let whole = 0..literal.chars().count();
    if stripped.chars.is_empty() {
        return Err(FormatError::new(ErrorKind::Empty, whole));
    }
    check_characters(&stripped, whole.clone())?;
    let len = stripped.chars.len();
    let first_pad = stripped.chars.iter().position(|&ch| ch == '=');
    if let Some(at) = first_pad {
        let pads = len - at;
        if stripped.chars[at..].iter().any(|&ch| ch != '=') || pads > 2 {
            return Err(FormatError::new(
                ErrorKind::MisplacedPadding {
                    offset: stripped.offsets[at],
                },
                stripped.literal_range(at..at + 1),
            ));
        }
    }
    let text = stripped.text();
    if !len.is_multiple_of(4) {
        let error = FormatError::new(
            ErrorKind::Base64Length {
                chars: len,
                padded: first_pad.is_some(),
            },
            stripped.literal_range(len.saturating_sub(1)..len),
        );
        if first_pad.is_some() || len < 4 {
            return Err(error);
        }
        // Decode the complete groups so the structure can say how much is missing.
        let whole_groups = &text[..len / 4 * 4];
        let bytes = STANDARD.decode(whole_groups).map_err(|_| error.clone())?;
        return Ok(Decoded {
            stripped,
            bytes,
            short_groups: Some(error),
        });
    }
    let bytes = STANDARD
        .decode(text.as_bytes())
        .map_err(|error| match error {
            base64::DecodeError::InvalidLastSymbol { offset: at, .. } => FormatError::new(
                ErrorKind::NonCanonicalEnd {
                    offset: stripped.offsets[at],
                    ch: stripped.chars[at],
                },
                stripped.literal_range(at..len),
            ),
            _ => FormatError::new(
                ErrorKind::MisplacedPadding {
                    offset: stripped.offsets[first_pad.unwrap_or(len - 1)],
                },
                stripped.literal_range(first_pad.unwrap_or(len - 1)..len),
            ),
        })?;
    if bytes.len() > MAX_CIPHERTEXT_BYTES {
        return Err(FormatError::new(
            ErrorKind::TooLong { bytes: bytes.len() },
            whole,
        ));
    }
    Ok(Decoded {
        stripped,
        bytes,
        short_groups: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_canonical_trailing_bits_are_rejected() {
        // "QR==" has non-zero trailing bits; "QQ==" is the canonical encoding of "A".
        let error = decode(&format!("{}QR==", "A".repeat(MIN_AWS_CHARS)))
            .err()
            .unwrap();
        assert!(matches!(
            error.kind(),
            ErrorKind::NonCanonicalEnd { ch: 'R', .. }
        ));
    }
}
