//! What the tests of every `sealed` crate share, in one place (the team's style rule: one home
//! for test helpers): each test binary depends on this crate instead of keeping helpers of its
//! own.
//!
//! * [`layers`]: a crate's modules import only downward (every crate has a `tests/layers.rs`).
//! * [`workspace`]: the workspace's root and the cargo running the tests.
//! * [`child`]: a test run again alone in a child process, with a clean AWS environment.
//! * [`quota`]: a KMS stand-in with a request quota in front of the emulator (the storm's),
//!   also as the `kms-quota` binary; it keeps connections alive (moto closes each), closes them
//!   all on demand and refuses revoked access keys.
//! * `runtime_api` (with the `kms` feature): a Lambda Runtime API of the tests' own, for SnapStart's restore, Managed
//!   Instances' concurrent invocations and the container-credentials endpoint.
//! * With the `kms` feature: `emulator` (the local KMS `scripts/dev-kms` starts, a private one
//!   with IAM enforced, its IAM set-up), `kms` (keys and sealed test values through the SDK,
//!   interceptors that count and record requests) and `leaks` (made-up plaintexts, and the
//!   check that none of them reaches a message or a log).
//! * With the `tls` feature: `tls` (a TLS-terminating proxy in front of the emulator, its CA
//!   made for the test).
#![forbid(unsafe_code)]
// A helper that cannot go on fails the test that called it, with a message: panics are its errors.
#![allow(clippy::missing_panics_doc)]

pub mod child;
#[cfg(feature = "kms")]
pub mod emulator;
mod http1;
#[cfg(feature = "kms")]
pub mod kms;
pub mod layers;
#[cfg(feature = "kms")]
pub mod leaks;
pub mod quota;
#[cfg(feature = "kms")]
pub mod runtime_api;
#[cfg(feature = "tls")]
pub mod tls;
pub mod workspace;

pub use child::{child_test, stdout_of};
#[cfg(feature = "kms")]
pub use emulator::require_emulator;
#[cfg(feature = "kms")]
pub use kms::{create_key, create_plain_key, encrypt, seal, Calls, Sent, BUNDLE_KEY_POLICY};
#[cfg(feature = "kms")]
pub use leaks::{assert_no_canary, canary, captured_logs};
pub use workspace::{cargo, crate_with_bundle, root};
