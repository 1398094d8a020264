//! Expand: a checked invocation into a registered `static` and a `Sealed` referring to it.
//!
//! Every path the expansion names starts with the runtime's path as the caller hands it in
//! (`$crate` from `sealed_runtime::sealed!`), so the expansion works whatever the user calls
//! the crate: a renamed dependency, a facade crate that re-exports `sealed!`, a user's macro.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

use sealed_syntax::{BundledValue, Checked, CheckedCiphertext, CheckedStages, ContextValue};

fn option<T: quote::ToTokens>(value: Option<T>) -> TokenStream {
    value.map_or_else(
        || quote!(::core::option::Option::None),
        |value| quote!(::core::option::Option::Some(#value)),
    )
}

fn variant(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// `RUNTIME::__private::format::BlobFamily::…`
fn family(runtime: &TokenStream, family: sealed_syntax::BlobFamily) -> TokenStream {
    let format = quote!(#runtime::__private::format);
    let name = variant(family.rust_variant());
    if let sealed_syntax::BlobFamily::Emulator(emulator) = family {
        let inner = variant(emulator.rust_variant());
        quote!(#format::BlobFamily::#name(#format::Emulator::#inner))
    } else {
        quote!(#format::BlobFamily::#name)
    }
}

/// The `Request { … }` of a ciphertext sent to KMS (a value's, or a bundle's wrapped private
/// key), at the invocation, under `context`; `plaintext_len`: what the check learnt of the
/// plaintext.
fn request_of(
    blob: &sealed_syntax::Inspection,
    algorithm: sealed_syntax::Algorithm,
    key: Option<&str>,
    plaintext_len: Option<usize>,
    context: &[TokenStream],
    runtime: &TokenStream,
) -> TokenStream {
    let ciphertext = Literal::byte_string(blob.bytes());
    let family = family(runtime, blob.family());
    let algorithm = variant(algorithm.rust_variant());
    let key = option(key);
    let plaintext_len = option(plaintext_len);
    let key_material_id = option(blob.key_material_id().map(|id| Literal::byte_string(id)));
    let emulator_key_id = option(blob.emulator_key_id());
    quote!(#runtime::__private::Request {
        location: #runtime::__private::location(
            ::core::file!(),
            ::core::line!(),
            ::core::column!(),
        ),
        ciphertext: #ciphertext,
        family: #family,
        key: #key,
        context: &[#(#context),*],
        algorithm: #runtime::__private::format::Algorithm::#algorithm,
        plaintext_len: #plaintext_len,
        key_material_id: #key_material_id,
        emulator_key_id: #emulator_key_id,
        config: ::core::option::Option::None,
    })
}

/// The `Declaration::Ciphertext(…)` of a plain ciphertext.
fn ciphertext(sent: &CheckedCiphertext, runtime: &TokenStream) -> TokenStream {
    let context = context(&sent.context, runtime);
    let request = request_of(
        &sent.blob,
        sent.algorithm,
        sent.key.as_deref(),
        sent.blob.plaintext_len(),
        &context,
        runtime,
    );
    quote!(#runtime::__private::Declaration::Ciphertext(#request))
}

/// The `Declaration::Bundled(…)` of a value of a bundle (or of one stage's bundle).
fn bundled(value: &BundledValue, runtime: &TokenStream) -> TokenStream {
    let (sent, b) = (&value.sent, &value.bundle);
    let context = context(&sent.context, runtime);
    let request = request_of(
        &sent.blob,
        sent.algorithm,
        sent.key.as_deref(),
        Some(b.plaintext_len),
        &context,
        runtime,
    );
    let (path, id, name) = (&b.path, b.id.iter(), &b.name);
    let stage = b.stage.as_deref().unwrap_or("");
    let generation = Literal::u64_suffixed(b.generation);
    let point = b.public_point.iter();
    let sealed = Literal::byte_string(&b.sealed);
    // each failover recipient: its wrapped private key, under the value's context
    let failover = b.failover.iter().map(|recipient| {
        let request = request_of(
            &recipient.blob,
            sealed_syntax::Algorithm::SymmetricDefault,
            Some(&recipient.key),
            Some(b.plaintext_len),
            &context,
            runtime,
        );
        let point = recipient.public_point.iter();
        let sealed = Literal::byte_string(&recipient.sealed);
        quote!(#runtime::__private::Failover {
            request: #request,
            public_point: [#(#point),*],
            sealed: #sealed,
        })
    });
    quote!(#runtime::__private::Declaration::Bundled(
        #request,
        #runtime::__private::BundleMember {
            path: #path,
            id: [#(#id),*],
            name: #name,
            generation: #generation,
            public_point: [#(#point),*],
            sealed: #sealed,
            stage: #stage,
            failover: &[#(#failover),*],
        },
    ))
}

/// The context entries of a checked value, as the `Request` writes them.
fn context(context: &[(String, ContextValue)], runtime: &TokenStream) -> Vec<TokenStream> {
    context
        .iter()
        .map(|(key, value)| match value {
            ContextValue::Literal(value) => {
                quote!((#key, #runtime::__private::ContextValue::Literal(#value)))
            }
            ContextValue::Env(name) => {
                quote!((#key, #runtime::__private::ContextValue::Env(#name)))
            }
        })
        .collect()
}

/// A value of a stage set: a `static` declaration per stage that has the value, and the
/// `Declaration::Staged` that chooses among them at start-up.
fn staged(stages: &CheckedStages, runtime: &TokenStream) -> TokenStream {
    let none = quote!(::core::option::Option::None);
    let mut statics = Vec::new();
    let mut choices = Vec::new();
    for (index, stage) in stages.stages.iter().enumerate() {
        let name = &stage.name;
        let regions = stage.regions.iter();
        let declared = match &stage.value {
            Some(value) => {
                let ident = Ident::new(&format!("SEALED_STAGE_{index}"), Span::call_site());
                let declaration = bundled(value, runtime);
                statics.push(quote!(
                    static #ident: #runtime::__private::Declaration = #declaration;
                ));
                quote!(::core::option::Option::Some(&#ident))
            }
            None => none.clone(),
        };
        choices.push(quote!(#runtime::__private::StageChoice {
            name: #name,
            regions: &[#(#regions),*],
            declared: #declared,
        }));
    }
    let (set, selector, name) = (&stages.path, &stages.selector, &stages.name);
    quote!({
        #(#statics)*
        #runtime::__private::Declaration::Staged(
            #runtime::__private::location(::core::file!(), ::core::line!(), ::core::column!()),
            #runtime::__private::StagedValue {
                set: #set,
                selector: #selector,
                name: #name,
                stages: &[#(#choices),*],
            },
        )
    })
}

/// The expansion of a checked `sealed!`; `runtime` is the path of `sealed-runtime`.
pub fn expand(checked: &Checked, runtime: &TokenStream) -> TokenStream {
    let (declared, files): (TokenStream, Vec<&std::path::PathBuf>) = match checked {
        Checked::Ciphertext(sent) => (ciphertext(sent, runtime), sent.file.iter().collect()),
        Checked::Bundled(value) => (bundled(value, runtime), value.sent.file.iter().collect()),
        Checked::Staged(stages) => (staged(stages, runtime), stages.files.iter().collect()),
    };
    // A change to any file read rebuilds the crate.
    let track = files.iter().map(|path| {
        let path = path.to_string_lossy();
        quote!(
            const _: &[u8] = ::core::include_bytes!(#path);
        )
    });
    quote! {{
        #(#track)*
        static SEALED_VALUE: #runtime::__private::ValueCell =
            #runtime::__private::ValueCell::new(#declared);
        #[#runtime::__private::linkme::distributed_slice(#runtime::__private::SEALED_VALUES)]
        #[linkme(crate = #runtime::__private::linkme)]
        static SEALED_REGISTRATION: &#runtime::__private::ValueCell = &SEALED_VALUE;
        #runtime::__private::sealed_of(&SEALED_VALUE)
    }}
}
