//! Format 1 of the bundle file: its first line and the sizes of its parts.

/// The first line of every bundle file (the format's version is its number).
pub const BUNDLE_HEADER: &str = "sealed-bundle 1";
/// The bytes of a bundle's id.
pub const BUNDLE_ID_LEN: usize = 16;
/// The data key's length: AES-256.
pub const DATA_KEY_LEN: usize = 32;
/// The AEAD nonce's length (AES-GCM, 96 bits).
pub const NONCE_LEN: usize = 12;
/// The AEAD tag's length.
pub const TAG_LEN: usize = 16;
/// The largest plaintext a bundle value may have.
pub const MAX_BUNDLE_VALUE: usize = 64 * 1024;
/// The longest value name.
pub const MAX_NAME_LEN: usize = 128;
