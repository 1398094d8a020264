//! Step two: from bytes to a layout (KMS-FORMAT.md §2–§4), or the first byte that breaks it.

use core::fmt;

use crate::algorithm::Algorithm;
use crate::encoding::{self, Decoded};
use crate::error::{ErrorKind, FormatError};
use crate::family::{BlobFamily, Emulator};

/// What the invocation declares about a literal, which decides what is accepted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// `algorithm = …`; `None` means symmetric.
    pub algorithm: Option<Algorithm>,
    /// Accept ciphertexts of local KMS emulators (the `emulator` feature of `sealed-runtime`).
    pub allow_emulator: bool,
    /// `unchecked`: only base64 and size are checked (emulator ciphertexts are still recognised).
    pub unchecked: bool,
}

/// An accepted ciphertext and what could be learnt from it offline.
#[derive(Clone, PartialEq, Eq)]
pub struct Inspection {
    bytes: Vec<u8>,
    family: BlobFamily,
    plaintext_len: Option<usize>,
    key_material_id: Option<[u8; 32]>,
    emulator_key_id: Option<String>,
}

impl fmt::Debug for Inspection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inspection")
            .field("len", &self.bytes.len())
            .field("family", &self.family)
            .field("plaintext_len", &self.plaintext_len)
            .field("fingerprint", &self.fingerprint())
            .field("emulator_key_id", &self.emulator_key_id)
            .finish_non_exhaustive()
    }
}

impl Inspection {
    /// The ciphertext bytes, as KMS `Decrypt` wants them.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Takes the ciphertext bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// The layout.
    pub fn family(&self) -> BlobFamily {
        self.family
    }

    /// How many bytes the ciphertext decrypts to, where the layout tells.
    pub fn plaintext_len(&self) -> Option<usize> {
        self.plaintext_len
    }

    /// The 32-byte key-material id of an AWS symmetric blob: equal for every ciphertext made under
    /// the same key material. It is not the key id, and nothing maps it to one offline.
    pub fn key_material_id(&self) -> Option<&[u8; 32]> {
        self.key_material_id.as_ref()
    }

    /// [`Self::key_material_id`] in lowercase hex.
    pub fn fingerprint(&self) -> Option<String> {
        self.key_material_id.as_ref().map(hex::encode)
    }

    /// The key id or ARN an emulator wrote in clear.
    pub fn emulator_key_id(&self) -> Option<&str> {
        self.emulator_key_id.as_deref()
    }
}

fn hex_spaced(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| hex::encode([*b]))
        .collect::<Vec<_>>()
        .join(" ")
}

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
        (Ok(_) | Err(Problem::Unknown), Some(cut)) => Err(cut.clone()),
        (Err(Problem::At(mut kind, range)), Some(_)) => {
            if let ErrorKind::LengthMismatch { cut_base64, .. } = &mut kind {
                *cut_base64 = true;
            }
            Err(FormatError::new(kind, decoded.stripped.byte_range(range)))
        }
        (Ok(found), None) => finish(found, decoded, *options),
        (Err(Problem::At(kind, range)), None) => {
            Err(FormatError::new(kind, decoded.stripped.byte_range(range)))
        }
        (Err(Problem::Unknown), None) => Err(unknown(&decoded)),
    }
}

fn finish(found: Found, decoded: Decoded, options: Options) -> Result<Inspection, FormatError> {
    if let (BlobFamily::Emulator(emulator), false) = (found.family, options.allow_emulator) {
        let key_id = found.emulator_key_id.unwrap_or_default();
        let span = decoded
            .stripped
            .literal_range(0..decoded.stripped.chars.len());
        return Err(FormatError::new(
            ErrorKind::Emulator { emulator, key_id },
            span,
        ));
    }
    Ok(Inspection {
        bytes: decoded.bytes,
        family: found.family,
        plaintext_len: found.plaintext_len,
        key_material_id: found.key_material_id,
        emulator_key_id: found.emulator_key_id,
    })
}

/// Why a blob was not recognised: a definite error at a byte range, or no known layout at all.
enum Problem {
    At(ErrorKind, core::ops::Range<usize>),
    Unknown,
}

struct Found {
    family: BlobFamily,
    plaintext_len: Option<usize>,
    key_material_id: Option<[u8; 32]>,
    emulator_key_id: Option<String>,
}

impl Found {
    fn new(family: BlobFamily) -> Self {
        Found {
            family,
            plaintext_len: None,
            key_material_id: None,
            emulator_key_id: None,
        }
    }
}

fn classify(bytes: &[u8], options: Options) -> Result<Found, Problem> {
    let algorithm = options.algorithm.unwrap_or(Algorithm::SymmetricDefault);
    // Emulator layouts first: their key id in clear can never start an AWS or RSA blob by chance.
    if let Some(found) = emulator(bytes) {
        return Ok(found);
    }
    if options.unchecked {
        return Ok(Found::new(BlobFamily::Unchecked));
    }
    match algorithm {
        Algorithm::SymmetricDefault => symmetric(bytes),
        Algorithm::RsaesOaepSha1 | Algorithm::RsaesOaepSha256 => {
            if matches!(bytes.len(), 256 | 384 | 512) {
                return Ok(Found::new(BlobFamily::Rsa));
            }
            match symmetric(bytes) {
                Ok(found) => Err(Problem::At(
                    ErrorKind::SymmetricWithAsymmetricAlgorithm {
                        family: found.family,
                        algorithm,
                    },
                    0..bytes.len(),
                )),
                Err(_) => Err(Problem::At(
                    ErrorKind::RsaLength {
                        bytes: bytes.len(),
                        algorithm,
                    },
                    0..bytes.len(),
                )),
            }
        }
        Algorithm::Sm2Pke => match sm2(bytes) {
            Ok(found) => Ok(found),
            Err(problem) => match symmetric(bytes) {
                Ok(found) => Err(Problem::At(
                    ErrorKind::SymmetricWithAsymmetricAlgorithm {
                        family: found.family,
                        algorithm,
                    },
                    0..bytes.len(),
                )),
                Err(_) => Err(problem),
            },
        },
    }
}

fn symmetric(bytes: &[u8]) -> Result<Found, Problem> {
    match bytes {
        [0x01, 0x02, ..] => aws_v2(bytes),
        [0x01, 0x01, ..] => aws_v1(bytes, 0, BlobFamily::AwsV1),
        [0x0a, 0x20, ..] => aws_legacy(bytes),
        [0x01, 0x80, ..] => Err(Problem::At(
            ErrorKind::EncryptionSdkMessage { version: 1 },
            0..2,
        )),
        [0x02, 0x04 | 0x05, 0x78, ..] => Err(Problem::At(
            ErrorKind::EncryptionSdkMessage { version: 2 },
            0..3,
        )),
        _ => Err(double_base64(bytes).unwrap_or(Problem::Unknown)),
    }
}

fn malformed(
    family: BlobFamily,
    bytes: &[u8],
    at: usize,
    len: usize,
    expected: &'static str,
) -> Problem {
    let end = (at + len).min(bytes.len());
    let found = if at >= bytes.len() {
        "the end of the ciphertext".to_owned()
    } else {
        format!("`{}`", hex_spaced(&bytes[at..end]))
    };
    Problem::At(
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

/// Checks the fixed part of an AWS header (`fixed_len` bytes); returns the key-material id.
fn header(family: BlobFamily, bytes: &[u8], fixed_len: usize) -> Result<[u8; 32], Problem> {
    if bytes.len() >= 5 && bytes[3..5] != [0x00, 0x78] {
        return Err(malformed(family, bytes, 3, 2, "`00 78`"));
    }
    if bytes.len() < fixed_len {
        return Err(Problem::At(
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

/// A one-byte range at `at`, kept inside a blob of `len` bytes.
fn point(len: usize, at: usize) -> core::ops::Range<usize> {
    let at = at.min(len.saturating_sub(1));
    at..at + 1
}

fn length_field(family: BlobFamily, bytes: &[u8], at: usize) -> Result<(), Problem> {
    let declared = u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    let declared = usize::try_from(declared).unwrap_or(usize::MAX);
    let actual = bytes.len() - at - 4;
    if declared == actual {
        return Ok(());
    }
    Err(Problem::At(
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
fn after_length(mut problem: Problem) -> Problem {
    if let Problem::At(ErrorKind::Malformed { whole, .. }, _) = &mut problem {
        *whole = true;
    }
    problem
}

fn aws_v2(bytes: &[u8]) -> Result<Found, Problem> {
    let family = BlobFamily::AwsV2;
    let id = header(family, bytes, 58)?;
    length_field(family, bytes, 54)?;
    if bytes[37] != 0x01 {
        return Err(after_length(malformed(family, bytes, 37, 1, "`01`")));
    }
    let content = der_skeleton(family, bytes, 58).map_err(after_length)?;
    Ok(Found {
        family,
        plaintext_len: Some(content - 27),
        key_material_id: Some(id),
        emulator_key_id: None,
    })
}

fn aws_v1(bytes: &[u8], offset: usize, family: BlobFamily) -> Result<Found, Problem> {
    let shift = |problem: Problem| match problem {
        Problem::At(mut kind, range) => {
            match &mut kind {
                ErrorKind::LengthMismatch { at, .. }
                | ErrorKind::Malformed { at, .. }
                | ErrorKind::ContentLength { at, .. } => *at += offset,
                _ => {}
            }
            Problem::At(kind, range.start + offset..range.end + offset)
        }
        Problem::Unknown => Problem::Unknown,
    };
    let id = header(family, bytes, 41).map_err(shift)?;
    length_field(family, bytes, 37).map_err(shift)?;
    let content = der_skeleton(family, bytes, 41)
        .map_err(after_length)
        .map_err(shift)?;
    Ok(Found {
        family,
        plaintext_len: Some(content - 27),
        key_material_id: Some(id),
        emulator_key_id: None,
    })
}

fn aws_legacy(bytes: &[u8]) -> Result<Found, Problem> {
    let family = BlobFamily::AwsLegacy;
    if bytes.len() < 35 {
        return Err(Problem::At(
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
            return Err(Problem::At(
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
        return Err(Problem::At(
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
    let inner = aws_v1(&bytes[body..], body, family).map_err(after_length)?;
    let outer: [u8; 32] = bytes[2..34].try_into().unwrap_or([0; 32]);
    if inner.key_material_id != Some(outer) {
        return Err(Problem::At(
            ErrorKind::LegacyIdMismatch { at: body + 5 },
            body + 5..body + 37,
        ));
    }
    Ok(inner)
}

const OID_ENCRYPTED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x06];
const OID_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
const OID_AES256_GCM: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2e];

/// A strict DER reader over `bytes[pos..end]` that names what it expected where it fails.
struct Der<'a> {
    bytes: &'a [u8],
    pos: usize,
    end: usize,
    family: BlobFamily,
}

impl<'a> Der<'a> {
    fn fail(&self, at: usize, expected: &'static str) -> Problem {
        if self.family == BlobFamily::Sm2Pke {
            return Problem::At(
                ErrorKind::Sm2Malformed { at, expected },
                point(self.bytes.len(), at),
            );
        }
        malformed(self.family, self.bytes, at, 2, expected)
    }

    /// Reads a tag and a minimal definite length; returns the element's content range and moves
    /// past the element.
    fn element(
        &mut self,
        tag: u8,
        expected: &'static str,
    ) -> Result<core::ops::Range<usize>, Problem> {
        let start = self.pos;
        let byte = |i: usize| {
            if start + i < self.end {
                Some(self.bytes[start + i])
            } else {
                None
            }
        };
        if byte(0) != Some(tag) {
            return Err(self.fail(start, expected));
        }
        let (len, header) = match (byte(1), byte(2), byte(3)) {
            (Some(len), _, _) if len < 0x80 => (usize::from(len), 2),
            (Some(0x81), Some(len), _) if len >= 0x80 => (usize::from(len), 3),
            (Some(0x82), Some(high), Some(low)) if high != 0 => {
                (usize::from(high) << 8 | usize::from(low), 4)
            }
            _ => return Err(self.fail(start + 1, "a minimal definite DER length")),
        };
        let content = start + header..start + header + len;
        if content.end > self.end {
            let kind = match self.family {
                BlobFamily::Sm2Pke => ErrorKind::Sm2Malformed {
                    at: start,
                    expected: "an element that fits in its SEQUENCE",
                },
                family => ErrorKind::Malformed {
                    family,
                    at: start,
                    expected: "an element that fits in its SEQUENCE",
                    found: format!(
                        "a length of {len} with {} bytes left",
                        self.end - content.start.min(self.end)
                    ),
                    whole: false,
                },
            };
            return Err(Problem::At(kind, start..self.end.max(start + 1)));
        }
        self.pos = content.end;
        Ok(content)
    }

    /// Reads an element whose whole encoding is fixed.
    fn exact(&mut self, encoding: &[u8], expected: &'static str) -> Result<(), Problem> {
        let start = self.pos;
        if start + encoding.len() > self.end
            || self.bytes.get(start..start + encoding.len()) != Some(encoding)
        {
            return Err(self.fail(start, expected));
        }
        self.pos += encoding.len();
        Ok(())
    }

    fn inside(&self, range: core::ops::Range<usize>) -> Der<'a> {
        Der {
            bytes: self.bytes,
            pos: range.start,
            end: range.end,
            family: self.family,
        }
    }

    fn done(&self, expected: &'static str) -> Result<(), Problem> {
        if self.pos == self.end {
            Ok(())
        } else {
            Err(self.fail(self.pos, expected))
        }
    }
}

/// Checks the CMS `EncryptedData` skeleton at `bytes[start..]`; returns the content length.
fn der_skeleton(family: BlobFamily, bytes: &[u8], start: usize) -> Result<usize, Problem> {
    let mut outer = Der {
        bytes,
        pos: start,
        end: bytes.len(),
        family,
    };
    let info = outer.element(0x30, "`30` (CMS ContentInfo SEQUENCE)")?;
    outer.done("nothing after the ContentInfo")?;
    let mut info = outer.inside(info);
    info.exact(
        &[&[0x06, 0x09][..], OID_ENCRYPTED_DATA].concat(),
        "OID 1.2.840.113549.1.7.6 (encryptedData)",
    )?;
    let explicit = info.element(0xa0, "`a0` ([0] EXPLICIT content)")?;
    info.done("nothing after the [0] content")?;
    let mut explicit = info.inside(explicit);
    let encrypted = explicit.element(0x30, "`30` (EncryptedData SEQUENCE)")?;
    explicit.done("nothing after the EncryptedData")?;
    let mut encrypted = explicit.inside(encrypted);
    encrypted.exact(&[0x02, 0x01, 0x00], "`02 01 00` (version 0)")?;
    let content_info = encrypted.element(0x30, "`30` (EncryptedContentInfo SEQUENCE)")?;
    encrypted.done("no unprotected attributes after the EncryptedContentInfo")?;
    let mut content_info = encrypted.inside(content_info);
    content_info.exact(
        &[&[0x06, 0x09][..], OID_DATA].concat(),
        "OID 1.2.840.113549.1.7.1 (data)",
    )?;
    content_info.exact(&[0x30, 0x1e], "`30 1e` (the 30-byte AlgorithmIdentifier)")?;
    content_info.exact(
        &[&[0x06, 0x09][..], OID_AES256_GCM].concat(),
        "OID 2.16.840.1.101.3.4.1.46 (aes256-GCM)",
    )?;
    content_info.exact(
        &[0x30, 0x11, 0x04, 0x0c],
        "`30 11 04 0c` (GCM parameters with a 12-byte nonce)",
    )?;
    content_info.pos += 12;
    content_info.exact(&[0x02, 0x01, 0x10], "`02 01 10` (a 16-byte tag)")?;
    let content_at = content_info.pos;
    let content = content_info.element(0x80, "`80` ([0] IMPLICIT encrypted content)")?;
    content_info.done("nothing after the encrypted content")?;
    let len = content.len();
    if !(28..=4123).contains(&len) {
        return Err(Problem::At(
            ErrorKind::ContentLength {
                family,
                at: content_at,
                len,
            },
            content_at..content.end.max(content_at + 1),
        ));
    }
    Ok(len)
}

/// SM2PKE: SEQUENCE { INTEGER x, INTEGER y, OCTET STRING (32-byte hash), OCTET STRING (1 ..= 1024) }.
fn sm2(bytes: &[u8]) -> Result<Found, Problem> {
    let mut outer = Der {
        bytes,
        pos: 0,
        end: bytes.len(),
        family: BlobFamily::Sm2Pke,
    };
    let seq = outer.element(0x30, "`30` (SEQUENCE)")?;
    outer.done("nothing after the SEQUENCE")?;
    let mut seq = outer.inside(seq);
    for _ in 0..2 {
        let int_at = seq.pos;
        let int = seq.element(0x02, "`02` (INTEGER coordinate)")?;
        if int.is_empty() || int.len() > 33 {
            return Err(seq.fail(int_at, "an INTEGER of 1 ..= 33 bytes"));
        }
    }
    let hash_at = seq.pos;
    let hash = seq.element(0x04, "`04` (OCTET STRING hash)")?;
    if hash.len() != 32 {
        return Err(seq.fail(hash_at, "a 32-byte OCTET STRING (SM3 hash)"));
    }
    let text_at = seq.pos;
    let text = seq.element(0x04, "`04` (OCTET STRING ciphertext)")?;
    if text.is_empty() || text.len() > 1024 {
        return Err(seq.fail(text_at, "an OCTET STRING of 1 ..= 1024 bytes"));
    }
    seq.done("nothing after the ciphertext")?;
    Ok(Found {
        plaintext_len: Some(text.len()),
        ..Found::new(BlobFamily::Sm2Pke)
    })
}

fn is_uuid(id: &[u8]) -> bool {
    id.len() == 36
        && id.iter().enumerate().all(|(i, &b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// moto, LocalStack and local-kms write the key id or ARN in clear at the start.
fn emulator(bytes: &[u8]) -> Option<Found> {
    let found = |emulator, id: &[u8], plaintext_len| Found {
        family: BlobFamily::Emulator(emulator),
        plaintext_len,
        key_material_id: None,
        emulator_key_id: Some(String::from_utf8_lossy(id).into_owned()),
    };
    if let Some(id) = bytes.get(..36) {
        // moto cuts `mrk-` + uuid (40 characters) to 36; LocalStack writes `mrk-` + 32 hex digits.
        let moto_mrk =
            id.starts_with(b"mrk-") && id[4..].iter().all(|b| b.is_ascii_hexdigit() || *b == b'-');
        let localstack_mrk = id.starts_with(b"mrk-") && id[4..].iter().all(u8::is_ascii_hexdigit);
        if is_uuid(id) || moto_mrk {
            let fits_moto = bytes.len() > 64 && !localstack_mrk;
            let fits_localstack = bytes.len() >= 84 && (bytes.len() - 68).is_multiple_of(16);
            return match (fits_moto, fits_localstack) {
                (true, false) => Some(found(Emulator::Moto, id, Some(bytes.len() - 64))),
                (false, true) => Some(found(Emulator::LocalStack, id, None)),
                (true, true) => Some(found(Emulator::MotoOrLocalStack, id, None)),
                (false, false) => None,
            };
        }
    }
    // local-kms: u8 ARN length · [u8 material-id length] · ARN · …
    let arn_len = usize::from(*bytes.first()?);
    let is_arn = |arn: &[u8]| arn.starts_with(b"arn:") && arn.iter().all(u8::is_ascii_graphic);
    if arn_len >= 0x14 {
        if let Some(arn) = bytes.get(1..1 + arn_len).filter(|arn| is_arn(arn)) {
            // ≤ v3: ARN · u32le version · 12-byte nonce · ciphertext · 16-byte tag.
            let overhead = 1 + arn_len + 4 + 12 + 16;
            let plaintext_len = bytes.len().checked_sub(overhead).filter(|&n| n > 0);
            return Some(found(Emulator::LocalKms, arn, plaintext_len));
        }
        let material_len = usize::from(*bytes.get(1)?);
        if let Some(arn) = bytes.get(2..2 + arn_len).filter(|arn| is_arn(arn)) {
            let overhead = 2 + arn_len + material_len + 12 + 16;
            let plaintext_len = bytes.len().checked_sub(overhead).filter(|&n| n > 0);
            return Some(found(Emulator::LocalKms, arn, plaintext_len));
        }
    }
    None
}

/// Base64 text inside: decodes it and reports what it holds, if it is a ciphertext.
fn double_base64(bytes: &[u8]) -> Option<Problem> {
    let text = core::str::from_utf8(bytes).ok()?;
    if text.trim().len() < crate::limits::MIN_AWS_CHARS {
        return None;
    }
    let inner = encoding::decode(text).ok()?;
    let found = symmetric(&inner.bytes)
        .ok()
        .or_else(|| emulator(&inner.bytes))?;
    Some(Problem::At(
        ErrorKind::DoubleBase64 {
            inner: found.family,
        },
        0..bytes.len(),
    ))
}

fn unknown(decoded: &Decoded) -> FormatError {
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
