//! Validate: the values of the arguments, through `sealed-format`, mapped to spans.

use std::path::{Path, PathBuf};

use proc_macro2::Span;
use sealed_format::{
    check_context_keys, check_env_name, inspect, Algorithm, Inspection, KeyRef, Options,
    ALGORITHM_NAMES,
};
use syn::LitStr;

use crate::ast::{ContextValue, Errors, Invocation};

/// Everything checked, ready to expand.
pub struct Checked {
    /// The ciphertext and what it tells.
    pub blob: Inspection,
    /// `key = …`, checked.
    pub key: Option<String>,
    /// `context = { … }`, checked, in the order written.
    pub context: Vec<(String, ContextValue)>,
    /// `algorithm = …`, or the default.
    pub algorithm: Algorithm,
    /// The file read for `file = …`, which the build must depend on.
    pub file: Option<PathBuf>,
    /// The ciphertext's base64 as written: the literal's text, or the file's contents.
    pub text: String,
    /// The ciphertext literal as written (its span locates it in the source).
    pub literal: Option<LitStr>,
    /// `key = "…"` as written.
    pub key_literal: Option<LitStr>,
    /// `file = "…"` as written.
    pub file_literal: Option<LitStr>,
    /// For `sealed!(bundle = …, name = …)`: the value. `blob`, `key`, `context` and `text` are
    /// then the bundle's wrapped data key's, and `file` is the bundle file.
    pub bundle: Option<CheckedBundle>,
}

/// A value of a bundle, checked.
pub struct CheckedBundle {
    /// The bundle file, as written in `bundle = "…"`.
    pub path: String,
    /// The bundle's id.
    pub id: [u8; 16],
    /// The value's name.
    pub name: String,
    /// Nonce ‖ ciphertext ‖ tag.
    pub sealed: Vec<u8>,
    /// The plaintext's length.
    pub plaintext_len: usize,
    /// `bundle = "…"` as written.
    pub literal: LitStr,
    /// `name = "…"` as written.
    pub name_literal: LitStr,
}

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

/// A `sealed-format` error as a compile error: the message, then the next step.
pub fn format_error(span: Span, error: &dyn std::fmt::Display, help: &str) -> syn::Error {
    syn::Error::new(span, format!("{error}\n= help: {help}"))
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
    if invocation.bundle.is_some() || invocation.name.is_some() {
        return check_bundle(invocation, manifest_dir, allow_emulator).map(Some);
    }
    let mut errors = Errors::default();

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
    if let Some(ctx) = invocation.context.take() {
        let keys: Vec<String> = ctx.entries.iter().map(|e| e.key.value()).collect();
        for (index, error) in check_context_keys(keys.iter().map(String::as_str)) {
            errors.at(ctx.entries[index].key.span(), error);
        }
        for (entry, key) in ctx.entries.into_iter().zip(keys) {
            if let ContextValue::Env(name) = &entry.value {
                if let Err(error) = check_env_name(&name.value()) {
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
    Ok(blob.map(|(blob, text)| Checked {
        blob,
        key,
        context,
        algorithm,
        file,
        text,
        literal: invocation.literal,
        key_literal: invocation.key,
        file_literal: invocation.file,
        bundle: None,
    }))
}

/// `sealed!(bundle = "…", name = "…" [, key = "…"])`: the file parses, its data key passes every
/// check of a KMS ciphertext and holds 32 bytes, the name exists, the key is the one pinned (if
/// any), and nothing else is given.
fn check_bundle(
    mut invocation: Invocation,
    manifest_dir: Option<&Path>,
    allow_emulator: bool,
) -> Result<Checked, syn::Error> {
    let mut errors = Errors::default();
    not_with_a_bundle(&invocation, &mut errors);
    let (bundle_lit, name_lit) = match (invocation.bundle.take(), invocation.name.take()) {
        (Some(bundle), Some(name)) => (bundle, name),
        (None, Some(name)) => {
            errors.at(
                name.span(),
                "`name = …` names a value of a bundle: add `bundle = \"path/to/file.bundle\"`",
            );
            return Err(errors.finish().expect_err("an error was added"));
        }
        (Some(bundle), None) => {
            errors.at(
                bundle.span(),
                "`bundle = …` needs `name = \"…\"`, the value's name in the bundle",
            );
            return Err(errors.finish().expect_err("an error was added"));
        }
        (None, None) => unreachable!("called for a bundle value"),
    };
    let (bundle_lit, name_lit) = (&bundle_lit, &name_lit);
    let path = bundle_lit.value();
    let span = bundle_lit.span();
    let (text, full) = read_file(&path, manifest_dir, Kind::Bundle).map_err(|message| {
        errors.at(span, message);
        errors.take()
    })?;
    let parsed = sealed_format::Bundle::parse(&text).and_then(|bundle| {
        let options = Options {
            algorithm: None,
            allow_emulator,
            unchecked: false,
        };
        bundle.inspect_data_key(&options).map(|blob| (bundle, blob))
    });
    let (bundle, blob) = match parsed {
        Ok(found) => found,
        // error: in `secrets/app.bundle`: line 5: the data key: ciphertext is truncated: …
        Err(error) => {
            errors.push(format_error(
                span,
                &format!("in `{path}`: {error}"),
                &error.help(),
            ));
            return Err(errors.take());
        }
    };
    if let Some(pinned) = &invocation.key {
        if pinned.value() != bundle.key {
            // error: the key of `secrets/app.bundle` is `arn:…`, not the pinned `alias/lambda`
            errors.push(format_error(
                pinned.span(),
                &format!(
                    "the key of `{path}` is `{}`, not the pinned `{}`",
                    bundle.key,
                    pinned.value()
                ),
                "the file chose another key than this code pins: restore it from version control, or change `key = …` if the bundle moved to that key on purpose",
            ));
        }
    }
    let name = name_lit.value();
    let Some(value) = bundle.value(&name) else {
        errors.push(no_such_value(&bundle, &path, name_lit));
        return Err(errors.take());
    };
    errors.finish()?;
    let context = bundle
        .context
        .iter()
        .map(|(key, value)| {
            let value = match value {
                sealed_format::ContextValue::Literal(v) => {
                    ContextValue::Literal(LitStr::new(v, span))
                }
                sealed_format::ContextValue::Env(v) => ContextValue::Env(LitStr::new(v, span)),
            };
            (key.clone(), value)
        })
        .collect();
    Ok(Checked {
        blob,
        key: Some(bundle.key.clone()),
        context,
        algorithm: Algorithm::SymmetricDefault,
        file: Some(full),
        text: bundle.data_key.clone(),
        literal: None,
        key_literal: None,
        file_literal: None,
        bundle: Some(CheckedBundle {
            path,
            id: bundle.id,
            name,
            sealed: value.sealed.clone(),
            plaintext_len: value.plaintext_len(),
            literal: LitStr::new(&bundle_lit.value(), bundle_lit.span()),
            name_literal: LitStr::new(&name_lit.value(), name_lit.span()),
        }),
    })
}

/// Every argument given beside `bundle = …` that a bundle value takes from its file.
fn not_with_a_bundle(invocation: &Invocation, errors: &mut Errors) {
    let from_file = "a bundle value takes its encryption context from the bundle file (`key = …` beside it pins the file's key)";
    // error: `context = …` does not go with `bundle = …`: a bundle value takes its …
    let others = [
        (
            "a ciphertext literal",
            invocation.literal.as_ref().map(LitStr::span),
        ),
        ("`file = …`", invocation.file.as_ref().map(LitStr::span)),
        (
            "`algorithm = …`",
            invocation.algorithm.as_ref().map(LitStr::span),
        ),
        (
            "`context = …`",
            invocation
                .context
                .as_ref()
                .and_then(|c| c.entries.first())
                .map(|e| e.key.span()),
        ),
        (
            "`unchecked`",
            invocation.unchecked.as_ref().map(syn::Ident::span),
        ),
    ];
    for (what, span) in others {
        if let Some(span) = span {
            errors.at(
                span,
                format!("{what} does not go with `bundle = …`: {from_file}"),
            );
        }
    }
}
/// `name = "…"` that the bundle does not have: its names, and the closest one.
fn no_such_value(bundle: &sealed_format::Bundle, path: &str, name_lit: &LitStr) -> syn::Error {
    let name = name_lit.value();
    // error: no value `db_pasword` in `secrets/app.bundle`; its values: `api_token`, …
    let names: Vec<&str> = bundle.names().collect();
    let listed = if names.is_empty() {
        "it has no values yet".to_owned()
    } else {
        format!(
            "its values: {}",
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let help = match closest(&name, &names) {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!("add it with `cargo sealed bundle set {path} {name}`"),
    };
    format_error(
        name_lit.span(),
        &format!("no value `{name}` in `{path}`; {listed}"),
        &help,
    )
}

/// The name in `names` closest to `name`, if it is near (a typo).
fn closest<'a>(name: &str, names: &[&'a str]) -> Option<&'a str> {
    names
        .iter()
        .map(|candidate| (edit_distance(name, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= (candidate.len().max(3) / 3))
        .min()
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

/// The ciphertext's text and where it came from: a literal, or `file = "…"`.
type Source = (Option<String>, Span, Option<String>, Option<PathBuf>);

fn ciphertext_source(
    invocation: &Invocation,
    manifest_dir: Option<&Path>,
    syntax_failed: bool,
    errors: &mut Errors,
) -> Source {
    match (&invocation.literal, &invocation.file) {
        (Some(lit), None) => (Some(lit.value()), lit.span(), None, None),
        (None, Some(path_lit)) => {
            let path = path_lit.value();
            match read_file(&path, manifest_dir, Kind::Ciphertext) {
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

/// What a file read for `sealed!` holds, for the messages.
#[derive(Clone, Copy)]
enum Kind {
    Ciphertext,
    Bundle,
}

/// Reads `file = "…"` or `bundle = "…"` relative to the crate's manifest directory.
fn read_file(
    path: &str,
    manifest_dir: Option<&Path>,
    kind: Kind,
) -> Result<(String, PathBuf), String> {
    let Some(dir) = manifest_dir else {
        return Err(format!(
            "cannot resolve `{path}`: `CARGO_MANIFEST_DIR` is not set (build with cargo)"
        ));
    };
    let full = dir.join(path);
    // error: cannot read `secrets/missing.kms` (relative to `…`): No such file …
    match std::fs::read(&full) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Ok((text, full)),
            Err(_) => Err(match kind {
                Kind::Ciphertext => format!(
                    "`{path}` is not UTF-8 text; expected the base64 ciphertext (`cargo sealed encrypt --out {path}` writes it)"
                ),
                Kind::Bundle => format!(
                    "`{path}` is not UTF-8 text; expected a bundle (`cargo sealed bundle new {path} --key <key>` writes one)"
                ),
            }),
        },
        Err(error) => Err(format!(
            "cannot read `{path}` (relative to the crate's directory): {error}\n= help: {}",
            match kind {
                Kind::Ciphertext => format!("write it with `cargo sealed encrypt --key <key> --out {path}`"),
                Kind::Bundle => format!("create it with `cargo sealed bundle new {path} --key <key>`"),
            }
        )),
    }
}
