//! A bundle's other recipients: KMS keys beyond `key` that can each open every value on their
//! own (a second account, a disaster-recovery region without a replica, a break-glass key).
//! Each has its own KMS-generated key pair, and every value is sealed to each of them
//! (`docs/design/bundle-recipients.md`).

use crate::blob::inspect::inspect;
use crate::blob::inspection::{Inspection, Options};
use crate::bundle::error::{BundleError, BundleErrorKind};
use crate::bundle::format::{POINT_LEN, PRIVATE_KEY_LENS};
use crate::bundle::public_key::{check_public_key, point_of};

/// One `recipient KEY PUBLIC-KEY PRIVATE-KEY` line: a KMS key, the public key of the pair KMS
/// made under it for this bundle, and that pair's wrapped private key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient {
    /// The KMS key its private key is wrapped under, as written.
    pub key: String,
    /// Its public key, a DER P-256 `SubjectPublicKeyInfo` (checked: [`Recipient::new`]).
    pub(crate) public_key: Vec<u8>,
    /// Its wrapped private key (`PrivateKeyCiphertextBlob`), base64 as written.
    pub private_key: String,
    /// Its line (from 1); 0 for a recipient added in memory.
    pub line: usize,
}

impl Recipient {
    /// A recipient for the key pair KMS made under `key`.
    pub fn new(
        key: String,
        public_key: Vec<u8>,
        private_key: String,
    ) -> Result<Recipient, BundleErrorKind> {
        check_public_key(&public_key)?;
        Ok(Recipient {
            key,
            public_key,
            private_key,
            line: 0,
        })
    }

    /// Its public key: a DER P-256 `SubjectPublicKeyInfo`, 91 bytes.
    pub fn public_key(&self) -> &[u8] {
        &self.public_key
    }

    /// Its public key's uncompressed point: what values are sealed to for it.
    pub fn public_point(&self) -> [u8; POINT_LEN] {
        point_of(&self.public_key)
    }

    /// Checks its wrapped private key as `sealed!` checks a ciphertext, and that it holds a
    /// P-256 PKCS#8 private key's length.
    pub fn inspect_private_key(&self, options: &Options) -> Result<Inspection, BundleError> {
        inspect_wrapped(&self.private_key, self.line, *options)
    }
}

/// A wrapped private key (`line` from 1, 0 for none) checked as `sealed!` checks a ciphertext,
/// and for a P-256 PKCS#8 private key's length.
pub(crate) fn inspect_wrapped(
    private_key: &str,
    line: usize,
    options: Options,
) -> Result<Inspection, BundleError> {
    let line = (line > 0).then_some(line);
    let inspection = inspect(private_key, &options).map_err(|e| BundleError {
        line,
        kind: BundleErrorKind::PrivateKey(e),
    })?;
    match inspection.plaintext_len() {
        Some(len) if !PRIVATE_KEY_LENS.contains(&len) => Err(BundleError {
            line,
            kind: BundleErrorKind::PrivateKeyLength(len),
        }),
        _ => Ok(inspection),
    }
}
