//! The `sealed!` macro. Use it through [`sealed_runtime::sealed`](https://docs.rs/sealed-runtime),
//! which documents it; this crate only parses the invocation, checks it with `sealed-format` and
//! maps its errors to spans.
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
