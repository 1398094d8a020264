//! What binds each sealed value to its bundle and its line: the HPKE `info` and `aad`, both
//! injective encodings (a fixed label with its terminator, a fixed-length id, length-prefixed
//! strings, a fixed-width generation).

use crate::bundle::format::{BUNDLE_HEADER, BUNDLE_ID_LEN};

/// The HPKE `info` of every value of the bundle `id`: the format version, the id and the
/// bundle's stage (empty for a bundle of no stage set), so that a value opens only in its own
/// bundle, and only as its own stage's.
pub fn hpke_info(id: &[u8; BUNDLE_ID_LEN], stage: &str) -> Vec<u8> {
    let stage = stage.as_bytes();
    let mut info = Vec::with_capacity(BUNDLE_HEADER.len() + 1 + BUNDLE_ID_LEN + 2 + stage.len());
    info.extend_from_slice(BUNDLE_HEADER.as_bytes());
    info.push(0);
    info.extend_from_slice(id);
    info.extend_from_slice(&u16_len(stage).to_be_bytes());
    info.extend_from_slice(stage);
    info
}

/// The HPKE `aad` of one value: its name and generation, so that a value opens only under its
/// own name and with the generation it was sealed with (type byte `0x01`: a single value).
pub fn hpke_aad(name: &str, generation: u64) -> Vec<u8> {
    let mut aad = Vec::with_capacity(1 + 2 + name.len() + 8);
    aad.push(0x01);
    aad.extend_from_slice(&u16_len(name.as_bytes()).to_be_bytes());
    aad.extend_from_slice(name.as_bytes());
    aad.extend_from_slice(&generation.to_be_bytes());
    aad
}

/// The length prefix of a name or stage. Both are far shorter than `u16::MAX` (a name is at
/// most `MAX_NAME_LEN` bytes, which every parser and editor checks first); a longer one
/// saturates rather than wraps.
fn u16_len(bytes: &[u8]) -> u16 {
    u16::try_from(bytes.len()).unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_info_binds_the_version_the_id_and_the_stage() {
        let a = hpke_info(&[1; 16], "");
        assert_ne!(a, hpke_info(&[2; 16], ""));
        assert_eq!(a.len(), 15 + 1 + 16 + 2);
        let prod = hpke_info(&[1; 16], "prod");
        assert_ne!(prod, a);
        assert_ne!(prod, hpke_info(&[1; 16], "dev"));
        assert!(prod.ends_with(&[0, 4, b'p', b'r', b'o', b'd']));
        assert!(a.starts_with(b"sealed-bundle 2\0"));
    }

    #[test]
    fn the_aad_binds_the_name_and_the_generation_injectively() {
        let a = hpke_aad("a", 1);
        assert_ne!(a, hpke_aad("b", 1));
        assert_ne!(a, hpke_aad("a", 2));
        // the length prefix keeps a name from running into the generation
        assert_ne!(hpke_aad("a\u{1}", 0), hpke_aad("a", 1 << 56));
        assert_eq!(a, [1, 0, 1, b'a', 0, 0, 0, 0, 0, 0, 0, 1]);
    }
}
