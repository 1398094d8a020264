//! Which layouts the declared algorithm allows, and which one the bytes have.

use crate::algorithm::Algorithm;
use crate::blob::aws;
use crate::blob::emulator;
use crate::blob::inspection::Options;
use crate::blob::layout::{BlobFacts, LayoutError};
use crate::blob::sm2;
use crate::encoding;
use crate::error::ErrorKind;
use crate::family::BlobFamily;

/// The layout of `bytes` under `options`, or why they have none.
pub(crate) fn classify(bytes: &[u8], options: Options) -> Result<BlobFacts, LayoutError> {
    let algorithm = options.algorithm.unwrap_or(Algorithm::SymmetricDefault);
    // Emulator layouts first: their key id in clear can never start an AWS or RSA blob by chance.
    if let Some(facts) = emulator::recognise(bytes) {
        return Ok(facts);
    }
    if options.unchecked {
        return Ok(BlobFacts::new(BlobFamily::Unchecked));
    }
    match algorithm {
        Algorithm::SymmetricDefault => symmetric(bytes),
        Algorithm::RsaesOaepSha1 | Algorithm::RsaesOaepSha256 => {
            if matches!(bytes.len(), 256 | 384 | 512) {
                return Ok(BlobFacts::new(BlobFamily::Rsa));
            }
            match symmetric(bytes) {
                Ok(facts) => Err(LayoutError::At(
                    ErrorKind::SymmetricWithAsymmetricAlgorithm {
                        family: facts.family,
                        algorithm,
                    },
                    0..bytes.len(),
                )),
                Err(_) => Err(LayoutError::At(
                    ErrorKind::RsaLength {
                        bytes: bytes.len(),
                        algorithm,
                    },
                    0..bytes.len(),
                )),
            }
        }
        Algorithm::Sm2Pke => match sm2::read(bytes) {
            Ok(facts) => Ok(facts),
            Err(error) => match symmetric(bytes) {
                Ok(facts) => Err(LayoutError::At(
                    ErrorKind::SymmetricWithAsymmetricAlgorithm {
                        family: facts.family,
                        algorithm,
                    },
                    0..bytes.len(),
                )),
                Err(_) => Err(error),
            },
        },
    }
}

/// A symmetric layout chosen by the first bytes; the AWS Encryption SDK's messages and base64 of
/// base64 are named as such.
fn symmetric(bytes: &[u8]) -> Result<BlobFacts, LayoutError> {
    match bytes {
        [0x01, 0x02, ..] => aws::v2(bytes),
        [0x01, 0x01, ..] => aws::v1(bytes, 0, BlobFamily::AwsV1),
        [0x0a, 0x20, ..] => aws::legacy(bytes),
        [0x01, 0x80, ..] => Err(LayoutError::At(
            ErrorKind::EncryptionSdkMessage { version: 1 },
            0..2,
        )),
        [0x02, 0x04 | 0x05, 0x78, ..] => Err(LayoutError::At(
            ErrorKind::EncryptionSdkMessage { version: 2 },
            0..3,
        )),
        _ => Err(double_base64(bytes).unwrap_or(LayoutError::NoKnownLayout)),
    }
}

/// Base64 text inside: decodes it and reports what it holds, if it is a ciphertext.
fn double_base64(bytes: &[u8]) -> Option<LayoutError> {
    let text = core::str::from_utf8(bytes).ok()?;
    if text.trim().len() < crate::limits::MIN_AWS_CHARS {
        return None;
    }
    let inner = encoding::decode(text).ok()?;
    let facts = symmetric(&inner.bytes)
        .ok()
        .or_else(|| emulator::recognise(&inner.bytes))?;
    Some(LayoutError::At(
        ErrorKind::DoubleBase64 {
            inner: facts.family,
        },
        0..bytes.len(),
    ))
}
