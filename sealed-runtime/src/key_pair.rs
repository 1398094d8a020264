//! A bundle's key pair, as HPKE (RFC 9180) uses it: the private key read from the PKCS#8 that
//! KMS unwraps and checked against the file's public key, values opened with it, and (for
//! `cargo sealed bundle set`) values sealed to the public key. No cryptography of our own:
//! single-shot base mode, suite DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-256-GCM (fixed by
//! bundle format 2; `docs/design/bundle-format-2.md` says why), from the crypto provider the TLS
//! features choose, as `tls` chooses the HTTPS stack:
//!
//! * `tls-aws-lc`, `tls-fips`: rustls's HPKE over aws-lc-rs (`DH_KEM_P256_HKDF_SHA256_AES_256`),
//!   the PKCS#8 read and the key check with aws-lc-rs (under `tls-fips`, the FIPS module's
//!   primitives; HPKE itself is not a FIPS-approved scheme);
//! * `tls-ring` (the default): the `hpke` crate over the `RustCrypto` crates (`p256` for the
//!   PKCS#8).
//!
//! Both open what the other seals (tested, and both against another implementation).

#[cfg(any(feature = "tls-aws-lc", feature = "tls-fips"))]
pub(crate) use aws_lc::{open, private_key, random, seal, PrivateKey};
#[cfg(not(any(feature = "tls-aws-lc", feature = "tls-fips")))]
pub(crate) use rust_crypto::{open, private_key, random, seal, PrivateKey};

/// Why a PKCS#8 from KMS is not the bundle's private key.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum KeyError {
    /// It is not a P-256 PKCS#8 `PrivateKeyInfo`.
    NotP256,
    /// It is a P-256 key, whose public half is not the file's public key.
    Mismatch,
}

/// The public point was not a P-256 point, or the system's random generator failed.
#[derive(Debug)]
pub(crate) struct Failed;

/// The `hpke` crate over the `RustCrypto` crates.
#[cfg(not(any(feature = "tls-aws-lc", feature = "tls-fips")))]
mod rust_crypto {
    use hpke::aead::{AeadTag, AesGcm256};
    use hpke::inout::InOutBuf;
    use hpke::kdf::HkdfSha256;
    use hpke::kem::DhP256HkdfSha256;
    use hpke::{Deserializable as _, Kem as _, OpModeR, OpModeS, Serializable as _};
    use p256::pkcs8::DecodePrivateKey as _;
    use zeroize::Zeroizing;

    use sealed_format::{ENC_LEN, POINT_LEN, TAG_LEN};

    use crate::key_pair::{Failed, KeyError};

    type Kem = DhP256HkdfSha256;

    /// A bundle's private key, checked against its public key; zeroed when dropped (the `p256`
    /// secret key inside zeroizes itself).
    pub(crate) struct PrivateKey(<Kem as hpke::Kem>::PrivateKey);

    /// The private key in `pkcs8` (what `Decrypt` gave back), if its public half is `point`.
    pub(crate) fn private_key(
        pkcs8: &[u8],
        point: &[u8; POINT_LEN],
    ) -> Result<PrivateKey, KeyError> {
        let secret = p256::SecretKey::from_pkcs8_der(pkcs8).map_err(|_| KeyError::NotP256)?;
        // the scalar goes straight into a zeroizing home, with no copy left on the stack
        let scalar = Zeroizing::new(secret.to_bytes());
        drop(secret);
        let key = <Kem as hpke::Kem>::PrivateKey::from_bytes(&scalar[..])
            .map_err(|_| KeyError::NotP256)?;
        if Kem::sk_to_pk(&key).to_bytes()[..] == point[..] {
            Ok(PrivateKey(key))
        } else {
            Err(KeyError::Mismatch)
        }
    }

    /// The plaintext of `sealed` (encapsulated key ‖ ciphertext ‖ tag), or `None` if it does
    /// not open with `key` under `info` and `aad`: never a byte of an unauthenticated plaintext.
    pub(crate) fn open(
        key: &PrivateKey,
        info: &[u8],
        aad: &[u8],
        sealed: &[u8],
    ) -> Option<Zeroizing<Vec<u8>>> {
        let (enc, rest) = sealed.split_at_checked(ENC_LEN)?;
        let (ciphertext, tag) = rest.split_at_checked(rest.len().checked_sub(TAG_LEN)?)?;
        let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(enc).ok()?;
        let tag = AeadTag::<AesGcm256>::from_bytes(tag).ok()?;
        // opened in a zeroizing buffer: the plaintext never sits in one that is not
        let mut buffer = Zeroizing::new(ciphertext.to_vec());
        hpke::single_shot_open_inout_detached::<AesGcm256, HkdfSha256, Kem>(
            &OpModeR::Base,
            &key.0,
            &enc,
            info,
            InOutBuf::from(&mut buffer[..]),
            aad,
            &tag,
        )
        .ok()?;
        Some(buffer)
    }

    /// `plaintext` sealed to the public key `point` (an uncompressed P-256 point) under `info`
    /// and `aad`: encapsulated key ‖ ciphertext ‖ tag, with a fresh ephemeral key from the
    /// system's random generator.
    pub(crate) fn seal(
        point: &[u8],
        info: &[u8],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, Failed> {
        let public = <Kem as hpke::Kem>::PublicKey::from_bytes(point).map_err(|_| Failed)?;
        // the RNG is checked first: `hpke` panics if it fails inside
        random::<1>()?;
        let (enc, ciphertext) = hpke::single_shot_seal::<AesGcm256, HkdfSha256, Kem>(
            &OpModeS::Base,
            &public,
            info,
            plaintext,
            aad,
        )
        .map_err(|_| Failed)?;
        let mut sealed = enc.to_bytes().to_vec();
        sealed.extend_from_slice(&ciphertext);
        Ok(sealed)
    }

    /// `N` random bytes from the system's generator.
    pub(crate) fn random<const N: usize>() -> Result<[u8; N], Failed> {
        let mut bytes = [0; N];
        getrandom::fill(&mut bytes).map_err(|_| Failed)?;
        Ok(bytes)
    }
}

/// rustls's HPKE over aws-lc-rs.
#[cfg(any(feature = "tls-aws-lc", feature = "tls-fips"))]
mod aws_lc {
    use aws_lc_rs::agreement::{self, ECDH_P256};
    use aws_lc_rs::encoding::{AsBigEndian as _, EcPrivateKeyBin};
    use rustls::crypto::aws_lc_rs::hpke::DH_KEM_P256_HKDF_SHA256_AES_256 as SUITE;
    use rustls::crypto::hpke::{EncapsulatedSecret, Hpke as _, HpkePrivateKey, HpkePublicKey};
    use zeroize::Zeroizing;

    use sealed_format::{ENC_LEN, POINT_LEN};

    use crate::key_pair::{Failed, KeyError};

    /// A bundle's private key (its scalar), checked against its public key; zeroed when
    /// dropped (rustls's `HpkePrivateKey` zeroizes itself).
    pub(crate) struct PrivateKey(HpkePrivateKey);

    /// The private key in `pkcs8` (what `Decrypt` gave back), if its public half is `point`.
    pub(crate) fn private_key(
        pkcs8: &[u8],
        point: &[u8; POINT_LEN],
    ) -> Result<PrivateKey, KeyError> {
        let key = agreement::PrivateKey::from_private_key_der(&ECDH_P256, pkcs8)
            .map_err(|_| KeyError::NotP256)?;
        let public = key.compute_public_key().map_err(|_| KeyError::NotP256)?;
        if public.as_ref() != &point[..] {
            return Err(KeyError::Mismatch);
        }
        let scalar: EcPrivateKeyBin<'static> = key.as_be_bytes().map_err(|_| KeyError::NotP256)?;
        // the scalar goes straight into its zeroizing home
        Ok(PrivateKey(HpkePrivateKey::from(scalar.as_ref().to_vec())))
    }

    /// The plaintext of `sealed` (encapsulated key ‖ ciphertext ‖ tag), or `None` if it does
    /// not open with `key` under `info` and `aad`. rustls opens in a buffer of its own, which
    /// it frees without zeroing (the copy returned goes straight into a zeroizing one).
    pub(crate) fn open(
        key: &PrivateKey,
        info: &[u8],
        aad: &[u8],
        sealed: &[u8],
    ) -> Option<Zeroizing<Vec<u8>>> {
        // rustls takes the ciphertext with its tag, and refuses one too short for the tag
        let (enc, body) = sealed.split_at_checked(ENC_LEN)?;
        SUITE
            .open(&EncapsulatedSecret(enc.to_vec()), info, aad, body, &key.0)
            .ok()
            .map(Zeroizing::new)
    }

    /// `plaintext` sealed to the public key `point` (an uncompressed P-256 point) under `info`
    /// and `aad`: encapsulated key ‖ ciphertext ‖ tag, with a fresh ephemeral key from AWS-LC's
    /// random generator.
    pub(crate) fn seal(
        point: &[u8],
        info: &[u8],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, Failed> {
        let (enc, ciphertext) = SUITE
            .seal(info, aad, plaintext, &HpkePublicKey(point.to_vec()))
            .map_err(|_| Failed)?;
        let mut sealed = enc.0;
        sealed.extend_from_slice(&ciphertext);
        Ok(sealed)
    }

    /// `N` random bytes from AWS-LC's generator.
    pub(crate) fn random<const N: usize>() -> Result<[u8; N], Failed> {
        let mut bytes = [0; N];
        aws_lc_rs::rand::fill(&mut bytes).map_err(|_| Failed)?;
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sealed_format::{ENC_LEN, POINT_LEN, TAG_LEN};

    // Made by another implementation of RFC 9180 (pyhpke 0.6.5 over OpenSSL, key pair from
    // Python's `cryptography`), suite 0x0010/0x0001/0x0002, base mode.
    const PKCS8: &str = "308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420b745c5b0281041c851e7e7c4b29d30459e97f8e943e0901ff5962f5b72082a56a14403420004f2225b2208dc034fd9e142f514bfd937318635289c4cb78b89b56d076676b12bfbb72a483050e1452a1f4ecce8d8ec7c13a49af128906c586a02f70486acf6b0";
    const POINT: &str = "04f2225b2208dc034fd9e142f514bfd937318635289c4cb78b89b56d076676b12bfbb72a483050e1452a1f4ecce8d8ec7c13a49af128906c586a02f70486acf6b0";
    const ENC: &str = "04f2ef54a0cbbedc0800ad41ac16f148e1c13f3bdc715ac0344c86c21963118aa0070ba17f09667d1774ee65166bb5e51859d651c3d9e10dfded598a991ea3abd0";
    const CT: &str =
        "0dce36e195d112317e7025659fdb2a7e82a33c3345c20032fbce457a4320045453636036a894e0acee69f27f";
    const PLAINTEXT: &[u8] = b"correct horse battery staple";

    fn info() -> Vec<u8> {
        let id: [u8; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
        sealed_format::hpke_info(&id, "")
    }

    fn aad() -> Vec<u8> {
        sealed_format::hpke_aad("db_password", 7)
    }

    fn point() -> [u8; POINT_LEN] {
        hex::decode(POINT).unwrap().try_into().unwrap()
    }

    fn key() -> PrivateKey {
        private_key(&hex::decode(PKCS8).unwrap(), &point()).unwrap()
    }

    #[test]
    fn a_value_sealed_by_another_implementation_opens() {
        let sealed = [hex::decode(ENC).unwrap(), hex::decode(CT).unwrap()].concat();
        assert_eq!(&*open(&key(), &info(), &aad(), &sealed).unwrap(), PLAINTEXT);
        // any other binding, or a changed byte, opens nothing
        assert!(open(
            &key(),
            &info(),
            &sealed_format::hpke_aad("db_password", 6),
            &sealed
        )
        .is_none());
        assert!(open(
            &key(),
            &sealed_format::hpke_info(&[0; 16], ""),
            &aad(),
            &sealed
        )
        .is_none());
        for i in [0, 1, 64, 65, sealed.len() - 1] {
            let mut flipped = sealed.clone();
            flipped[i] ^= 1;
            assert!(
                open(&key(), &info(), &aad(), &flipped).is_none(),
                "byte {i}"
            );
        }
        assert!(open(&key(), &info(), &aad(), &sealed[..80]).is_none());
        assert!(open(&key(), &info(), &aad(), &sealed[..3]).is_none());
    }

    #[test]
    fn seal_then_open_gives_the_plaintext_with_a_fresh_ephemeral_key_each_time() {
        let sealed = seal(&point(), &info(), &aad(), b"secret").unwrap();
        assert_eq!(sealed.len(), ENC_LEN + 6 + TAG_LEN);
        assert_eq!(&*open(&key(), &info(), &aad(), &sealed).unwrap(), b"secret");
        assert_ne!(
            seal(&point(), &info(), &aad(), b"secret").unwrap()[..ENC_LEN],
            sealed[..ENC_LEN]
        );
        let mut off_curve = point();
        off_curve[64] ^= 1;
        assert!(seal(&off_curve, &info(), &aad(), b"x").is_err());
    }

    /// Under the AWS-LC backend: what the `hpke` crate seals (as the default `cargo sealed`
    /// does) opens here, and the reverse.
    #[cfg(any(feature = "tls-aws-lc", feature = "tls-fips"))]
    #[test]
    fn the_two_backends_open_what_the_other_seals() {
        use hpke::{Deserializable as _, Serializable as _};
        type Kem = hpke::kem::DhP256HkdfSha256;
        let public = <Kem as hpke::Kem>::PublicKey::from_bytes(&point()).unwrap();
        let (enc, ciphertext) = hpke::single_shot_seal::<
            hpke::aead::AesGcm256,
            hpke::kdf::HkdfSha256,
            Kem,
        >(
            &hpke::OpModeS::Base, &public, &info(), b"from hpke", &aad()
        )
        .unwrap();
        let sealed = [enc.to_bytes().to_vec(), ciphertext].concat();
        assert_eq!(
            &*open(&key(), &info(), &aad(), &sealed).unwrap(),
            b"from hpke"
        );

        let sealed = seal(&point(), &info(), &aad(), b"from aws-lc").unwrap();
        let secret =
            <Kem as hpke::Kem>::PrivateKey::from_bytes(&hex::decode(PKCS8).unwrap()[36..68])
                .unwrap();
        let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(&sealed[..ENC_LEN]).unwrap();
        let opened = hpke::single_shot_open::<hpke::aead::AesGcm256, hpke::kdf::HkdfSha256, Kem>(
            &hpke::OpModeR::Base,
            &secret,
            &enc,
            &info(),
            &sealed[ENC_LEN..],
            &aad(),
        )
        .unwrap();
        assert_eq!(opened, b"from aws-lc");
    }

    #[test]
    fn the_private_key_must_match_the_public_key() {
        let mut other = point();
        other[1] ^= 1;
        assert_eq!(
            private_key(&hex::decode(PKCS8).unwrap(), &other).err(),
            Some(KeyError::Mismatch)
        );
        assert_eq!(
            private_key(&[0x30, 0x00], &point()).err(),
            Some(KeyError::NotP256)
        );
        assert_eq!(
            private_key(&[7; 32], &point()).err(),
            Some(KeyError::NotP256)
        );
    }
}
