//! Format 2 of the bundle file: its first line, the key pair it holds, and the sizes of its parts.
//!
//! The suite is fixed by the version, never chosen by the file: a KMS `ECC_NIST_P256` key pair,
//! and HPKE (RFC 9180) in base mode with DHKEM(P-256, HKDF-SHA256), HKDF-SHA256 and AES-256-GCM.

/// The first line of every bundle file (the format's version is its number).
pub const BUNDLE_HEADER: &str = "sealed-bundle 2";
/// The first line of format 1, which this version refuses with a way forward.
pub(crate) const FORMAT_1_HEADER: &str = "sealed-bundle 1";
/// The bytes of a bundle's id.
pub const BUNDLE_ID_LEN: usize = 16;
/// The encryption-context key naming the bundle that its wrapped private key belongs to; added
/// by `sealed` to the file's context, never written by a user (the `sealed:` keys are reserved).
pub const BUNDLE_CONTEXT_KEY: &str = "sealed:bundle";
/// The encryption-context key naming the stage a bundle belongs to (a bundle of a stage set:
/// `cargo sealed stage`), added by `sealed` beside [`BUNDLE_CONTEXT_KEY`], so that a role may be
/// granted one stage's bundles by a policy condition on it.
pub const STAGE_CONTEXT_KEY: &str = "sealed:stage";
/// The longest stage name.
pub const MAX_STAGE_LEN: usize = 32;

/// The highest generation a bundle gives: 2^53, so that a generation is exact wherever a
/// number is a double (JSON, JavaScript), and so that no `set` is ever the last: one a second
/// for 285 million years. A file naming a higher one was written by hand.
pub const MAX_GENERATION: u64 = 1 << 53;
/// The KMS `KeyPairSpec` of every bundle's key pair.
pub const KEY_PAIR_SPEC: &str = "ECC_NIST_P256";
/// The DER header of a P-256 `SubjectPublicKeyInfo` (RFC 5280, uncompressed point): SEQUENCE,
/// `AlgorithmIdentifier` {id-ecPublicKey, prime256v1}, BIT STRING; the 65-byte point follows.
pub const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];
/// An uncompressed P-256 point: `0x04 ‖ X ‖ Y`.
pub const POINT_LEN: usize = 65;
/// A P-256 `SubjectPublicKeyInfo`: [`P256_SPKI_PREFIX`] ‖ the point.
pub const PUBLIC_KEY_LEN: usize = P256_SPKI_PREFIX.len() + POINT_LEN;
/// The lengths a P-256 PKCS#8 `PrivateKeyInfo` may decrypt to: 67 bytes without the optional
/// public key inside, 138 with it (what KMS and OpenSSL emit).
pub const PRIVATE_KEY_LENS: [usize; 2] = [67, 138];
/// The HPKE encapsulated key at the head of each sealed value: an uncompressed P-256 point.
pub const ENC_LEN: usize = POINT_LEN;
/// The AEAD tag's length.
pub const TAG_LEN: usize = 16;
/// The largest plaintext a bundle value may have.
pub const MAX_BUNDLE_VALUE: usize = 64 * 1024;
/// The longest value name.
pub const MAX_NAME_LEN: usize = 128;
/// The most recipients a bundle (or a stage) has beside its own key: failover and break-glass
/// keys are a handful; a file naming more was not written by `cargo sealed`.
pub const MAX_RECIPIENTS: usize = 8;
/// The largest bundle or stage-set file read (16 MiB): the build reads each whole, and a file
/// of this size holds hundreds of the largest values.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;
