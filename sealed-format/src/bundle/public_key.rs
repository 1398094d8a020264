//! The bundle's public key: the framing of a P-256 `SubjectPublicKeyInfo`, checked without a
//! parser (a fixed 26-byte header and an uncompressed point). Whether the point is on the curve
//! is for the HPKE implementation to say, which `sealed-format` (no cryptography) is not.

use crate::bundle::error::BundleErrorKind;
use crate::bundle::format::{P256_SPKI_PREFIX, POINT_LEN, PUBLIC_KEY_LEN};

/// Checks that `spki` is a DER P-256 `SubjectPublicKeyInfo` with an uncompressed point.
pub(crate) fn check_public_key(spki: &[u8]) -> Result<(), BundleErrorKind> {
    if spki.len() != PUBLIC_KEY_LEN {
        return Err(BundleErrorKind::BadPublicKey(
            "it is not 91 bytes, the length of a P-256 public key",
        ));
    }
    if spki[..P256_SPKI_PREFIX.len()] != P256_SPKI_PREFIX {
        return Err(BundleErrorKind::BadPublicKey(
            "it is not a P-256 (ECC_NIST_P256) SubjectPublicKeyInfo",
        ));
    }
    if spki[P256_SPKI_PREFIX.len()] != 0x04 {
        return Err(BundleErrorKind::BadPublicKey(
            "its point is not in uncompressed form",
        ));
    }
    Ok(())
}

/// The 65-byte point of a checked `SubjectPublicKeyInfo`.
pub(crate) fn point_of(spki: &[u8]) -> [u8; POINT_LEN] {
    let mut point = [0; POINT_LEN];
    if let Some(tail) = spki.get(P256_SPKI_PREFIX.len()..) {
        let len = tail.len().min(POINT_LEN);
        point[..len].copy_from_slice(&tail[..len]);
    }
    point
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spki() -> Vec<u8> {
        let mut spki = P256_SPKI_PREFIX.to_vec();
        spki.push(4);
        spki.extend_from_slice(&[7; 64]);
        spki
    }

    #[test]
    fn the_framing_of_a_p256_key_is_checked() {
        assert_eq!(check_public_key(&spki()), Ok(()));
        assert_eq!(point_of(&spki())[..2], [4, 7]);
        let mut short = spki();
        short.pop();
        assert!(check_public_key(&short).is_err());
        let mut p384 = spki();
        p384[25 - 6] ^= 1;
        assert!(check_public_key(&p384).is_err());
        let mut compressed = spki();
        compressed[26] = 2;
        assert!(check_public_key(&compressed).is_err());
    }
}
