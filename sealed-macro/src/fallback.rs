//! On error, still expand to something well-typed: the errors, and a `Sealed` placeholder, so
//! that the user sees only our errors and the IDE keeps working.

use proc_macro2::TokenStream;
use quote::quote;

/// The errors, plus a well-typed `Sealed` so that they are the only errors the user sees.
pub fn fallback(error: &syn::Error, runtime: &TokenStream) -> TokenStream {
    let error = error.to_compile_error();
    quote! {{
        #error
        #runtime::__private::PLACEHOLDER
    }}
}
