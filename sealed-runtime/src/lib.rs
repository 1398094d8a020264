//! KMS ciphertexts in source code: checked at compile time, decrypted once at run time.
//!
//! ```no_run
//! use sealed_runtime::{sealed, Sealed};
//!
//! // printf %s "$DB_PASSWORD" | cargo sealed encrypt --key alias/billing --context app=billing
//! static DB_PASSWORD: Sealed = sealed!(
//!     "AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=",
//!     key = "alias/billing",
//!     context = { "app": "billing" },
//! );
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     sealed_runtime::prefetch().await?; // Lambda INIT: one Decrypt per value (or per bundle)
//!     let password: &str = DB_PASSWORD.get().await?.expose_str()?; // from now on a memory read
//!     # let _ = password;
//!     Ok(())
//! }
//! ```
//!
//! Encrypt a secret once with AWS KMS (`cargo sealed encrypt`, from the `sealed-cli` crate, or
//! `aws kms encrypt`), paste the base64 ciphertext into [`sealed!`], and the build checks it — a
//! typo, a truncated paste, an elided documentation example or an emulator ciphertext is a
//! compile error pointing at the literal. Whoever steals the source or the binary gets nothing
//! without `kms:Decrypt` on the key. At run time the first access decrypts with KMS, once per
//! process however many tasks ask ([`Sealed::get`]); the plaintext ([`Secret`]) never reaches a
//! log, an error or `Debug`, and is zeroized. Many values in a fleet of functions: put them in
//! one bundle ([`sealed!`]`(bundle = …, name = …)`), one `Decrypt` per process.
//!
//! What `sealed!` knows offline is on the value:
//!
//! ```
//! use sealed_runtime::{sealed, Sealed};
//!
//! static DB_PASSWORD: Sealed = sealed!(
//!     "AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=",
//!     key = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
//!     context = { "app": "billing", "LambdaFunctionName": env("AWS_LAMBDA_FUNCTION_NAME") },
//! );
//!
//! assert_eq!(DB_PASSWORD.plaintext_len(), Some(12));
//! assert_eq!(DB_PASSWORD.key().unwrap().region(), Some("eu-west-1"));
//! ```
//!
//! # Features
//!
//! * `tls-ring` (default): the KMS client's TLS stack, rustls with ring — the fastest cold start
//!   on a fraction of a CPU. `tls-aws-lc`: AWS-LC, with the post-quantum hybrid key exchange
//!   X25519MLKEM768 preferred. `tls-fips`: AWS-LC's FIPS module. One of them is needed.
//! * `sso` (default): profiles that use AWS IAM Identity Center (`aws sso login`).
//! * `credentials-process` (default): profiles with `credential_process`.
//! * `emulator`: accept ciphertexts made by local KMS emulators (moto, LocalStack, local-kms) in
//!   `sealed!`. For local development and tests only: such a ciphertext never decrypts with AWS
//!   KMS, which is why a build without this feature rejects it.
//! * `lambda`: [`Error`] and [`PrefetchError`] convert into `lambda_runtime::Diagnostic`, so a
//!   handler returning them gives Lambda an `errorType` that names what happened
//!   (`sealed.AccessDenied`) instead of a Rust type name; and `lambda::SnapStart`, the hooks
//!   that keep plaintexts, credentials and connections out of a SnapStart snapshot
//!   ([`snapstart`]).
//! * `secrecy`: `Secret::to_secret_string()`, `Secret::to_secret_box()` and
//!   `ExposeSecret<[u8]>` for libraries that take `secrecy` 0.10's types.
//! * `testing`: [`testing`], per-test outcomes for sealed values. In `[dev-dependencies]` only.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// The modules import only downward, lowest first in `tests/layers.rs` (the one copy of the
// order, which that test keeps true). This file, the facade, re-exports them.
mod build_error;
mod builder;
mod bundle;
mod client;
mod credentials;
mod declaration;
mod decrypt;
mod emulator;
mod error;
mod error_kind;
mod error_words;
mod flight;
mod key_pair;
mod kms_error;
#[cfg(feature = "lambda")]
#[cfg_attr(docsrs, doc(cfg(feature = "lambda")))]
pub mod lambda;
mod lifecycle;
mod prefetch;
mod readers;
mod replica;
mod sealed;
mod secret;
pub mod snapstart;
mod stage;
#[cfg(feature = "testing")]
mod test_outcomes;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;
mod throttling;
mod tls;
mod worker;

// The root: what daily use needs (twelve names with `sealed!`). The rest lives in the modules
// below, named for what they hold.
pub use client::{set_client, KmsSettings};
pub use declaration::Location;
pub use error::{Error, ErrorKind};
pub use prefetch::{prefetch, prefetch_values, PrefetchError};
pub use sealed::{registered, Sealed};
pub use secret::Secret;

/// The KMS client sealed values share: installing one ([`set_client`], with
/// [`KmsSettings`] or [`default_config`](kms::default_config)), the HTTP client
/// and its TLS roots, the limits of a first access, and what [`Sealed::verify`] proves.
pub mod kms {
    pub use crate::client::{client, default_config, set_client, KmsSettings, SetClientError};
    pub use crate::prefetch::PREFETCH_CONCURRENCY;
    pub use crate::sealed::Verified;
    pub use crate::throttling::THROTTLED_RETRY_DEADLINE;
    pub use crate::tls::http_client;
}

/// Sealed values from ciphertexts and bundle files known only at run time
/// ([`Sealed::builder`], [`Sealed::from_bundle`]), checked as `sealed!` checks them, and what a
/// refused one says.
pub mod build {
    pub use crate::build_error::{BuildError, BuildErrorKind};
    pub use crate::builder::{BundleValueBuilder, SealedBuilder};
}

/// The types of the format `sealed!` checks: a ciphertext's layout and algorithm, key
/// references, encryption-context values, and the errors of a ciphertext, a bundle file or a
/// key reference that fails its check.
pub mod format {
    pub use crate::declaration::ContextValue;
    pub use sealed_format::{
        Algorithm, BlobFamily, BundleError, BundleErrorKind, ContextError, Emulator,
        ErrorKind as FormatErrorKind, FormatError, KeyError, KeyKind, KeyRef,
    };
}

/// Checks a KMS ciphertext at compile time and turns it into a [`Sealed`].
///
/// ```text
/// sealed!("<base64>" [, key = "<key ref>"] [, context = { "k": "v", "k2": env("VAR"), … }]
///         [, algorithm = "SYMMETRIC_DEFAULT" | "RSAES_OAEP_SHA_1" | "RSAES_OAEP_SHA_256" | "SM2PKE"]
///         [, unchecked])
/// sealed!(file = "<path>", …)
/// sealed!(bundle = "<path>", name = "<name>", key = "<key ARN the file must name>",
///         readers = ["key <key ARN> <fingerprint>"] [, id = "<the bundle id the file must have>"])
/// sealed!(stages = "<path>", name = "<name>", readers = ["<stage> <kind> <key ARN> <fingerprint>", …]
///         [, only = ["<stage>", …]])
/// ```
///
/// * **The ciphertext** is the base64 `CiphertextBlob` of KMS `Encrypt` (`cargo sealed encrypt`
///   prints the whole line to paste, or `aws kms encrypt --output text --query CiphertextBlob`).
///   Whitespace inside the literal is ignored, so long ciphertexts can be folded. The macro checks
///   that it is standard, canonical base64 of at most 6144 bytes, and that its bytes have the
///   layout of an AWS ciphertext: v2 (`AQICAH…`), v1 (`AQEDAH…`) or the 2015–2017 protobuf wrapper
///   (`CiA…`), with its length field and CMS structure intact. It catches truncated and edited
///   pastes, `...` examples, JSON pasted whole, AWS Encryption SDK messages, base64 applied twice,
///   and a plaintext pasted by mistake. It cannot tell whether the ciphertext will decrypt: only
///   KMS authenticates it.
/// * **`file = "path"`** reads the base64 from a file relative to the crate's `Cargo.toml`
///   (`cargo sealed encrypt --out path` writes one); a change to the file rebuilds the crate.
/// * **`key = "…"`**: a key id, multi-Region key id, key ARN, `alias/NAME` or alias ARN. `Decrypt`
///   is then pinned to that key and sent to the ARN's region.
/// * **`context = { … }`**: the encryption context used at encryption, which `Decrypt` must send
///   exactly. Keys are string literals; values are string literals or `env("NAME")`, read from
///   the environment at run time (never by the macro). The Lambda console's helpers encrypt with
///   `{ "LambdaFunctionName": env("AWS_LAMBDA_FUNCTION_NAME") }`.
/// * **`algorithm = "…"`**: for asymmetric keys (`RSAES_OAEP_SHA_1`, `RSAES_OAEP_SHA_256`,
///   `SM2PKE`), which also need `key`. RSA ciphertexts carry no structure, so only their length
///   (256, 384 or 512 bytes) is checked.
/// * **`bundle = "path", name = "…"`**: one value of a bundle file (`cargo sealed bundle new`,
///   `cargo sealed bundle set`): many values sealed (HPKE) to one key pair that KMS made, so a
///   process makes **one** `Decrypt` (of the private key) for the whole bundle however many of
///   its values it uses — the shape for fleets of cold starts against KMS's account-wide
///   request quota — and a writer needs no KMS access at all. The macro checks that the file
///   parses, that its wrapped private key passes every check of a KMS ciphertext and has a
///   P-256 private key's length, and that the name exists (a typo lists the names that do);
///   the key and the encryption context are the bundle's, so `context`, `algorithm`, `file`
///   and a literal do not go with it; `key = "…"` beside it is required and pins the file's key
///   (a file that names another is a compile error; pin a key ARN), since anyone who can write
///   the file could otherwise point it at a key they control. `id = "…"` pins the bundle's id
///   too (a file from another bundle, or from before a rotation, is then a compile error). A change to the file rebuilds the crate. A value
///   edited in the file, or moved to another name, generation or bundle, fails to open at run
///   time ([`ErrorKind::BundleValueRejected`]), and a public key that is not the private key's
///   pair fails the whole bundle ([`ErrorKind::BundleKeyMismatch`]), never giving a plaintext.
/// * **`stages = "path", name = "…"`**: one value of every stage of a stage set (`cargo sealed
///   stage init`, `new`, `set`): one bundle per stage, all embedded, one chosen at start-up by
///   the variable the set names (`SEALED_STAGE` by default), so one artifact runs as dev, staging
///   or prod. The macro checks the set and every stage's bundle as `bundle = …` checks one (and
///   that each is its stage's, with the key ARN and id the set pins: the set is what the code
///   trusts, so no `key = …` goes beside it), and that the name is in every stage, or in every
///   stage `only = […]` names; a stage that lacks it is a compile error naming the stage, its
///   file and the `cargo sealed stage set` line. Each file of the set rebuilds the crate. At run
///   time, before any network call: the variable unset is [`ErrorKind::StageNotSelected`]
///   (never a default stage), an unknown stage [`ErrorKind::UnknownStage`], `AWS_REGION`
///   outside the stage's regions [`ErrorKind::StageMismatch`], a stage `only` leaves out
///   [`ErrorKind::StageExcluded`]. A value's `Debug` tells the set, the name and, stage by stage, the keys that may open it.
/// * **`readers = ["…", …]`** (required with `bundle` and `stages`): who can read the values,
///   named in code, one string per key that can open them — a bundle's key, a stage's key, each
///   failover and break-glass recipient — as `[STAGE ]KIND KEY-ARN FINGERPRINT` (`KIND`: `key`,
///   `failover`, `break-glass`; the fingerprint is the SHA-256 of the public key of the pair KMS
///   made under the key, base64url). A file whose readers are not exactly these (a recipient
///   added, a key pair planted under the same key, a key or account moved) is a compile error
///   naming each difference, so a change of readers is always a change of code that review
///   reads. A missing list is a compile error quoting the list to paste (`cargo sealed bundle
///   ls` / `stage ls` print it too). A bundle's key must be a key ARN. Files whose private keys,
///   recipients' included, are all emulator ciphertexts (with the `emulator` feature) may leave it
///   out.
/// * **`unchecked`**: the escape hatch for a ciphertext layout AWS introduces after this version
///   of `sealed`. Only the base64 and the size are checked. Use it only when the macro says the
///   layout is unknown for a ciphertext you know came from KMS `Encrypt`, and please report it.
///
/// Ciphertexts of local KMS emulators (moto, LocalStack, local-kms) are a compile error unless the
/// `emulator` feature of `sealed-runtime` is enabled.
///
/// `sealed!` works whatever the crate is called where it is used: through a renamed dependency
/// (`secrets = { package = "sealed-runtime", … }`, then `secrets::sealed!(…)`), re-exported by a
/// facade crate (`pub use sealed_runtime::sealed;`, used from crates that depend on the facade
/// only; the facade's own macros write `$crate::sealed!(…)`), and inside the user's own
/// `macro_rules!`, which may hand it the ciphertext, the key or a context value as `literal`,
/// `expr` or `tt` fragments:
///
/// ```
/// macro_rules! secret {
///     ($ciphertext:literal, $key:expr) => {
///         sealed_runtime::sealed!($ciphertext, key = $key)
///     };
/// }
///
/// static TOKEN: sealed_runtime::Sealed = secret!(
///     "AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=",
///     "alias/api"
/// );
/// assert_eq!(TOKEN.key().unwrap().as_str(), "alias/api");
/// ```
///
/// The expansion is a constant expression: it can initialise a `static` or a `const`, and every
/// way of reaching it refers to the same value. It reads no environment variable (but
/// `CARGO_MANIFEST_DIR` for `file = …`, `bundle = …` and `stages = …`), no network and no other
/// file.
///
/// ```
/// use sealed_runtime::{format::{Algorithm, ContextValue}, sealed, Sealed};
///
/// static API_TOKEN: Sealed = sealed!(
///     "AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=",
///     key = "alias/lambda",
///     context = { "LambdaFunctionName": env("AWS_LAMBDA_FUNCTION_NAME") },
/// );
///
/// assert_eq!(API_TOKEN.algorithm(), Algorithm::SymmetricDefault);
/// assert_eq!(API_TOKEN.context(), &[("LambdaFunctionName", ContextValue::Env("AWS_LAMBDA_FUNCTION_NAME"))]);
/// ```
///
/// A mistake is a compile error at the literal:
///
/// ```compile_fail
/// use sealed_runtime::{sealed, Sealed};
/// static BROKEN: Sealed = sealed!("AQICAHh...base64ciphertext...==");
/// // error: ciphertext is elided: `...` at offset 7; a real KMS ciphertext is whole base64
/// ```
#[macro_export]
macro_rules! sealed {
    ($($arguments:tt)*) => {
        $crate::__private::sealed_macro::sealed!((@runtime $crate) $($arguments)*)
    };
}

/// What the expansion of `sealed!` names, and nothing else. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use linkme;
    pub use sealed_format as format;
    pub use sealed_macro;

    pub use crate::declaration::{
        location, BundleMember, ContextValue, Declaration, Failover, Request, StageChoice,
        StagedValue,
    };
    pub use crate::sealed::{sealed_of, ValueCell, PLACEHOLDER, SEALED_VALUES};
}

/// What `cargo sealed` (the `sealed-cli` crate) and the benchmarks use of the runtime's
/// internals: sealing bundle values, and explaining credential failures as `Decrypt` errors do.
/// Not public API.
#[doc(hidden)]
pub mod __tools {
    pub use crate::bundle::{new_bundle_id, seal_to, seal_value};
    pub use crate::credentials::explain_failure;
    pub use crate::emulator::xml_error;
}
