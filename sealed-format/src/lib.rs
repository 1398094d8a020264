//! Offline checks of AWS KMS ciphertexts for [`sealed`](https://docs.rs/sealed-runtime).
//!
//! A pure library — no I/O, no proc-macro types, no panics on any input — shared by the
//! `sealed!` macro, the runtime (for ciphertexts that arrive at run time) and `cargo sealed`, so
//! that all three say the very same thing about a ciphertext.
//!
//! * [`inspect`] checks a base64 literal: encoding, size, and the layout of AWS symmetric
//!   ciphertexts (v2, v1, the legacy protobuf wrapper), RSA and SM2PKE ciphertexts when their
//!   algorithm is declared, and recognises the ciphertexts of local KMS emulators (moto,
//!   LocalStack, local-kms). Every rejection is a [`FormatError`] naming the rule, the characters
//!   of the literal that show it, and the next step ([`FormatError::help`]).
//! * [`KeyRef::parse`] checks key references; [`check_context_keys`] and [`check_env_name`] the
//!   encryption context.
//! * [`Bundle::parse`] reads a bundle file (the text file of many values sealed to one
//!   KMS-generated key pair that `cargo sealed bundle` writes) and [`Bundle::render`] writes it;
//!   [`hpke_info`] and [`hpke_aad`] are what bind each value to its bundle, stage, name and
//!   generation.
//! * [`StageSet::parse`] reads a stage set (one bundle per stage, the stage chosen at start-up).
//! * [`Readers`] lists every key that can open a bundle's or a stage set's values, and the pin
//!   of them that code writes (`readers = ["prod key arn:… FINGERPRINT", …]`).
//!
//! A structurally valid blob is not thereby decryptable: a flipped bit in the nonce or the
//! encrypted content passes every offline check, and only KMS authenticates it.
//!
//! ```
//! use sealed_format::{inspect, Options};
//!
//! // A truncated paste: the length field says more bytes follow than are there.
//! let cut = "AQEDAHjRYf5WytIc0C857tFSnBaPn2F8DgfmThbJlGfR8P3WlwAAAH4wfAYJKoZIhvcNAQcGoG8wbQIBADBoBgkqhkiG9w0BBwEwHgYJYIZIAWUDBAEuMBEEDEFogL";
//! let error = inspect(cut, &Options::default()).unwrap_err();
//! assert!(error.to_string().starts_with("ciphertext is truncated"));
//! ```
//!
//! # Stability
//!
//! Support code for the `sealed!` macro of [`sealed-runtime`](https://docs.rs/sealed-runtime),
//! its runtime and `cargo sealed`: its API follows their releases and is **exempt from semver on
//! its own** (as `sqlx-macros-core` is for `sqlx`). Depend on `sealed-runtime`, which re-exports
//! what users need (`FormatError`, `KeyRef`, `BlobFamily`, …) under its own semver.
#![forbid(unsafe_code)]

mod algorithm;
mod blob;
mod bundle;
mod closest;
mod context;
mod encoding;
mod error;
mod family;
mod key;
mod limits;
mod lines;
mod readers;
mod stages;
mod stripped;

pub use algorithm::{Algorithm, ALGORITHM_NAMES};
pub use blob::inspect::inspect;
pub use blob::inspection::{Inspection, Options};
pub use bundle::binding::{hpke_aad, hpke_info};
pub use bundle::contents::Bundle;
pub use bundle::error::{BundleError, BundleErrorKind};
pub use bundle::format::{
    BUNDLE_CONTEXT_KEY, BUNDLE_HEADER, BUNDLE_ID_LEN, ENC_LEN, KEY_PAIR_SPEC, MAX_BUNDLE_VALUE,
    MAX_FILE_BYTES, MAX_GENERATION, MAX_NAME_LEN, MAX_RECIPIENTS, MAX_STAGE_LEN, P256_SPKI_PREFIX,
    POINT_LEN, PRIVATE_KEY_LENS, PUBLIC_KEY_LEN, STAGE_CONTEXT_KEY, TAG_LEN,
};
pub use bundle::recipient::Recipient;
pub use bundle::value::{check_stage_name, check_value_name, BundleValue};
pub use closest::{closest, did_you_mean};
pub use context::{
    check_context_keys, check_env_allowed, check_env_name, ContextError, ContextValue,
    CONTEXT_VARIABLES, CREDENTIAL_VARIABLES, RESERVED_KEY_PREFIX,
};
pub use error::{ErrorKind, FormatError};
pub use family::{BlobFamily, Emulator};
pub use key::{KeyError, KeyKind, KeyRef};
pub use limits::MAX_CIPHERTEXT_BYTES;
pub use readers::{
    public_key_fingerprint, PinnedReader, Reader, ReaderKind, Readers, ReadersChange,
};
pub use stages::{
    check_stage_key, stage_bundle_name, RecipientRole, Stage, StageRecipient, StageSet,
    StageSetError, StageSetErrorKind, DEFAULT_SELECTOR, STAGES_HEADER,
};
