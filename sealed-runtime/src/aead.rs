//! AES-256-GCM for bundle values, from the crypto provider the TLS stack already brings (see
//! `tls`). No cryptography of our own: a random nonce per value, the provider's seal and open.

use crate::tls::provider::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use crate::tls::provider::rand::{SecureRandom as _, SystemRandom};
use zeroize::Zeroizing;

/// The system's random generator could not be read, or a key was not 32 bytes.
#[derive(Debug)]
pub(crate) struct Failed;

fn key(data_key: &[u8]) -> Result<LessSafeKey, Failed> {
    UnboundKey::new(&AES_256_GCM, data_key)
        .map(LessSafeKey::new)
        .map_err(|_| Failed)
}

/// `N` random bytes from the system's generator.
pub(crate) fn random<const N: usize>() -> Result<[u8; N], Failed> {
    let mut bytes = [0; N];
    SystemRandom::new().fill(&mut bytes).map_err(|_| Failed)?;
    Ok(bytes)
}

/// Nonce ‖ ciphertext ‖ tag of `plaintext` under `data_key`, bound to `aad`.
pub(crate) fn seal(data_key: &[u8], aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, Failed> {
    let key = key(data_key)?;
    let nonce: [u8; NONCE_LEN] = random()?;
    let mut sealed = Vec::with_capacity(NONCE_LEN + plaintext.len() + AES_256_GCM.tag_len());
    sealed.extend_from_slice(&nonce);
    sealed.extend_from_slice(plaintext);
    let tag = key
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad),
            &mut sealed[NONCE_LEN..],
        )
        .map_err(|_| Failed)?;
    sealed.extend_from_slice(tag.as_ref());
    Ok(sealed)
}

/// The plaintext of `sealed` (nonce ‖ ciphertext ‖ tag), or `None` if it does not authenticate
/// under `data_key` with `aad`: never a byte of an unauthenticated plaintext.
pub(crate) fn open(data_key: &[u8], aad: &[u8], sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let key = key(data_key).ok()?;
    let (nonce, body) = sealed.split_at_checked(NONCE_LEN)?;
    let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
    // opened in a zeroizing buffer: the plaintext never sits in one that is not
    let mut buffer = Zeroizing::new(body.to_vec());
    let len = key
        .open_in_place(nonce, Aad::from(aad), &mut buffer)
        .ok()?
        .len();
    buffer.truncate(len);
    Some(buffer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_gives_back_what_seal_sealed_and_nothing_else_opens() {
        let data_key = [9u8; 32];
        let sealed = seal(&data_key, b"aad", b"secret").unwrap();
        assert_eq!(sealed.len(), 12 + 6 + 16);
        assert_eq!(&*open(&data_key, b"aad", &sealed).unwrap(), b"secret");
        assert!(open(&data_key, b"other", &sealed).is_none());
        assert!(open(&[8u8; 32], b"aad", &sealed).is_none());
        assert!(open(&data_key, b"aad", &sealed[..20]).is_none());
        assert!(open(&data_key, b"aad", &sealed[..5]).is_none());
        // a fresh nonce each time
        assert_ne!(seal(&data_key, b"aad", b"secret").unwrap(), sealed);
        assert!(seal(&[1u8; 31], b"aad", b"x").is_err());
    }
}
