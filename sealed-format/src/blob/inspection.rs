//! What [`inspect`](crate::blob::inspect::inspect) takes, the declared [`Options`], and what it
//! gives, the [`Inspection`] of an accepted ciphertext.

use core::fmt;

use crate::algorithm::Algorithm;
use crate::blob::layout::BlobFacts;
use crate::family::BlobFamily;

/// What the invocation declares about a literal, which decides what is accepted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// `algorithm = …`; `None` means symmetric.
    pub algorithm: Option<Algorithm>,
    /// Accept ciphertexts of local KMS emulators (the `emulator` feature of `sealed-runtime`).
    pub allow_emulator: bool,
    /// `unchecked`: only base64 and size are checked (emulator ciphertexts are still recognised).
    pub unchecked: bool,
}

/// An accepted ciphertext and what could be learnt from it offline.
#[derive(Clone, PartialEq, Eq)]
pub struct Inspection {
    bytes: Vec<u8>,
    family: BlobFamily,
    plaintext_len: Option<usize>,
    key_material_id: Option<[u8; 32]>,
    emulator_key_id: Option<String>,
}

impl fmt::Debug for Inspection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inspection")
            .field("len", &self.bytes.len())
            .field("family", &self.family)
            .field("plaintext_len", &self.plaintext_len)
            .field("fingerprint", &self.fingerprint())
            .field("emulator_key_id", &self.emulator_key_id)
            .finish_non_exhaustive()
    }
}

impl Inspection {
    /// The accepted `bytes`, with what their layout told.
    pub(crate) fn new(bytes: Vec<u8>, facts: BlobFacts) -> Self {
        Inspection {
            bytes,
            family: facts.family,
            plaintext_len: facts.plaintext_len,
            key_material_id: facts.key_material_id,
            emulator_key_id: facts.emulator_key_id,
        }
    }

    /// The ciphertext bytes, as KMS `Decrypt` wants them.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Takes the ciphertext bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// The layout it was recognised as: an AWS family, RSA, SM2PKE or an emulator's.
    pub fn family(&self) -> BlobFamily {
        self.family
    }

    /// How many bytes the ciphertext decrypts to, where the layout tells.
    pub fn plaintext_len(&self) -> Option<usize> {
        self.plaintext_len
    }

    /// The 32-byte key-material id of an AWS symmetric blob: equal for every ciphertext made under
    /// the same key material. It is not the key id, and nothing maps it to one offline.
    pub fn key_material_id(&self) -> Option<&[u8; 32]> {
        self.key_material_id.as_ref()
    }

    /// [`Self::key_material_id`] in lowercase hex.
    pub fn fingerprint(&self) -> Option<String> {
        self.key_material_id.as_ref().map(hex::encode)
    }

    /// The key id or ARN an emulator wrote in clear.
    pub fn emulator_key_id(&self) -> Option<&str> {
        self.emulator_key_id.as_deref()
    }
}
