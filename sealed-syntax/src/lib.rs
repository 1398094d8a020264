//! The arguments of `sealed!(…)`: parse them from tokens ([`Invocation::parse`]) and check them
//! with `sealed-format` ([`check`]), with every error spanned.
//!
//! Shared by the `sealed!` macro (which turns the result into code or `compile_error!`s) and by
//! `cargo sealed check` (which finds invocations in source files and reports them), so both say
//! the same thing about the same invocation. No proc-macro types: it works on `proc-macro2`
//! tokens inside and outside a macro.
#![forbid(unsafe_code)]

mod ast;
mod valid;

pub use ast::{Context, ContextEntry, ContextValue, Errors, Invocation, ARGUMENTS};
pub use sealed_format::{Algorithm, BlobFamily, Emulator};
pub use valid::{check, check_tokens, format_error, Checked, CheckedBundle};
