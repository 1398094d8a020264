//! `cargo sealed policy`: the least-privilege IAM policy for the `sealed!` values under the
//! paths.

use std::collections::BTreeMap;
use std::process::ExitCode;

use sealed_format::{ContextValue, KeyKind, KeyRef};
use serde_json::{json, Value};

use crate::args::ScanArgs;
use crate::output::{println, warning};
use crate::scan::{Invocation, ValidInvocation};

/// What a statement grants: the resources and the conditions, for grouping values.
fn grant(
    value: &ValidInvocation,
    invocation: &Invocation,
) -> Option<(Vec<String>, BTreeMap<String, String>)> {
    let Some(text) = value.checked.key.as_deref() else {
        warning(&format!(
            "{}: no `key = …`: its role needs kms:Decrypt on whatever key made it; pin the key to get a precise policy",
            invocation.location()
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
                invocation.location()
            )),
        }
    }
    let resource = match key.kind() {
        KeyKind::KeyArn => text.to_owned(),
        KeyKind::KeyId | KeyKind::MultiRegionKeyId => {
            warning(&format!(
                "{}: `{text}` is a bare key id: the policy names `arn:aws:kms:*:*:key/{text}`; pin the key ARN to name its region and account",
                invocation.location()
            ));
            format!("arn:aws:kms:*:*:key/{text}")
        }
        _ => {
            warning(&format!(
                "{}: `{text}` is an alias: IAM policies name keys, so the statement allows any key reached through this alias (`kms:RequestAlias`); pin the key ARN for a tighter grant",
                invocation.location()
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
pub fn run(args: &ScanArgs) -> Result<ExitCode, String> {
    let invocations = crate::scan::invocations(args)?;
    // conditions → resources
    let mut groups: BTreeMap<Vec<(String, String)>, Vec<String>> = BTreeMap::new();
    let mut invalid = 0;
    for invocation in &invocations {
        match &invocation.verdict {
            Err(_) => {
                invalid += 1;
                warning(&format!(
                    "{}: not a valid `sealed!` (see `cargo sealed check`); left out",
                    invocation.location()
                ));
            }
            Ok(value) => {
                if let Some((resources, conditions)) = grant(value, invocation) {
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
    if invocations.is_empty() {
        return Err("no `sealed!` found: nothing to grant".to_owned());
    }
    let statements: Vec<Value> = groups
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
                let equals: serde_json::Map<String, Value> = conditions
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
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
