//! Bundles: many values in one text file, sealed to one KMS-generated key pair.
//!
//! A bundle holds a P-256 key pair that KMS made (`GenerateDataKeyPairWithoutPlaintext`): the
//! public key in clear, the private key wrapped by the bundle's KMS key, so that no person and
//! no tool ever held it. Each value is sealed to the public key with HPKE (RFC 9180, base mode,
//! DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-256-GCM), its bundle, name and generation bound
//! in ([`hpke_info`](binding::hpke_info), [`hpke_aad`](binding::hpke_aad)). Writing a value
//! needs the file and nothing else; reading costs one KMS `Decrypt` per process (the private
//! key) however many values the bundle holds.
//!
//! This module only reads and writes the file and checks what can be checked offline; the
//! cryptography is `sealed-runtime`'s (the `hpke` crate). The file, one directive per line,
//! values last:
//!
//! ```text
//! # A sealed bundle: edit it with `cargo sealed bundle`, never by hand.
//! sealed-bundle 2
//! id 0f1e2d3c4b5a69788796a5b4c3d2e1f0
//! key arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
//! stage prod
//! context app billing
//! context-env LambdaFunctionName AWS_LAMBDA_FUNCTION_NAME
//! public-key MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE…
//! private-key AQICAHh…
//! generation 7
//! value api_token 7 BP3n…
//! value db_password 3 BHqa…
//! ```
//!
//! * `id`: 16 random bytes in hex, made when the bundle is created. KMS binds the private key
//!   to it (the encryption context `sealed:bundle` = the id: [`Bundle::kms_context`](contents::Bundle::kms_context)),
//!   and every value's sealing binds it too.
//! * `stage` (a bundle of a stage set only: `cargo sealed stage`): the stage it is. KMS binds
//!   the private key to it (`sealed:stage` = the stage, beside `sealed:bundle`), and every
//!   value's sealing binds it, so a line copied from another stage's file never opens.
//! * `key`: the KMS key the private key is wrapped under. `context` and `context-env`: its
//!   encryption context (a literal value, or the environment variable that holds it at run
//!   time), percent-encoded where a key or value has a space, `%`, `#`, a control or a non-ASCII
//!   character. Keys starting with `sealed:` are reserved for the entry `sealed` adds itself.
//! * `public-key`: a DER P-256 `SubjectPublicKeyInfo`, base64 (91 bytes).
//! * `private-key`: KMS's `PrivateKeyCiphertextBlob`, base64: a genuine KMS ciphertext of a
//!   PKCS#8 private key, checked like any other ([`Bundle::inspect_private_key`](contents::Bundle::inspect_private_key)).
//! * `recipient KEY PUBLIC-KEY PRIVATE-KEY` (none, one or more): another KMS key that can open
//!   every value on its own, with the key pair KMS made under it for this bundle (wrapped with
//!   the same context). Every value then has one sealing per recipient, `key`'s first.
//! * `generation`: the highest generation given so far. Each `set` gives the next one to its
//!   value, so a value rolled back to an older line shows an older number.
//! * `value NAME GEN SEALED…`: the value's name and generation in clear (a review diff shows
//!   which secret changed, and when), and base64 of HPKE's encapsulated key (65 bytes) ‖
//!   ciphertext ‖ tag (16 bytes), once per recipient.
//!
//! ```
//! use sealed_format::{Bundle, Options};
//!
//! let text = "sealed-bundle 2\n\
//!     id 0f1e2d3c4b5a69788796a5b4c3d2e1f0\n\
//!     key alias/app\n\
//!     context app billing\n\
//!     public-key MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWg==\n\
//!     private-key AQICAHh8CvidcLnDjOuLGV3SJ17wmG6H/N2z3xxoM44olBp2BwE8L//5hfZET8uGj78PJ23MAAAA7TCB6gYJKoZIhvcNAQcGoIHcMIHZAgEAMIHTBgkqhkiG9w0BBwEwHgYJYIZIAWUDBAEuMBEEDPCz6Sh2gOiNBYN+VQIBEICBpcPxS9s+W8Kj2PzoLAiZk0XCo9Sj12lU5nwRna0MGnykAAkX/JP4xR82h8qXy4Dp95XfQyo0CGZI5AnkpShzg8N6KqbBEJyWQHCh95/R801OUdOCYIaVHjcDNdcKtHbwUHbHXT8ri5CWuKLk490d3lSKTtZMQdFl8ywH7Dm9wPUGVM8X6QBzrIrPW8Eu/widz+OePTL1ALZku+Rp19NKPO9q/OOSHg==\n\
//!     generation 1\n\
//!     value db_password 1 BFpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpzZWNyZXQxMDAwMDAwMDAwMDAwMDAwMA==\n";
//! let bundle = Bundle::parse(text).unwrap();
//! assert_eq!(bundle.names().collect::<Vec<_>>(), ["db_password"]);
//! assert_eq!(bundle.value("db_password").unwrap().plaintext_len(), 7);
//! assert!(Bundle::parse(&bundle.render()).is_ok());
//! let private_key = bundle.inspect_private_key(&Options::default()).unwrap();
//! assert_eq!(private_key.plaintext_len(), Some(138));
//! assert_eq!(bundle.kms_context()[1].0, "sealed:bundle");
//! ```
//!
//! The rooms, each importing only those listed before it: [`format`] (the header line, the key
//! pair and the sizes), [`binding`] (HPKE's `info` and `aad`), [`error`] (the rules a file
//! breaks, with their words), [`value`] (one value and the rules for its name and length),
//! [`public_key`] (the framing of the public key), [`recipient`] (the other recipients' key
//! pairs), [`percent_encoding`] (of context fields),
//! [`contents`] (a bundle in memory, and editing it), [`render`] (writing the file) and
//! [`parse`] (reading it).

pub(crate) mod binding;
pub(crate) mod contents;
pub(crate) mod error;
pub(crate) mod format;
pub(crate) mod parse;
pub(crate) mod percent_encoding;
pub(crate) mod public_key;
pub(crate) mod recipient;
pub(crate) mod render;
pub(crate) mod value;
