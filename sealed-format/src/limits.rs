//! The sizes the rules are made of: a leaf that the decoder, the classifier and the messages
//! all read.

/// The smallest genuine AWS ciphertext (v1, 1-byte plaintext) is 136 bytes, 184 base64 characters.
pub(crate) const MIN_AWS_CHARS: usize = 184;
/// The KMS API's `CiphertextBlob` limit.
pub const MAX_CIPHERTEXT_BYTES: usize = 6144;
