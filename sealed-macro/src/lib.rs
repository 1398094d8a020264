//! The `sealed!` macro. Use it through [`sealed_runtime::sealed`](https://docs.rs/sealed-runtime),
//! which documents it; this crate only parses the invocation, checks it with `sealed-format` and
//! maps its errors to spans.
//!
//! Hermetic: it reads no environment variable but `CARGO_MANIFEST_DIR` (for `file = …`), opens no
//! socket, and reads no file but the one `file = …` names.

mod expand;

use sealed_syntax as ast;
use sealed_syntax as valid;

use std::path::PathBuf;

use proc_macro::TokenStream;

/// Checks a KMS ciphertext at compile time and turns it into a `sealed_runtime::Sealed`.
#[proc_macro]
pub fn sealed(input: TokenStream) -> TokenStream {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let (invocation, parsed) = ast::Invocation::parse(input.into());
    let checked = valid::check(
        invocation,
        manifest_dir.as_deref(),
        parsed.is_err(),
        cfg!(feature = "emulator"),
    );
    let error = match (parsed, checked) {
        (Ok(()), Ok(Some(checked))) => return expand::expand(&checked).into(),
        (Err(mut error), Err(more)) => {
            error.combine(more);
            error
        }
        (Err(error), Ok(_)) | (Ok(()), Err(error)) => error,
        (Ok(()), Ok(None)) => syn::Error::new(proc_macro2::Span::call_site(), "missing ciphertext"),
    };
    expand::fallback(&error).into()
}
