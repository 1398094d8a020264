//! SM2PKE ciphertexts of asymmetric KMS keys (China Regions): a DER structure whose sizes are
//! checked, the plaintext length read from it.

use crate::blob::der::DerReader;
use crate::blob::layout::{BlobFacts, LayoutError};
use crate::family::BlobFamily;

/// SM2PKE: SEQUENCE { INTEGER x, INTEGER y, OCTET STRING (32-byte hash), OCTET STRING (1 ..= 1024) }.
pub(crate) fn read(bytes: &[u8]) -> Result<BlobFacts, LayoutError> {
    let mut outer = DerReader::new(BlobFamily::Sm2Pke, bytes, 0);
    let seq = outer.element(0x30, "`30` (SEQUENCE)")?;
    outer.done("nothing after the SEQUENCE")?;
    let mut seq = outer.inside(seq);
    for _ in 0..2 {
        let int_at = seq.pos();
        let int = seq.element(0x02, "`02` (INTEGER coordinate)")?;
        if int.is_empty() || int.len() > 33 {
            return Err(seq.fail(int_at, "an INTEGER of 1 ..= 33 bytes"));
        }
    }
    let hash_at = seq.pos();
    let hash = seq.element(0x04, "`04` (OCTET STRING hash)")?;
    if hash.len() != 32 {
        return Err(seq.fail(hash_at, "a 32-byte OCTET STRING (SM3 hash)"));
    }
    let text_at = seq.pos();
    let text = seq.element(0x04, "`04` (OCTET STRING ciphertext)")?;
    if text.is_empty() || text.len() > 1024 {
        return Err(seq.fail(text_at, "an OCTET STRING of 1 ..= 1024 bytes"));
    }
    seq.done("nothing after the ciphertext")?;
    Ok(BlobFacts {
        plaintext_len: Some(text.len()),
        ..BlobFacts::new(BlobFamily::Sm2Pke)
    })
}
