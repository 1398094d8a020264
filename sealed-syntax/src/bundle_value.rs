//! Validate `sealed!(bundle = "…", name = "…")`: the bundle file, its wrapped private key, the
//! value's name, and nothing given that the file already says.

use std::path::{Path, PathBuf};

use sealed_format::{Algorithm, Inspection, KeyKind, KeyRef, Options, Readers};
use syn::LitStr;

use crate::ast::{ContextValue, Invocation};
use crate::checked::{BundledValue, Checked, CheckedBundle, CheckedCiphertext};
use crate::crate_file::{read_crate_file, FileKind};
use crate::errors::{format_error, Errors};
use crate::readers_pin::{check_readers_pin, ReadersOf};
use sealed_format::did_you_mean;

/// `sealed!(bundle = "…", name = "…")`: the file parses, its private key passes every check of a
/// KMS ciphertext and has a P-256 private key's length, the name exists, `key = …` is given and
/// is the file's key, and nothing else is given.
pub(crate) fn check_bundle(
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
        (None, None) if invocation.id.is_some() => {
            let span = invocation
                .id
                .as_ref()
                .map_or_else(proc_macro2::Span::call_site, LitStr::span);
            errors.at(
                span,
                "`id = …` pins the id of a bundle: it goes with `bundle = \"path/to/file.bundle\"` and `name = \"…\"`",
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
    let (bundle, blob, full) = match read_bundle(&path, span, manifest_dir, allow_emulator) {
        Ok(read) => read,
        Err(error) => {
            errors.push(error);
            return Err(errors.take());
        }
    };
    check_key_pin(invocation.key.as_ref(), &bundle, &path, span, &mut errors);
    if let Some(recipient) = bundle.recipients.first() {
        // error: `secrets/app.bundle` has another recipient, `arn:…`, and only a stage set pins …
        errors.push(format_error(
            span,
            &format!(
                "`{path}` has another recipient, `{}` (line {}), and only a stage set pins a bundle's other recipients",
                recipient.key, recipient.line
            ),
            "a recipient that no trust anchor pins could be a writer's own key, which every later `set` would seal to: make the bundle a stage's (`cargo sealed stage add-key` pins each recipient in the set), or restore it from version control",
        ));
    }
    check_id_pin(invocation.id.as_ref(), &bundle, &path, &mut errors);
    let allowed = check_allow_env(&invocation, &mut errors);
    check_context_env(&bundle, &path, &allowed, span, &mut errors);
    // a bundle with a recipient is refused above: its pins would not make it one code accepts
    if check_key_arn(&bundle, &path, span, &mut errors) && bundle.recipients.is_empty() {
        let readers = Readers::of_bundle(&bundle);
        let of = ReadersOf::new(&readers, &path, "bundle", bundle.only_emulator_keys());
        check_readers_pin(invocation.readers.as_ref(), &of, span, &mut errors);
    }
    let name = name_lit.value();
    let Some(value) = bundle.value(&name) else {
        errors.push(no_such_value(&bundle, &path, name_lit));
        return Err(errors.take());
    };
    errors.finish()?;
    Ok(Checked::Bundled(Box::new(bundle_value(
        &bundle,
        value,
        (blob, full, path),
        span,
        name_lit,
        allowed,
    ))))
}

/// Reads the bundle file `path` (as written, relative to the crate; errors at `span`): it
/// parses, and its private key passes every check of a KMS ciphertext. The bundle, what its
/// private key is, and the file's full path.
pub(crate) fn read_bundle(
    path: &str,
    span: proc_macro2::Span,
    manifest_dir: Option<&Path>,
    allow_emulator: bool,
) -> Result<(sealed_format::Bundle, Inspection, PathBuf), syn::Error> {
    let (text, full) = read_crate_file(path, manifest_dir, FileKind::Bundle)
        .map_err(|message| syn::Error::new(span, message))?;
    let options = Options {
        algorithm: None,
        allow_emulator,
        unchecked: false,
    };
    let parsed = sealed_format::Bundle::parse(&text).and_then(|bundle| {
        bundle
            .inspect_private_key(&options)
            .map(|blob| (bundle, blob))
    });
    match parsed {
        Ok((bundle, blob)) => Ok((bundle, blob, full)),
        // error: in `secrets/app.bundle`: line 7: the private key: ciphertext is truncated: …
        Err(error) => Err(format_error(
            span,
            &format!("in `{path}`: {error}"),
            &error.help(),
        )),
    }
}

/// The value `value` (named by `name_lit`) of the bundle read from `path` (`full`; `read`
/// is what [`read_bundle`] returned and the path as written), ready to expand; its context may
/// read the variables `allow_env` allows.
pub(crate) fn bundle_value(
    bundle: &sealed_format::Bundle,
    value: &sealed_format::BundleValue,
    read: (Inspection, PathBuf, String),
    span: proc_macro2::Span,
    name_lit: &LitStr,
    allow_env: Vec<String>,
) -> BundledValue {
    let (blob, full, path) = read;
    let name = value.name.clone();
    BundledValue {
        sent: CheckedCiphertext {
            blob,
            key: Some(bundle.key.clone()),
            context: kms_context(bundle, span),
            algorithm: Algorithm::SymmetricDefault,
            file: Some(full),
            text: bundle.private_key.clone(),
            literal: None,
            key_literal: None,
            file_literal: None,
            allow_env,
        },
        bundle: CheckedBundle {
            literal: LitStr::new(&path, span),
            path,
            id: bundle.id,
            stage: bundle.stage.clone(),
            generation: value.generation,
            public_point: bundle.public_point(),
            sealed: value.sealed.clone(),
            plaintext_len: value.plaintext_len(),
            failover: Vec::new(),
            name_literal: LitStr::new(&name, name_lit.span()),
            name,
        },
    }
}

/// The bundle's key, pinned in code: `key = …` given, and the file's.
fn check_key_pin(
    pinned: Option<&LitStr>,
    bundle: &sealed_format::Bundle,
    path: &str,
    span: proc_macro2::Span,
    errors: &mut Errors,
) {
    match pinned {
        Some(pinned) if pinned.value() != bundle.key => {
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
        Some(_) => {}
        None => {
            // error: a bundle value pins its KMS key: add `key = "arn:…"`
            errors.push(format_error(
                span,
                &format!(
                    "a bundle value pins its KMS key: add `key = \"{}\"` (the key `{path}` names)",
                    bundle.key
                ),
                "the file says which key its private key is wrapped under, and anyone who can write the file could point it at a key they control, with a private key they know: the key written in code is the one the program trusts (a key ARN pins best)",
            ));
        }
    }
}

/// The bundle's key is a key ARN (an alias can be pointed at another key by whoever may update
/// aliases, and a key id names no account); whether it is.
fn check_key_arn(
    bundle: &sealed_format::Bundle,
    path: &str,
    span: proc_macro2::Span,
    errors: &mut Errors,
) -> bool {
    let kind = KeyRef::parse(&bundle.key).map(|k| k.kind());
    if kind == Ok(KeyKind::KeyArn) {
        return true;
    }
    // error: the key of `secrets/app.bundle` is `alias/app`: a bundle's key is a key ARN
    errors.push(format_error(
        span,
        &format!(
            "the key of `{path}` is `{}`: a bundle's key is a key ARN (`arn:aws:kms:REGION:ACCOUNT:key/KEY-ID`)",
            bundle.key
        ),
        &format!(
            "an alias can be pointed at another key by whoever may update aliases, and a key id names no account, so neither says who can read the bundle: move it to its key's ARN with `cargo sealed bundle rotate {path} --to-key arn:…` (`aws kms describe-key --key-id {}` shows the ARN)",
            bundle.key
        ),
    ));
    false
}

/// The bundle's id, when the code pins it with `id = …`: the file's.
fn check_id_pin(
    pinned: Option<&LitStr>,
    bundle: &sealed_format::Bundle,
    path: &str,
    errors: &mut Errors,
) {
    if let Some(pinned) = pinned {
        if !pinned.value().eq_ignore_ascii_case(&bundle.id_hex()) {
            // error: the id of `secrets/app.bundle` is `0f1e…`, not the pinned `5b0e…`
            errors.push(format_error(
                pinned.span(),
                &format!(
                    "the id of `{path}` is `{}`, not the pinned `{}`",
                    bundle.id_hex(),
                    pinned.value()
                ),
                "a file with another id is another bundle, or this one rotated (`cargo sealed bundle rotate`) or restored from before a rotation: if it was rotated on purpose, change `id = …` to the new id",
            ));
        }
    }
}

/// `allow_env = […]`, each name checked (a credential is never allowed); the names.
pub(crate) fn check_allow_env(invocation: &Invocation, errors: &mut Errors) -> Vec<String> {
    let Some(list) = &invocation.allow_env else {
        return Vec::new();
    };
    for item in &list.items {
        if let Err(error) = sealed_format::check_env_name(&item.value()) {
            errors.at(item.span(), error);
        }
    }
    invocation.allowed_env()
}

/// Each `context-env` line of `bundle` (read from `path`) names a variable on
/// `sealed_format::CONTEXT_VARIABLES` or one code allows (`allowed`): the file is data, and its
/// context is sent to KMS, and logged, by every `check --kms` and every start.
pub(crate) fn check_context_env(
    bundle: &sealed_format::Bundle,
    path: &str,
    allowed: &[String],
    span: proc_macro2::Span,
    errors: &mut Errors,
) {
    let allowed: Vec<&str> = allowed.iter().map(String::as_str).collect();
    for (key, value) in &bundle.context {
        if let sealed_format::ContextValue::Env(name) = value {
            if let Err(error) = sealed_format::check_env_allowed(name, &allowed) {
                // error: `secrets/app.bundle`: `context-env token GITHUB_TOKEN`: `GITHUB_TOKEN` is …
                errors.at(
                    span,
                    format!("`{path}`: `context-env {key} {name}`: {error}"),
                );
            }
        }
    }
}

/// What KMS is sent with the bundle's private key, as the expansion writes it: the file's
/// context and the `sealed:bundle` entry.
fn kms_context(
    bundle: &sealed_format::Bundle,
    span: proc_macro2::Span,
) -> Vec<(String, ContextValue)> {
    bundle
        .kms_context()
        .into_iter()
        .map(|(key, value)| {
            let value = match value {
                sealed_format::ContextValue::Literal(v) => {
                    ContextValue::Literal(LitStr::new(&v, span))
                }
                sealed_format::ContextValue::Env(v) => ContextValue::Env(LitStr::new(&v, span)),
            };
            (key, value)
        })
        .collect()
}

/// Every argument given beside `bundle = …` that a bundle value takes from its file.
fn not_with_a_bundle(invocation: &Invocation, errors: &mut Errors) {
    // error: `context = …` does not go with `bundle = …`: a bundle value takes its …
    refuse_beside(
        invocation,
        &["a ciphertext literal", "`file = …`", "`algorithm = …`", "`context = …`", "`unchecked`"],
        "`bundle = …`",
        "a bundle value takes its encryption context from the bundle file (`key = …` beside it pins the file's key)",
        errors,
    );
}

/// An error at each of the arguments `refused` that `invocation` gives: it does not go with
/// `beside`, because `why`.
pub(crate) fn refuse_beside(
    invocation: &Invocation,
    refused: &[&str],
    beside: &str,
    why: &str,
    errors: &mut Errors,
) {
    for (what, span) in invocation.given() {
        if let (true, Some(span)) = (refused.contains(&what), span) {
            errors.at(span, format!("{what} does not go with {beside}: {why}"));
        }
    }
}

/// `name = "…"` that the bundle does not have: its names, and the closest one.
pub(crate) fn no_such_value(
    bundle: &sealed_format::Bundle,
    path: &str,
    name_lit: &LitStr,
) -> syn::Error {
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
    let help = did_you_mean(&name, &names)
        .unwrap_or_else(|| format!("add it with `cargo sealed bundle set {path} {name}`"));
    format_error(
        name_lit.span(),
        &format!("no value `{name}` in `{path}`; {listed}"),
        &help,
    )
}
