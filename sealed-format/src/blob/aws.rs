//! The three AWS symmetric layouts (docs/KMS-FORMAT.md §2): v2, v1, and v1 in the legacy protobuf
//! wrapper; each a fixed header, a length field and the CMS skeleton.

use crate::blob::cms::check_skeleton;
use crate::blob::layout::{malformed, point, BlobFacts, LayoutError};
use crate::error::ErrorKind;
use crate::family::BlobFamily;

/// Checks the fixed part of an AWS header (`fixed_len` bytes); returns the key-material id.
fn header(family: BlobFamily, bytes: &[u8], fixed_len: usize) -> Result<[u8; 32], LayoutError> {
    if bytes.len() >= 5 && bytes[3..5] != [0x00, 0x78] {
        return Err(malformed(family, bytes, 3, 2, "`00 78`"));
    }
    if bytes.len() < fixed_len {
        return Err(LayoutError::At(
            ErrorKind::TruncatedHeader {
                family,
                len: bytes.len(),
                header_len: fixed_len,
            },
            point(bytes.len(), bytes.len()),
        ));
    }
    let mut id = [0; 32];
    id.copy_from_slice(&bytes[5..37]);
    Ok(id)
}

/// Checks the 4-byte big-endian length field at `at` against the bytes that follow it.
fn length_field(family: BlobFamily, bytes: &[u8], at: usize) -> Result<(), LayoutError> {
    let declared = u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    let declared = usize::try_from(declared).unwrap_or(usize::MAX);
    let actual = bytes.len() - at - 4;
    if declared == actual {
        return Ok(());
    }
    Err(LayoutError::At(
        ErrorKind::LengthMismatch {
            family,
            at,
            field_len: 4,
            declared,
            actual,
            cut_base64: false,
        },
        if actual < declared {
            bytes.len().saturating_sub(1)..bytes.len()
        } else {
            at + 4 + declared..bytes.len()
        },
    ))
}

/// A structure check that failed after the length field agreed with the size: the blob was
/// pasted whole, so it may be a layout this version does not know.
fn after_length(mut error: LayoutError) -> LayoutError {
    if let LayoutError::At(ErrorKind::Malformed { whole, .. }, _) = &mut error {
        *whole = true;
    }
    error
}

/// AWS symmetric v2: a 58-byte header (`01 02 xx 00 78`, the key-material id, `01`, …, the length
/// field at byte 54), then the CMS skeleton.
pub(crate) fn v2(bytes: &[u8]) -> Result<BlobFacts, LayoutError> {
    let family = BlobFamily::AwsV2;
    let id = header(family, bytes, 58)?;
    length_field(family, bytes, 54)?;
    if bytes[37] != 0x01 {
        return Err(after_length(malformed(family, bytes, 37, 1, "`01`")));
    }
    let content = check_skeleton(family, bytes, 58).map_err(after_length)?;
    Ok(BlobFacts {
        family,
        plaintext_len: Some(content - 27),
        key_material_id: Some(id),
        emulator_key_id: None,
    })
}

/// AWS symmetric v1: a 41-byte header (`01 01 xx 00 78`, the key-material id, the length field at
/// byte 37), then the CMS skeleton. `bytes` starts `offset` bytes into the blob (a v1 body inside
/// the legacy wrapper), and errors point into the blob.
pub(crate) fn v1(
    bytes: &[u8],
    offset: usize,
    family: BlobFamily,
) -> Result<BlobFacts, LayoutError> {
    let shift = |error: LayoutError| match error {
        LayoutError::At(mut kind, range) => {
            match &mut kind {
                ErrorKind::LengthMismatch { at, .. }
                | ErrorKind::Malformed { at, .. }
                | ErrorKind::ContentLength { at, .. } => *at += offset,
                _ => {}
            }
            LayoutError::At(kind, range.start + offset..range.end + offset)
        }
        LayoutError::NoKnownLayout => LayoutError::NoKnownLayout,
    };
    let id = header(family, bytes, 41).map_err(shift)?;
    length_field(family, bytes, 37).map_err(shift)?;
    let content = check_skeleton(family, bytes, 41)
        .map_err(after_length)
        .map_err(shift)?;
    Ok(BlobFacts {
        family,
        plaintext_len: Some(content - 27),
        key_material_id: Some(id),
        emulator_key_id: None,
    })
}

/// The protobuf wrapper of about 2015–2017: `0a 20` · key-material id · `12` · varint length ·
/// a v1 body with the same key-material id.
pub(crate) fn legacy(bytes: &[u8]) -> Result<BlobFacts, LayoutError> {
    let family = BlobFamily::AwsLegacy;
    if bytes.len() < 35 {
        return Err(LayoutError::At(
            ErrorKind::TruncatedHeader {
                family,
                len: bytes.len(),
                header_len: 37,
            },
            point(bytes.len(), bytes.len()),
        ));
    }
    if bytes[34] != 0x12 {
        return Err(malformed(family, bytes, 34, 1, "`12` (protobuf field 2)"));
    }
    // A protobuf varint of at most 2 bytes (bodies are at most 4241 bytes).
    let (declared, varint_len) = match bytes.get(35..) {
        Some([low, ..]) if low & 0x80 == 0 => (usize::from(*low), 1),
        Some([low, high, ..]) if high & 0x80 == 0 && *high != 0 => {
            (usize::from(low & 0x7f) | usize::from(*high) << 7, 2)
        }
        Some([_, _, ..]) => {
            return Err(malformed(
                family,
                bytes,
                35,
                2,
                "a protobuf length of at most two bytes",
            ))
        }
        _ => {
            return Err(LayoutError::At(
                ErrorKind::TruncatedHeader {
                    family,
                    len: bytes.len(),
                    header_len: 37,
                },
                point(bytes.len(), bytes.len()),
            ))
        }
    };
    let body = 35 + varint_len;
    let actual = bytes.len() - body;
    if declared != actual {
        return Err(LayoutError::At(
            ErrorKind::LengthMismatch {
                family,
                at: 35,
                field_len: varint_len,
                declared,
                actual,
                cut_base64: false,
            },
            if actual < declared {
                bytes.len().saturating_sub(1)..bytes.len()
            } else {
                body + declared..bytes.len()
            },
        ));
    }
    if !bytes[body..].starts_with(&[0x01, 0x01]) {
        return Err(after_length(malformed(
            family,
            bytes,
            body,
            2,
            "`01 01` (a v1 body)",
        )));
    }
    let inner = v1(&bytes[body..], body, family).map_err(after_length)?;
    let outer: [u8; 32] = bytes[2..34].try_into().unwrap_or([0; 32]);
    if inner.key_material_id != Some(outer) {
        return Err(LayoutError::At(
            ErrorKind::LegacyIdMismatch { at: body + 5 },
            body + 5..body + 37,
        ));
    }
    Ok(inner)
}
