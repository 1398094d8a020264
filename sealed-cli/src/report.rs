//! Output conventions, `check` and `policy`.

use std::collections::BTreeMap;
use std::process::ExitCode;

use sealed_format::{KeyKind, KeyRef};
use sealed_runtime::{Sealed, Verified};
use serde_json::{json, Value as Json};

use crate::args::ScanArgs;
use crate::scan::{self, Found, Value};
use sealed_format::ContextValue;

use crate::context::declare;
use crate::output::{println, warning, BAD, GOOD};

fn context_keys(value: &Value) -> String {
    let keys: Vec<&str> = value.context.iter().map(|(k, _)| k.as_str()).collect();
    if keys.is_empty() {
        "-".to_owned()
    } else {
        keys.join(",")
    }
}

/// A run-time `Sealed` for a found value, pointing at its `sealed!` in errors.
pub fn sealed_of(found: &Found, value: &Value, allow_emulator: bool) -> Result<Sealed, String> {
    let mut builder = Sealed::builder(value.text.clone())
        .location(
            found.file.display().to_string(),
            u32::try_from(found.line).unwrap_or(0),
            u32::try_from(found.column).unwrap_or(0),
        )
        .algorithm(value.checked.algorithm)
        .allow_emulator(allow_emulator);
    if let Some(key) = &value.checked.key {
        builder = builder.key(key);
    }
    declare(builder, &value.context)
        .build()
        .map_err(|e| e.to_string())
}

/// `cargo sealed check`: one line per value; non-zero exit if any fails.
pub async fn check(args: &ScanArgs, kms: bool) -> Result<ExitCode, String> {
    let found = scan::scan(args)?;
    let mut failed = 0;
    let ok_mark = format!("{GOOD}ok{GOOD:#}");
    // a bundle's data key is proved once, however many values name it
    let mut bundles: std::collections::HashMap<std::path::PathBuf, Result<Verified, String>> =
        std::collections::HashMap::new();
    for item in &found {
        match &item.verdict {
            Err(message) => {
                failed += 1;
                println!("{}  {BAD}invalid{BAD:#}", item.location());
                for line in message.lines() {
                    println!("    {line}");
                }
            }
            Ok(value) => {
                let key = value.checked.key.as_deref().unwrap_or("-");
                let what = match &value.checked.bundle {
                    Some(bundle) => format!("bundle {} value {}", bundle.path, bundle.name),
                    None => value.checked.blob.family().to_string(),
                };
                let summary = format!(
                    "{}  {what}  key={key}  context={}",
                    item.location(),
                    context_keys(value)
                );
                if !kms {
                    println!("{summary}  {ok_mark}");
                    continue;
                }
                let known = value
                    .file
                    .as_ref()
                    .filter(|_| value.checked.bundle.is_some());
                let outcome = if let Some(outcome) = known.and_then(|path| bundles.get(path)) {
                    outcome.clone()
                } else {
                    let outcome = match sealed_of(item, value, args.emulator) {
                        Ok(sealed) => sealed.verify().await.map_err(|e| e.to_string()),
                        Err(e) => Err(e),
                    };
                    if let Some(path) = known {
                        bundles.insert(path.clone(), outcome.clone());
                    }
                    outcome
                };
                match outcome {
                    Ok(Verified::DryRun) => println!("{summary}  {ok_mark} (decrypts: KMS dry run)"),
                    Ok(_) => println!(
                        "{summary}  {ok_mark} (decrypts: the server ignored DryRun and decrypted; the plaintext was discarded unread)"
                    ),
                    Err(message) => {
                        failed += 1;
                        println!("{summary}  {BAD}fails{BAD:#}");
                        println!("    {message}");
                    }
                }
            }
        }
    }
    let total = found.len();
    eprintln!(
        "{total} sealed value{} found, {failed} failed{}",
        if total == 1 { "" } else { "s" },
        if kms { " (checked against KMS)" } else { "" }
    );
    if failed > 0 {
        Ok(ExitCode::from(1))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

/// What a statement grants: the resources and the conditions, for grouping values.
fn grant(value: &Value, item: &Found) -> Option<(Vec<String>, BTreeMap<String, String>)> {
    let Some(text) = value.checked.key.as_deref() else {
        warning(&format!(
            "{}: no `key = …`: its role needs kms:Decrypt on whatever key made it; pin the key to get a precise policy",
            item.location()
        ));
        return None;
    };
    let key = KeyRef::parse(text).ok()?;
    let mut conditions = BTreeMap::new();
    for (name, context) in &value.context {
        match context {
            ContextValue::Literal(v) => {
                conditions.insert(format!("kms:EncryptionContext:{name}"), v.clone());
            }
            ContextValue::Env(var) => warning(&format!(
                "{}: context `{name}` comes from `env(\"{var}\")` at run time: no condition on its value",
                item.location()
            )),
        }
    }
    let resource = match key.kind() {
        KeyKind::KeyArn => text.to_owned(),
        KeyKind::KeyId | KeyKind::MultiRegionKeyId => {
            warning(&format!(
                "{}: `{text}` is a bare key id: the policy names `arn:aws:kms:*:*:key/{text}`; pin the key ARN to name its region and account",
                item.location()
            ));
            format!("arn:aws:kms:*:*:key/{text}")
        }
        _ => {
            warning(&format!(
                "{}: `{text}` is an alias: IAM policies name keys, so the statement allows any key reached through this alias (`kms:RequestAlias`); pin the key ARN for a tighter grant",
                item.location()
            ));
            conditions.insert(
                "kms:RequestAlias".to_owned(),
                format!("alias/{}", key.resource()),
            );
            format!(
                "arn:{}:kms:{}:{}:key/*",
                key.partition().unwrap_or("aws"),
                key.region().unwrap_or("*"),
                key.account().unwrap_or("*")
            )
        }
    };
    Some((vec![resource], conditions))
}

/// `cargo sealed policy`: the IAM policy JSON on stdout, warnings on stderr.
pub fn policy(args: &ScanArgs) -> Result<ExitCode, String> {
    let found = scan::scan(args)?;
    // conditions → resources
    let mut groups: BTreeMap<Vec<(String, String)>, Vec<String>> = BTreeMap::new();
    let mut invalid = 0;
    for item in &found {
        match &item.verdict {
            Err(_) => {
                invalid += 1;
                warning(&format!(
                    "{}: not a valid `sealed!` (see `cargo sealed check`); left out",
                    item.location()
                ));
            }
            Ok(value) => {
                if let Some((resources, conditions)) = grant(value, item) {
                    let entry = groups.entry(conditions.into_iter().collect()).or_default();
                    for resource in resources {
                        if !entry.contains(&resource) {
                            entry.push(resource);
                        }
                    }
                }
            }
        }
    }
    if found.is_empty() {
        return Err("no `sealed!` found: nothing to grant".to_owned());
    }
    let statements: Vec<Json> = groups
        .into_iter()
        .enumerate()
        .map(|(i, (conditions, mut resources))| {
            resources.sort();
            let mut statement = json!({
                "Sid": format!("SealedDecrypt{}", i + 1),
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": resources,
            });
            if !conditions.is_empty() {
                let equals: serde_json::Map<String, Json> = conditions
                    .into_iter()
                    .map(|(k, v)| (k, Json::String(v)))
                    .collect();
                statement["Condition"] = json!({ "StringEquals": equals });
            }
            statement
        })
        .collect();
    let policy = json!({ "Version": "2012-10-17", "Statement": statements });
    println!(
        "{}",
        serde_json::to_string_pretty(&policy).map_err(|e| e.to_string())?
    );
    if invalid > 0 {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
