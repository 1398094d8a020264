//! The CMS `EncryptedData` skeleton that the AWS symmetric layouts end with (docs/KMS-FORMAT.md §2):
//! every byte fixed but the nonce, the tag and the encrypted content.

use crate::blob::der::DerReader;
use crate::blob::layout::LayoutError;
use crate::error::ErrorKind;
use crate::family::BlobFamily;

const OID_ENCRYPTED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x06];
const OID_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
const OID_AES256_GCM: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2e];

/// Checks the CMS `EncryptedData` skeleton at `bytes[start..]`; returns the content length.
pub(crate) fn check_skeleton(
    family: BlobFamily,
    bytes: &[u8],
    start: usize,
) -> Result<usize, LayoutError> {
    let mut outer = DerReader::new(family, bytes, start);
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
    content_info.skip(12);
    content_info.exact(&[0x02, 0x01, 0x10], "`02 01 10` (a 16-byte tag)")?;
    let content_at = content_info.pos();
    let content = content_info.element(0x80, "`80` ([0] IMPLICIT encrypted content)")?;
    content_info.done("nothing after the encrypted content")?;
    let len = content.len();
    if !(28..=4123).contains(&len) {
        return Err(LayoutError::At(
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
