//! The ciphertexts of local KMS emulators (moto, LocalStack, local-kms): a key id or ARN in
//! clear at the start, which no AWS ciphertext can begin with.

use crate::blob::layout::BlobFacts;
use crate::family::{BlobFamily, Emulator};

/// A UUID in ASCII: 8-4-4-4-12 hex digits.
fn is_uuid(id: &[u8]) -> bool {
    id.len() == 36
        && id.iter().enumerate().all(|(i, &b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// moto, LocalStack and local-kms write the key id or ARN in clear at the start.
pub(crate) fn recognise(bytes: &[u8]) -> Option<BlobFacts> {
    let facts = |emulator, id: &[u8], plaintext_len| BlobFacts {
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
                (true, false) => Some(facts(Emulator::Moto, id, Some(bytes.len() - 64))),
                (false, true) => Some(facts(Emulator::LocalStack, id, None)),
                (true, true) => Some(facts(Emulator::MotoOrLocalStack, id, None)),
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
            return Some(facts(Emulator::LocalKms, arn, plaintext_len));
        }
        let material_len = usize::from(*bytes.get(1)?);
        if let Some(arn) = bytes.get(2..2 + arn_len).filter(|arn| is_arn(arn)) {
            let overhead = 2 + arn_len + material_len + 12 + 16;
            let plaintext_len = bytes.len().checked_sub(overhead).filter(|&n| n > 0);
            return Some(facts(Emulator::LocalKms, arn, plaintext_len));
        }
    }
    None
}
