//! Expand: a checked invocation into a registered `static` and a `Sealed` referring to it.
//!
//! Every path the expansion names starts with the runtime's path as the caller hands it in
//! (`$crate` from `sealed_runtime::sealed!`), so the expansion works whatever the user calls
//! the crate: a renamed dependency, a facade crate that re-exports `sealed!`, a user's macro.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

use sealed_syntax::{Checked, CheckedStages, ContextValue};

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

/// What one `Declaration { … }` sends to KMS: a ciphertext (or a bundle's wrapped private key)
/// and the facts the check learnt of it.
struct Sent<'a> {
    blob: &'a sealed_syntax::Inspection,
    key: Option<&'a str>,
    algorithm: sealed_syntax::Algorithm,
    plaintext_len: Option<usize>,
}

/// The `Declaration { … }` of `sent` under the context of `checked`; `bundle` and `staged`: the
/// `Option<BundleMember>` and `Option<StagedValue>` it carries.
fn declaration_of(
    sent: &Sent<'_>,
    checked: &Checked,
    runtime: &TokenStream,
    bundle: &TokenStream,
    staged: &TokenStream,
) -> TokenStream {
    let ciphertext = Literal::byte_string(sent.blob.bytes());
    let family = family(runtime, sent.blob.family());
    let algorithm = variant(sent.algorithm.rust_variant());
    let key = option(sent.key);
    let plaintext_len = option(sent.plaintext_len);
    let key_material_id = option(
        sent.blob
            .key_material_id()
            .map(|id| Literal::byte_string(id)),
    );
    let emulator_key_id = option(sent.blob.emulator_key_id());
    let context = context(checked, runtime);
    quote!(#runtime::__private::Declaration {
        ciphertext: #ciphertext,
        family: #family,
        key: #key,
        context: &[#(#context),*],
        algorithm: #runtime::__private::format::Algorithm::#algorithm,
        plaintext_len: #plaintext_len,
        key_material_id: #key_material_id,
        emulator_key_id: #emulator_key_id,
        location: #runtime::__private::location(
            ::core::file!(),
            ::core::line!(),
            ::core::column!(),
        ),
        bundle: #bundle,
        staged: #staged,
    })
}

/// The `Declaration { … }` of a checked value (or of one stage's value); `staged`: the
/// `Option<StagedValue>` it carries.
fn declaration(checked: &Checked, runtime: &TokenStream, staged: &TokenStream) -> TokenStream {
    let bundle = option(checked.bundle.as_ref().map(|b| {
        let (path, id, name) = (&b.path, b.id.iter(), &b.name);
        let stage = b.stage.as_deref().unwrap_or("");
        let generation = Literal::u64_suffixed(b.generation);
        let point = b.public_point.iter();
        let sealed = Literal::byte_string(&b.sealed);
        let failover = failover(&b.failover, checked, runtime);
        quote!(#runtime::__private::BundleMember {
            path: #path,
            id: [#(#id),*],
            name: #name,
            generation: #generation,
            public_point: [#(#point),*],
            sealed: #sealed,
            stage: #stage,
            failover: #failover,
        })
    }));
    let sent = Sent {
        blob: &checked.blob,
        key: checked.key.as_deref(),
        algorithm: checked.algorithm,
        plaintext_len: checked
            .bundle
            .as_ref()
            .map_or(checked.blob.plaintext_len(), |b| Some(b.plaintext_len)),
    };
    declaration_of(&sent, checked, runtime, &bundle, staged)
}

/// The `&[Failover { … }]` of a bundle value's failover recipients: each its own `static`
/// declaration (its wrapped private key, under the value's context).
fn failover(
    failover: &[sealed_syntax::CheckedFailover],
    checked: &Checked,
    runtime: &TokenStream,
) -> TokenStream {
    let none = quote!(::core::option::Option::None);
    let mut statics = Vec::new();
    let mut entries = Vec::new();
    for (index, recipient) in failover.iter().enumerate() {
        let ident = Ident::new(&format!("SEALED_FAILOVER_{index}"), Span::call_site());
        let sent = Sent {
            blob: &recipient.blob,
            key: Some(&recipient.key),
            algorithm: sealed_syntax::Algorithm::SymmetricDefault,
            plaintext_len: checked.bundle.as_ref().map(|b| b.plaintext_len),
        };
        let declaration = declaration_of(&sent, checked, runtime, &none, &none);
        statics.push(quote!(
            static #ident: #runtime::__private::Declaration = #declaration;
        ));
        let point = recipient.public_point.iter();
        let sealed = Literal::byte_string(&recipient.sealed);
        entries.push(quote!(#runtime::__private::Failover {
            declared: &#ident,
            public_point: [#(#point),*],
            sealed: #sealed,
        }));
    }
    if statics.is_empty() {
        return quote!(&[]);
    }
    quote!({
        #(#statics)*
        &[#(#entries),*]
    })
}

/// The context entries of a checked value, as the `Declaration` writes them.
fn context(checked: &Checked, runtime: &TokenStream) -> Vec<TokenStream> {
    checked
        .context
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
/// `Declaration` that chooses among them at start-up (`Declaration::choosing`).
fn staged_declaration(stages: &CheckedStages, runtime: &TokenStream) -> TokenStream {
    let none = quote!(::core::option::Option::None);
    let mut statics = Vec::new();
    let mut choices = Vec::new();
    for (index, stage) in stages.stages.iter().enumerate() {
        let name = &stage.name;
        let regions = stage.regions.iter();
        let declared = match &stage.value {
            Some(value) => {
                let ident = Ident::new(&format!("SEALED_STAGE_{index}"), Span::call_site());
                let declaration = declaration(value, runtime, &none);
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
        #runtime::__private::Declaration::choosing(
            #runtime::__private::location(::core::file!(), ::core::line!(), ::core::column!()),
            ::core::option::Option::Some(#runtime::__private::StagedValue {
                set: #set,
                selector: #selector,
                name: #name,
                stages: &[#(#choices),*],
            }),
        )
    })
}

/// The expansion of a checked `sealed!`; `runtime` is the path of `sealed-runtime`.
pub fn expand(checked: &Checked, runtime: &TokenStream) -> TokenStream {
    let declared = match &checked.stages {
        Some(stages) => staged_declaration(stages, runtime),
        None => declaration(checked, runtime, &quote!(::core::option::Option::None)),
    };
    // A change to any file read rebuilds the crate.
    let files: Vec<&std::path::PathBuf> = match &checked.stages {
        Some(stages) => stages.files.iter().collect(),
        None => checked.file.iter().collect(),
    };
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
