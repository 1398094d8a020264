//! The entry point: a literal decoded, classified, and the outcome worded for the literal (byte
//! ranges turned into character ranges).

use crate::blob::classify::classify;
use crate::blob::inspection::{Inspection, Options};
use crate::blob::layout::{hex_spaced, BlobFacts, LayoutError};
use crate::encoding::{self, Decoded};
use crate::error::{ErrorKind, FormatError};
use crate::family::BlobFamily;

/// Checks a ciphertext literal: base64, size, layout.
///
/// ```
/// use sealed_format::{inspect, BlobFamily, Options};
///
/// let literal = "AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=";
/// let blob = inspect(literal, &Options::default()).unwrap();
/// assert_eq!(blob.family(), BlobFamily::AwsV2);
/// assert_eq!(blob.plaintext_len(), Some(12));
///
/// let error = inspect("AQICAHh...base64ciphertext...==", &Options::default()).unwrap_err();
/// assert!(error.to_string().starts_with("ciphertext is elided"));
/// ```
pub fn inspect(literal: &str, options: &Options) -> Result<Inspection, FormatError> {
    let decoded = encoding::decode(literal)?;
    let result = classify(&decoded.bytes, *options);
    match (result, &decoded.short_groups) {
        (Ok(_) | Err(LayoutError::NoKnownLayout), Some(cut)) => Err(cut.clone()),
        (Err(LayoutError::At(mut kind, range)), Some(_)) => {
            if let ErrorKind::LengthMismatch { cut_base64, .. } = &mut kind {
                *cut_base64 = true;
            }
            Err(FormatError::new(kind, decoded.stripped.byte_range(range)))
        }
        (Ok(facts), None) => accept(facts, decoded, *options),
        (Err(LayoutError::At(kind, range)), None) => {
            Err(FormatError::new(kind, decoded.stripped.byte_range(range)))
        }
        (Err(LayoutError::NoKnownLayout), None) => Err(no_known_layout(&decoded)),
    }
}

/// The recognised blob as an [`Inspection`], unless it is an emulator's and they are not allowed.
fn accept(facts: BlobFacts, decoded: Decoded, options: Options) -> Result<Inspection, FormatError> {
    if let (BlobFamily::Emulator(emulator), false) = (facts.family, options.allow_emulator) {
        let key_id = facts.emulator_key_id.unwrap_or_default();
        let span = decoded
            .stripped
            .literal_range(0..decoded.stripped.chars.len());
        return Err(FormatError::new(
            ErrorKind::Emulator { emulator, key_id },
            span,
        ));
    }
    Ok(Inspection::new(decoded.bytes, facts))
}

/// Good base64 in no layout: too short to be a ciphertext, or a layout this version does not know.
fn no_known_layout(decoded: &Decoded) -> FormatError {
    let bytes = &decoded.bytes;
    let span = decoded
        .stripped
        .literal_range(0..decoded.stripped.chars.len());
    if bytes.len() < 64 {
        return FormatError::new(ErrorKind::TooShort { bytes: bytes.len() }, span);
    }
    FormatError::new(
        ErrorKind::UnknownLayout {
            bytes: bytes.len(),
            prefix: hex_spaced(&bytes[..bytes.len().min(5)]),
            rsa_sized: matches!(bytes.len(), 256 | 384 | 512),
        },
        span,
    )
}
