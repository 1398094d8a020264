//! Validate `sealed!(stages = "…", name = "…")`: the stage set, every stage's bundle (its stage,
//! key and id the set's), and the value in every stage (or every stage `only = […]` names), so
//! that no stage can lack a secret the code reads.

use std::path::Path;

use proc_macro2::Span;
use sealed_format::{closest, did_you_mean, Readers, StageSet};
use syn::LitStr;

use crate::ast::Invocation;
use crate::bundle_value::{
    bundle_value, check_allow_env, check_context_env, read_bundle, refuse_beside,
};
use crate::checked::{Checked, CheckedFailover, CheckedStage, CheckedStages};
use crate::crate_file::{read_crate_file, FileKind};
use crate::errors::{format_error, Errors};
use crate::readers_pin::{check_readers_pin, ReadersOf};

/// `sealed!(stages = "…", name = "…" [, only = […]])`.
#[allow(clippy::too_many_lines)] // one pass over the stages, each check in the order its errors read
pub(crate) fn check_stages(
    mut invocation: Invocation,
    manifest_dir: Option<&Path>,
    allow_emulator: bool,
) -> Result<Checked, syn::Error> {
    let mut errors = Errors::default();
    let (set_lit, name_lit, full, set) = read_set(&mut invocation, manifest_dir, &mut errors)?;
    let path = set_lit.value();
    let span = set_lit.span();
    let only = check_only(&invocation, &set, &path, &mut errors);
    // the set's selector is data too: a stage's context reads it only if code allows it
    let allowed = check_allow_env(&invocation, &mut errors);
    std::mem::take(&mut errors).finish()?;
    let name = name_lit.value();
    let dir = Path::new(&path).parent().unwrap_or(Path::new(""));
    let mut files = vec![full];
    let mut stages = Vec::new();
    let mut missing = Vec::new();
    let mut present = Vec::new();
    let mut names_anywhere: Vec<String> = Vec::new();
    let mut emulator_only = true;
    for stage in &set.stages {
        let bundle_path = dir.join(&stage.bundle).to_string_lossy().into_owned();
        let (bundle, blob, bundle_full) =
            match read_bundle(&bundle_path, span, manifest_dir, allow_emulator) {
                Ok(read) => read,
                Err(error) => {
                    errors.push(error);
                    continue;
                }
            };
        files.push(bundle_full.clone());
        emulator_only &= bundle.only_emulator_keys();
        if let Err(error) = stage.check_bundle(&bundle) {
            // error: stage `prod` of `secrets/app.stages`: `app.prod.bundle` is the bundle of …
            errors.push(stage_error(
                span,
                &path,
                &stage.name,
                &error.to_string(),
                PINS_HELP,
            ));
            continue;
        }
        check_context_env(&bundle, &bundle_path, &allowed, span, &mut errors);
        names_anywhere.extend(bundle.names().map(str::to_owned));
        let wanted = only.as_ref().is_none_or(|only| only.contains(&stage.name));
        let value = match bundle.value(&name).filter(|_| wanted) {
            Some(value) => {
                present.push(stage.name.clone());
                let failover = match failover(stage, &bundle, value, allow_emulator) {
                    Ok(failover) => failover,
                    Err(message) => {
                        errors.push(stage_error(
                            span,
                            &path,
                            &stage.name,
                            &message,
                            RECIPIENTS_HELP,
                        ));
                        continue;
                    }
                };
                let mut checked = bundle_value(
                    &bundle,
                    value,
                    (blob, bundle_full, bundle_path),
                    span,
                    &name_lit,
                    allowed.clone(),
                );
                checked.bundle.failover = failover;
                Some(checked)
            }
            None if wanted => {
                missing.push((stage.name.clone(), bundle_path));
                None
            }
            None => None,
        };
        stages.push(CheckedStage {
            name: stage.name.clone(),
            regions: stage.regions.clone(),
            value,
        });
    }
    std::mem::take(&mut errors).finish()?;
    if !missing.is_empty() {
        errors.push(missing_error(
            &name_lit,
            &path,
            &present,
            &missing,
            &names_anywhere,
        ));
        return Err(errors.take());
    }
    // after every bundle is read and held to its stage: what the set says is what they are
    let readers = Readers::of_stage_set(&set);
    let of = ReadersOf::new(&readers, &path, "stage set", emulator_only);
    check_readers_pin(invocation.readers.as_ref(), &of, span, &mut errors);
    std::mem::take(&mut errors).finish()?;
    let no_stages = format!(
        "`{path}` has no stages yet: add one with `cargo sealed stage new {path} STAGE --key ARN`"
    );
    staged(files, path, set.selector.clone(), name, stages).ok_or_else(|| {
        errors.at(span, no_stages);
        errors.take()
    })
}

/// The checked value of a stage set: every stage's; `None` when no stage has it (a set with no
/// stages).
fn staged(
    files: Vec<std::path::PathBuf>,
    path: String,
    selector: String,
    name: String,
    stages: Vec<CheckedStage>,
) -> Option<Checked> {
    stages.iter().find_map(|s| s.value.as_ref())?;
    Some(Checked::Staged(CheckedStages {
        path,
        selector,
        name,
        stages,
        files,
    }))
}

const PINS_HELP: &str = "the stage set pins each stage's bundle: restore the bundle (or the set) from version control; `cargo sealed stage new` writes both";
const RECIPIENTS_HELP: &str = "a bundle's recipients are written by `cargo sealed stage add-key`: restore the bundle from version control, or add the recipient again";

/// What is wrong with `stage`'s bundle (of the set `path`), at the set's literal.
fn stage_error(span: Span, path: &str, stage: &str, message: &str, help: &str) -> syn::Error {
    format_error(
        span,
        &format!("stage `{stage}` of `{path}`: {message}"),
        help,
    )
}

/// The failover recipients of `stage` (the set pins them, and `check_bundle` found each in
/// `bundle` with its pinned public key), each wrapped private key checked as a ciphertext.
fn failover(
    stage: &sealed_format::Stage,
    bundle: &sealed_format::Bundle,
    value: &sealed_format::BundleValue,
    allow_emulator: bool,
) -> Result<Vec<CheckedFailover>, String> {
    let options = sealed_format::Options {
        algorithm: None,
        allow_emulator,
        unchecked: false,
    };
    stage
        .failover()
        .map(|pinned| {
            let index = bundle
                .recipients
                .iter()
                .position(|r| r.key == pinned.key)
                .ok_or_else(|| format!("the bundle has no recipient `{}`", pinned.key))?;
            let recipient = &bundle.recipients[index];
            let blob = recipient
                .inspect_private_key(&options)
                .map_err(|e| format!("the failover recipient `{}`: {e}", pinned.key))?;
            let sealed = value
                .sealing(index + 1)
                .ok_or_else(|| format!("`{}` has no sealing for `{}`", value.name, pinned.key))?
                .to_vec();
            Ok(CheckedFailover {
                key: pinned.key.clone(),
                blob,
                public_point: recipient.public_point(),
                sealed,
            })
        })
        .collect()
}

/// The set file of `stages = …`, read and parsed, with `name = …`: the set's literal, the
/// name's, the file's full path and the set.
fn read_set(
    invocation: &mut Invocation,
    manifest_dir: Option<&Path>,
    errors: &mut Errors,
) -> Result<(LitStr, LitStr, std::path::PathBuf, StageSet), syn::Error> {
    not_with_stages(invocation, errors);
    let Some(set_lit) = invocation.stages.take() else {
        let span = invocation
            .only
            .as_ref()
            .map_or_else(Span::call_site, |o| o.span);
        errors.at(
            span,
            "`only = […]` names the stages of a stage set a value is in: it goes with `stages = \"path/to/app.stages\"` and `name = \"…\"`",
        );
        return Err(errors.take());
    };
    let Some(name_lit) = invocation.name.take() else {
        errors.at(
            set_lit.span(),
            "`stages = …` needs `name = \"…\"`, the value's name in the stages' bundles",
        );
        return Err(errors.take());
    };
    let path = set_lit.value();
    let span = set_lit.span();
    let (text, full) = read_crate_file(&path, manifest_dir, FileKind::StageSet).map_err(|m| {
        errors.at(span, m);
        errors.take()
    })?;
    let set = StageSet::parse(&text).map_err(|error| {
        // error: in `secrets/app.stages`: line 4: the key of a stage is a key ARN, …
        errors.push(format_error(
            span,
            &format!("in `{path}`: {error}"),
            &error.help(),
        ));
        errors.take()
    })?;
    Ok((set_lit, name_lit, full, set))
}

/// The stages `only = […]` names, each a stage of the set (`None` without `only`).
fn check_only(
    invocation: &Invocation,
    set: &StageSet,
    path: &str,
    errors: &mut Errors,
) -> Option<Vec<String>> {
    let only = invocation.only.as_ref()?;
    let names: Vec<&str> = set.names().collect();
    let mut chosen = Vec::new();
    for stage in &only.items {
        let value = stage.value();
        if chosen.contains(&value) {
            errors.at(stage.span(), format!("`{value}` is named twice in `only`"));
        } else if !names.contains(&value.as_str()) {
            // error: `prdo` is no stage of `secrets/app.stages` (its stages: `dev`, `prod`)
            let help = did_you_mean(&value, &names).unwrap_or_else(|| {
                format!("add it with `cargo sealed stage new {path} {value} --key ARN`")
            });
            errors.push(format_error(
                stage.span(),
                &format!(
                    "`{value}` is no stage of `{path}` (its stages: {})",
                    quoted(&names)
                ),
                &help,
            ));
        }
        chosen.push(value);
    }
    Some(chosen)
}

/// `name` missing in some stages: which have it, which lack it, and the command for each.
fn missing_error(
    name_lit: &LitStr,
    path: &str,
    present: &[String],
    missing: &[(String, String)],
    names_anywhere: &[String],
) -> syn::Error {
    let name = name_lit.value();
    let lacking = missing
        .iter()
        .map(|(stage, bundle)| format!("{stage} ({bundle})"))
        .collect::<Vec<_>>()
        .join(", ");
    // error: `stripe_key` is in dev, staging but not in prod (secrets/app.prod.bundle)
    let message = if present.is_empty() {
        format!("`{name}` is in no stage of `{path}`: not in {lacking}")
    } else {
        format!("`{name}` is in {} but not in {lacking}", present.join(", "))
    };
    let names: Vec<&str> = names_anywhere.iter().map(String::as_str).collect();
    let near = closest(&name, &names).filter(|near| *near != name);
    let help = match near {
        Some(near) if present.is_empty() => format!("did you mean `{near}`?"),
        _ => missing
            .iter()
            .map(|(stage, _)| {
                format!("printf %s \"$VALUE\" | cargo sealed stage set {path} {stage} {name}")
            })
            .chain((!present.is_empty()).then(|| {
                format!(
                    "or, if it is deliberately absent there, `only = [{}]`",
                    present
                        .iter()
                        .map(|s| format!("\"{s}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }))
            .collect::<Vec<_>>()
            .join("; "),
    };
    format_error(name_lit.span(), &message, &help)
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every argument given beside `stages = …` that a value of a stage set takes from its files.
fn not_with_stages(invocation: &Invocation, errors: &mut Errors) {
    let every: Vec<&str> = invocation.given().iter().map(|(what, _)| *what).collect();
    refuse_beside(
        invocation,
        &every,
        "`stages = …`",
        "a value of a stage set takes its key, context and bundle from the set, which pins each stage's key",
        errors,
    );
}
