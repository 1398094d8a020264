//! The arguments of `sealed!(…)`: parse them from tokens ([`Invocation::parse`]) and check them
//! with `sealed-format` ([`check`]), with every error spanned.
//!
//! Shared by the `sealed!` macro (which turns the result into code or `compile_error!`s) and by
//! `cargo sealed check` (which finds invocations in source files and reports them), so both say
//! the same thing about the same invocation. No proc-macro types: it works on `proc-macro2`
//! tokens inside and outside a macro.
//!
//! # Stability
//!
//! Support code for the `sealed!` macro of [`sealed-runtime`](https://docs.rs/sealed-runtime)
//! and `cargo sealed`: its API follows their releases and is **exempt from semver on its own**
//! (as `sqlx-macros-core` is for `sqlx`). Depend on `sealed-runtime`.
#![forbid(unsafe_code)]

mod ast;
mod bundle_value;
mod checked;
mod crate_file;
mod errors;
mod parse;
mod readers_pin;
mod stage_value;
mod tokens;
mod valid;

pub use ast::{Context, ContextEntry, ContextValue, Invocation, StringList, ARGUMENTS};
pub use checked::{
    BundledValue, Checked, CheckedBundle, CheckedCiphertext, CheckedFailover, CheckedStage,
    CheckedStages,
};
pub use errors::{format_error, Errors};
pub use sealed_format::{Algorithm, BlobFamily, Emulator, Inspection};
pub use valid::{check, check_tokens};
