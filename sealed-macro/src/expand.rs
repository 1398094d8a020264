//! Expand: a checked invocation into a registered `static` and a `Sealed` referring to it.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use sealed_syntax::{Checked, ContextValue};

/// Where the expansion reaches `sealed-format`.
const FORMAT: &str = "::sealed_runtime::__private::format";

fn path_of(path: &str) -> TokenStream {
    // `BlobFamily::…` and `Algorithm::…` paths from `sealed-format`, always valid Rust.
    path.parse().unwrap_or_default()
}

fn option<T: quote::ToTokens>(value: Option<T>) -> TokenStream {
    value.map_or_else(
        || quote!(::core::option::Option::None),
        |value| quote!(::core::option::Option::Some(#value)),
    )
}

pub fn expand(checked: &Checked) -> TokenStream {
    let ciphertext = Literal::byte_string(checked.blob.bytes());
    let family = path_of(&checked.blob.family().path(FORMAT));
    let algorithm = path_of(&checked.algorithm.path(FORMAT));
    let key = option(checked.key.as_deref());
    let plaintext_len = option(checked.blob.plaintext_len());
    let fingerprint = option(
        checked
            .blob
            .key_material_id()
            .map(|id| Literal::byte_string(id)),
    );
    let emulator_key_id = option(checked.blob.emulator_key_id());
    let context = checked.context.iter().map(|(key, value)| match value {
        ContextValue::Literal(value) => {
            quote!((#key, ::sealed_runtime::ContextValue::Literal(#value)))
        }
        ContextValue::Env(name) => quote!((#key, ::sealed_runtime::ContextValue::Env(#name))),
    });
    // A change to the file rebuilds the crate.
    let track = checked.file.as_ref().map(|path| {
        let path = path.to_string_lossy();
        quote!(
            const _: &[u8] = ::core::include_bytes!(#path);
        )
    });
    quote! {{
        #track
        static SEALED_ENTRY: ::sealed_runtime::__private::Entry =
            ::sealed_runtime::__private::Entry::new(::sealed_runtime::__private::EntryParts {
                ciphertext: #ciphertext,
                family: #family,
                key: #key,
                context: &[#(#context),*],
                algorithm: #algorithm,
                plaintext_len: #plaintext_len,
                fingerprint: #fingerprint,
                emulator_key_id: #emulator_key_id,
                location: ::sealed_runtime::Location::__new(
                    ::core::file!(),
                    ::core::line!(),
                    ::core::column!(),
                ),
            });
        #[::sealed_runtime::__private::linkme::distributed_slice(::sealed_runtime::__private::SEALED_ENTRIES)]
        #[linkme(crate = ::sealed_runtime::__private::linkme)]
        static SEALED_REGISTRATION: &::sealed_runtime::__private::Entry = &SEALED_ENTRY;
        ::sealed_runtime::Sealed::__from_entry(&SEALED_ENTRY)
    }}
}

/// The errors, plus a well-typed `Sealed` so that they are the only errors the user sees.
pub fn fallback(error: &syn::Error) -> TokenStream {
    let error = error.to_compile_error();
    quote! {{
        #error
        ::sealed_runtime::__private::PLACEHOLDER
    }}
}
