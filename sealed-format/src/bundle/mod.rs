//! Bundles: many values sealed locally under one KMS data key, in one text file.
//!
//! A bundle costs one KMS `Decrypt` per process (its data key) however many values it holds;
//! each value is sealed with AES-256-GCM under that data key, with a fresh random nonce and
//! associated data that binds the format version, the bundle's id and the value's name
//! ([`associated_data`](associated_data::associated_data)), so a value cannot be moved to another name or another bundle.
//!
//! This module only reads and writes the file and checks what can be checked offline; the
//! cryptography is `sealed-runtime`'s (an AEAD from ring or aws-lc-rs, whichever its TLS stack
//! brings). The file, one directive per line, values last:
//!
//! ```text
//! # A sealed bundle: edit it with `cargo sealed bundle`, never by hand.
//! sealed-bundle 1
//! id 0f1e2d3c4b5a69788796a5b4c3d2e1f0
//! key arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
//! context app billing
//! context-env LambdaFunctionName AWS_LAMBDA_FUNCTION_NAME
//! data-key AQIDAHh…
//! value api_token 5Q2m…
//! value db_password q9Zr…
//! ```
//!
//! * `id`: 16 random bytes in hex, made when the bundle is created; part of every value's
//!   associated data.
//! * `key`: the KMS key the data key is wrapped under. `context` and `context-env`: its
//!   encryption context (a literal value, or the environment variable that holds it at run time),
//!   percent-encoded where a key or value has a space, `%`, `#`, a control or a non-ASCII
//!   character.
//! * `data-key`: the data key as KMS `GenerateDataKeyWithoutPlaintext` returned it, base64: a
//!   genuine KMS ciphertext of 32 bytes, checked like any other ([`Bundle::inspect_data_key`](contents::Bundle::inspect_data_key)).
//! * `value NAME SEALED`: the value's name in clear (a review diff shows which secret changed),
//!   and base64 of nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes).
//!
//! ```
//! use sealed_format::{Bundle, Options};
//!
//! let text = "sealed-bundle 1\n\
//!     id 0f1e2d3c4b5a69788796a5b4c3d2e1f0\n\
//!     key alias/app\n\
//!     context app billing\n\
//!     data-key AQIDAHh0DdonDMJJ3Zr8dpKyoPcWm9dlLHlh5Wy+tfrFm4vJ1wG2duQQ8ROeKvrtAGDumbR3AAAAfjB8BgkqhkiG9w0BBwagbzBtAgEAMGgGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQM1uzn4qmjQp8QUB1fAgEQgDvFE6DpF9gufiZ0iFBc6T4JrDidd75aYuuda7vWE6eenq8+3wt9Y40kzs9Q2PLftimO0+ooJCr9aMjPCg==\n\
//!     value db_password AAAAAAAAAAAAAAAAbXlzZWNyZXR2YWx1ZTEyMzQ1Njc4OTA=\n";
//! let bundle = Bundle::parse(text).unwrap();
//! assert_eq!(bundle.names().collect::<Vec<_>>(), ["db_password"]);
//! assert_eq!(bundle.value("db_password").unwrap().plaintext_len(), 7);
//! assert!(Bundle::parse(&bundle.render()).is_ok());
//! assert_eq!(bundle.inspect_data_key(&Options::default()).unwrap().plaintext_len(), Some(32));
//! ```
//!
//! The rooms, each importing only those listed before it: [`format`] (the header line and the
//! sizes), [`associated_data`], [`error`] (the rules a file breaks, with their words), [`value`]
//! (one value and the rules for its name and length), [`percent_encoding`] (of context fields),
//! [`contents`] (a bundle in memory, and editing it), [`render`] (writing the file) and
//! [`parse`] (reading it).

pub(crate) mod associated_data;
pub(crate) mod contents;
pub(crate) mod error;
pub(crate) mod format;
pub(crate) mod parse;
pub(crate) mod percent_encoding;
pub(crate) mod render;
pub(crate) mod value;
