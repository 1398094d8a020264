//! Validate: the values of the arguments, through `sealed-format`, mapped to spans.

use std::path::{Path, PathBuf};

use proc_macro2::Span;
use sealed_format::{
    check_context_keys, check_env_allowed, inspect, Algorithm, KeyRef, Options, ALGORITHM_NAMES,
};
use syn::LitStr;

use crate::ast::{ContextValue, Invocation};
use crate::bundle_value::{check_allow_env, check_bundle};
use crate::checked::{Checked, CheckedCiphertext};
use crate::crate_file::{read_crate_file, FileKind};
use crate::errors::{format_error, Errors};
use crate::stage_value::check_stages;

/// Parses and checks the tokens of `sealed!(…)`: the one entry point of the macro and of
/// `cargo sealed check`, so both say the same thing about the same invocation. Every error of
/// the invocation, combined.
pub fn check_tokens(
    tokens: proc_macro2::TokenStream,
    manifest_dir: Option<&Path>,
    allow_emulator: bool,
) -> Result<Checked, syn::Error> {
    let (invocation, parsed) = Invocation::parse(tokens);
    let checked = check(invocation, manifest_dir, parsed.is_err(), allow_emulator);
    match (parsed, checked) {
        (Ok(()), Ok(Some(checked))) => Ok(checked),
        (Err(mut error), Err(more)) => {
            error.combine(more);
            Err(error)
        }
        (Err(error), Ok(_)) | (Ok(()), Err(error)) => Err(error),
        (Ok(()), Ok(None)) => Err(syn::Error::new(Span::call_site(), "missing ciphertext")),
    }
}

/// Where a literal's text came from, for messages.
fn origin_note(path: Option<&str>, error: &sealed_format::FormatError) -> String {
    match path {
        // error: in `secrets/db.kms`: ciphertext is truncated: …
        Some(path) => format!("in `{path}`: {error}"),
        None => error.to_string(),
    }
}

/// Checks every argument of `invocation` (see [`check_tokens`], which parses first). `manifest_dir` resolves `file = …`; `allow_emulator`
/// accepts emulator ciphertexts (the `emulator` feature of `sealed-runtime`).
///
/// `Ok(None)`: nothing to expand and nothing more to say.
/// `syntax_failed`: the invocation had syntax errors already reported, so a missing ciphertext
/// is not reported again.
pub fn check(
    mut invocation: Invocation,
    manifest_dir: Option<&Path>,
    syntax_failed: bool,
    allow_emulator: bool,
) -> Result<Option<Checked>, syn::Error> {
    if invocation.stages.is_some() || invocation.only.is_some() {
        return check_stages(invocation, manifest_dir, allow_emulator).map(Some);
    }
    if invocation.bundle.is_some() || invocation.name.is_some() || invocation.id.is_some() {
        return check_bundle(invocation, manifest_dir, allow_emulator).map(Some);
    }
    let mut errors = Errors::default();
    if let Some(list) = &invocation.readers {
        // error: `readers = …` pins who can read a bundle's or a stage set's values
        errors.at(
            list.span,
            "`readers = …` pins who can read the values of a bundle or a stage set: it goes with `bundle = …` or `stages = …` (a ciphertext's one reader is its key, which `key = …` pins)",
        );
    }

    // algorithm = "…"
    // error: unknown algorithm `RSA`; expected one of: `SYMMETRIC_DEFAULT`, …
    let algorithm = match &invocation.algorithm {
        None => Algorithm::SymmetricDefault,
        Some(lit) => Algorithm::parse(&lit.value()).unwrap_or_else(|| {
            errors.at(
                lit.span(),
                format!(
                    "unknown algorithm `{}`; expected one of: {}",
                    lit.value(),
                    ALGORITHM_NAMES.map(|a| format!("`{a}`")).join(", ")
                ),
            );
            Algorithm::SymmetricDefault
        }),
    };

    // key = "…"
    // error: account `1111` in the key ARN is not 12 digits
    let key = invocation.key.as_ref().map(LitStr::value);
    if let (Some(lit), Some(text)) = (&invocation.key, &key) {
        if let Err(error) = KeyRef::parse(text) {
            errors.push(format_error(
                lit.span(),
                &error,
                "write a key id, a key ARN (`arn:aws:kms:REGION:ACCOUNT:key/KEY-ID`), `alias/NAME` or an alias ARN, as `aws kms describe-key` shows it",
            ));
        }
    }
    // error: `algorithm = "RSAES_OAEP_SHA_256"` needs `key = "…"`
    if let (Some(lit), true, None) = (&invocation.algorithm, algorithm.is_asymmetric(), &key) {
        errors.at(
            lit.span(),
            format!(
                "`algorithm = \"{algorithm}\"` needs `key = \"…\"`; KMS decrypts asymmetric ciphertexts only when told the key\n= help: add `key = \"arn:aws:kms:REGION:ACCOUNT:key/KEY-ID\"` naming the asymmetric key"
            ),
        );
    }

    // context = { … }
    // error: duplicate encryption-context key `app`; each key may appear once
    let mut context = Vec::new();
    let allow_env = check_allow_env(&invocation, &mut errors);
    let allowed: Vec<&str> = allow_env.iter().map(String::as_str).collect();
    if let Some(ctx) = invocation.context.take() {
        let keys: Vec<String> = ctx.entries.iter().map(|e| e.key.value()).collect();
        for (index, error) in check_context_keys(keys.iter().map(String::as_str)) {
            errors.at(ctx.entries[index].key.span(), error);
        }
        for (entry, key) in ctx.entries.into_iter().zip(keys) {
            if let ContextValue::Env(name) = &entry.value {
                if let Err(error) = check_env_allowed(&name.value(), &allowed) {
                    errors.at(name.span(), error);
                }
            }
            context.push((key, entry.value));
        }
    }

    let (text, span, path, file) =
        ciphertext_source(&invocation, manifest_dir, syntax_failed, &mut errors);
    let options = Options {
        algorithm: Some(algorithm),
        allow_emulator,
        unchecked: invocation.unchecked.is_some(),
    };
    let blob = text.and_then(|text| match inspect(&text, &options) {
        Ok(blob) => Some((blob, text)),
        Err(error) => {
            let help = error.help();
            errors.push(format_error(
                span,
                &origin_note(path.as_deref(), &error),
                &help,
            ));
            None
        }
    });
    errors.finish()?;
    Ok(blob.map(|(blob, text)| {
        Checked::Ciphertext(CheckedCiphertext {
            blob,
            key,
            context,
            algorithm,
            file,
            text,
            literal: invocation.literal,
            key_literal: invocation.key,
            file_literal: invocation.file,
            allow_env,
        })
    }))
}

/// The ciphertext's text and where it came from: a literal, or `file = "…"`.
type CiphertextSource = (Option<String>, Span, Option<String>, Option<PathBuf>);

/// The ciphertext's text, the span its errors point at, the path written and the file read.
fn ciphertext_source(
    invocation: &Invocation,
    manifest_dir: Option<&Path>,
    syntax_failed: bool,
    errors: &mut Errors,
) -> CiphertextSource {
    match (&invocation.literal, &invocation.file) {
        (Some(lit), None) => (Some(lit.value()), lit.span(), None, None),
        (None, Some(path_lit)) => {
            let path = path_lit.value();
            match read_crate_file(&path, manifest_dir, FileKind::Ciphertext) {
                Ok((text, full)) => (Some(text), path_lit.span(), Some(path), Some(full)),
                Err(message) => {
                    errors.at(path_lit.span(), message);
                    (None, path_lit.span(), None, None)
                }
            }
        }
        (Some(lit), Some(path_lit)) => {
            errors.at(
                path_lit.span(),
                "`file = …` and a ciphertext literal both given; use one of them",
            );
            (Some(lit.value()), lit.span(), None, None)
        }
        (None, None) if syntax_failed => (None, Span::call_site(), None, None),
        (None, None) => {
            // error: missing ciphertext; expected `sealed!("AQICAH…", …)` or `sealed!(file = "…", …)`
            errors.at(
                Span::call_site(),
                "missing ciphertext; expected `sealed!(\"AQICAH…\", …)` or `sealed!(file = \"path\", …)`\n= help: encrypt the secret with `cargo sealed encrypt --key <key>` and paste the line it prints",
            );
            (None, Span::call_site(), None, None)
        }
    }
}
