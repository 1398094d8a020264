//! The `sealed!` macro. Use it through [`sealed_runtime::sealed`](https://docs.rs/sealed-runtime),
//! which documents it. This crate hands the tokens to `sealed-syntax`, which parses and checks the
//! invocation (with `sealed-format`) and words every error with its span; what is left here is
//! the expansion of a checked invocation into code (`expand`) or of its errors into
//! `compile_error!`s.
//!
//! `sealed_runtime::sealed!` is a `macro_rules!` that calls this macro as
//! `sealed!((@runtime $crate) …arguments)`: `$crate` is the path of `sealed-runtime` as the
//! caller's crate reaches it, which every path of the expansion starts with. Without that marker
//! (a direct call), the path is `::sealed_runtime`.
//!
//! Hermetic: it reads no environment variable but `CARGO_MANIFEST_DIR` (for `file = …` and
//! `bundle = …`), opens no socket, and reads no file but the one `file = …` or `bundle = …`
//! names.

mod expand;
mod fallback;
mod runtime_path;

use std::path::PathBuf;

use proc_macro::TokenStream;

/// Checks a KMS ciphertext at compile time and turns it into a `sealed_runtime::Sealed`.
#[proc_macro]
pub fn sealed(input: TokenStream) -> TokenStream {
    let (runtime, input) = runtime_path::split(input.into());
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let checked =
        sealed_syntax::check_tokens(input, manifest_dir.as_deref(), cfg!(feature = "emulator"));
    let error = match checked {
        Ok(checked) => return expand::expand(&checked, &runtime).into(),
        Err(error) => error,
    };
    fallback::fallback(&error, &runtime).into()
}
