//! Encryption algorithms (`algorithm = …`): the four KMS names and what each asks of `Decrypt`.

use core::fmt;

/// The `EncryptionAlgorithm` a ciphertext was made with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// AES-256-GCM under a symmetric KMS key (the default).
    #[default]
    SymmetricDefault,
    /// RSAES-OAEP with SHA-1 under an RSA key.
    RsaesOaepSha1,
    /// RSAES-OAEP with SHA-256 under an RSA key.
    RsaesOaepSha256,
    /// SM2 public-key encryption (China Regions).
    Sm2Pke,
}

/// The names `algorithm = …` accepts, as KMS spells them.
pub const ALGORITHM_NAMES: [&str; 4] = [
    "SYMMETRIC_DEFAULT",
    "RSAES_OAEP_SHA_1",
    "RSAES_OAEP_SHA_256",
    "SM2PKE",
];

impl Algorithm {
    /// Parses the KMS name (`RSAES_OAEP_SHA_256`).
    ///
    /// ```
    /// use sealed_format::Algorithm;
    /// assert_eq!(Algorithm::parse("SM2PKE"), Some(Algorithm::Sm2Pke));
    /// assert_eq!(Algorithm::parse("rsa"), None);
    /// ```
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "SYMMETRIC_DEFAULT" => Some(Algorithm::SymmetricDefault),
            "RSAES_OAEP_SHA_1" => Some(Algorithm::RsaesOaepSha1),
            "RSAES_OAEP_SHA_256" => Some(Algorithm::RsaesOaepSha256),
            "SM2PKE" => Some(Algorithm::Sm2Pke),
            _ => None,
        }
    }

    /// The KMS name.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::SymmetricDefault => "SYMMETRIC_DEFAULT",
            Algorithm::RsaesOaepSha1 => "RSAES_OAEP_SHA_1",
            Algorithm::RsaesOaepSha256 => "RSAES_OAEP_SHA_256",
            Algorithm::Sm2Pke => "SM2PKE",
        }
    }

    /// Whether `Decrypt` needs `KeyId` and `EncryptionAlgorithm` (RSA and SM2 keys).
    pub fn is_asymmetric(self) -> bool {
        self != Algorithm::SymmetricDefault
    }

    /// The name of this variant in Rust (`SymmetricDefault`, …), for code generators.
    #[doc(hidden)]
    pub fn rust_variant(self) -> &'static str {
        match self {
            Algorithm::SymmetricDefault => "SymmetricDefault",
            Algorithm::RsaesOaepSha1 => "RsaesOaepSha1",
            Algorithm::RsaesOaepSha256 => "RsaesOaepSha256",
            Algorithm::Sm2Pke => "Sm2Pke",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
