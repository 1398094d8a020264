//! The layouts a ciphertext can be recognised as, and the emulators among them: the words the
//! messages, the expansion and `cargo sealed inspect` all use. A leaf: it imports nothing.

use core::fmt;

/// The layout a ciphertext was recognised as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BlobFamily {
    /// AWS symmetric, current (`01 02 xx 00 78`, base64 `AQIBAH`, `AQICAH`, `AQIDAH`).
    AwsV2,
    /// AWS symmetric, older (`01 01 xx 00 78`, base64 `AQEBAH`, `AQEDAH`).
    AwsV1,
    /// AWS symmetric in the protobuf wrapper of about 2015–2017 (`0a 20`, base64 `CiA`).
    AwsLegacy,
    /// RSAES-OAEP output of an asymmetric KMS key: only its length is checked.
    Rsa,
    /// SM2PKE output of an asymmetric KMS key (China Regions).
    Sm2Pke,
    /// Made by a local KMS emulator: never decrypts with AWS KMS.
    Emulator(Emulator),
    /// Accepted with `unchecked`: canonical base64 of 1 ..= 6144 bytes, layout not checked.
    Unchecked,
}

/// The local KMS emulators whose ciphertexts are recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Emulator {
    /// moto (≥ 1.3.14): key id · 12-byte IV · 16-byte tag · ciphertext.
    Moto,
    /// LocalStack (≥ 1.2): key id · 16-byte IV · 16-byte tag · padded ciphertext.
    LocalStack,
    /// A key-id layout whose length fits both moto and LocalStack.
    MotoOrLocalStack,
    /// local-kms, either layout (ARN in clear).
    LocalKms,
}

impl BlobFamily {
    /// The stable name used in messages, `cargo sealed inspect --json` and the sample table.
    ///
    /// ```
    /// assert_eq!(sealed_format::BlobFamily::AwsV2.name(), "aws-symmetric-v2");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            BlobFamily::AwsV2 => "aws-symmetric-v2",
            BlobFamily::AwsV1 => "aws-symmetric-v1",
            BlobFamily::AwsLegacy => "aws-legacy-protobuf",
            BlobFamily::Rsa => "rsa",
            BlobFamily::Sm2Pke => "sm2pke",
            BlobFamily::Emulator(emulator) => emulator.name(),
            BlobFamily::Unchecked => "unchecked",
        }
    }

    /// Whether the blob is one AWS KMS itself can have made.
    pub fn is_aws(self) -> bool {
        !matches!(self, BlobFamily::Emulator(_) | BlobFamily::Unchecked)
    }

    /// The name of this variant in Rust (`AwsV2`, `Emulator`, …), for code generators that
    /// build the path to it; [`Emulator::rust_variant`] names the emulator inside `Emulator`.
    #[doc(hidden)]
    pub fn rust_variant(self) -> &'static str {
        match self {
            BlobFamily::AwsV2 => "AwsV2",
            BlobFamily::AwsV1 => "AwsV1",
            BlobFamily::AwsLegacy => "AwsLegacy",
            BlobFamily::Rsa => "Rsa",
            BlobFamily::Sm2Pke => "Sm2Pke",
            BlobFamily::Emulator(_) => "Emulator",
            BlobFamily::Unchecked => "Unchecked",
        }
    }
}

impl Emulator {
    /// The name of this variant in Rust (`Moto`, …), for code generators.
    #[doc(hidden)]
    pub fn rust_variant(self) -> &'static str {
        match self {
            Emulator::Moto => "Moto",
            Emulator::LocalStack => "LocalStack",
            Emulator::MotoOrLocalStack => "MotoOrLocalStack",
            Emulator::LocalKms => "LocalKms",
        }
    }

    /// The stable name: `moto`, `localstack`, `moto-or-localstack`, `local-kms`.
    pub fn name(self) -> &'static str {
        match self {
            Emulator::Moto => "moto",
            Emulator::LocalStack => "localstack",
            Emulator::MotoOrLocalStack => "moto-or-localstack",
            Emulator::LocalKms => "local-kms",
        }
    }
}

impl fmt::Display for BlobFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Emulator::Moto => "moto",
            Emulator::LocalStack => "LocalStack",
            Emulator::MotoOrLocalStack => "moto or LocalStack",
            Emulator::LocalKms => "local-kms",
        })
    }
}
