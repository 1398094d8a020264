//! `cargo sealed policy`: the least-privilege IAM policy for the `sealed!` values under the
//! paths; with `--key-policy`, the statements the key policy of each bundle's KMS key needs so
//! that a bundle's private key can only ever come from `GenerateDataKeyPairWithoutPlaintext`
//! (docs/design/bundle-format-2.md §4.2).

use std::collections::BTreeMap;
use std::process::ExitCode;

use sealed_format::{ContextValue, KeyKind, KeyRef};
use serde_json::{json, Value};

use clap::Args;

use crate::args::ScanArgs;
use crate::error::CliError;
use crate::output::{println, warning};
use crate::scan::{Invocation, ValidInvocation};

/// What a statement grants: the resources and the conditions, for grouping values.
fn grant(value: &ValidInvocation, invocation: &Invocation) -> Option<Grant> {
    let Some(text) = value.sent.key.as_deref() else {
        warning(&format!(
            "{}: no `key = …`: its role needs kms:Decrypt on whatever key made it; pin the key to get a precise policy",
            invocation.location()
        ));
        return None;
    };
    let key = KeyRef::parse(text).ok()?;
    let mut conditions = literal_conditions(value);
    for (name, context) in &value.context {
        if let ContextValue::Env(var) = context {
            warning(&format!(
                "{}: context `{name}` comes from `env(\"{var}\")` at run time: no condition on its value",
                invocation.location()
            ));
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
    // a stage's failover recipients: the function may decrypt with each, under the same context
    let failover = value
        .bundle
        .iter()
        .flat_map(|b| b.failover.iter().map(|f| f.key.clone()));
    Some((
        std::iter::once(resource).chain(failover).collect(),
        conditions,
    ))
}

/// `cargo sealed policy`.
#[derive(Args)]
pub struct PolicyArgs {
    #[command(flatten)]
    scan: ScanArgs,
    /// Instead of the function's IAM policy: for each KMS key that holds a bundle, the
    /// statements to add to its key policy, which deny every way of wrapping a private key
    /// someone knows (`Encrypt`, `GenerateDataKey*` with plaintext, `GenerateDataKeyPair`,
    /// `ReEncrypt*`), so that a bundle key only comes from `GenerateDataKeyPairWithoutPlaintext`
    #[arg(long)]
    key_policy: bool,
    /// With `--key-policy`: the keys hold bundles and nothing else (anywhere, not only under
    /// PATHs), so the deny needs no condition: every known-plaintext action on them is refused.
    /// Without it, the deny applies to requests that carry a `sealed:` context key
    #[arg(long, requires = "key_policy")]
    dedicated: bool,
    /// For one stage's role: of each `sealed!(stages = …)`, only this stage's value (its key,
    /// with its `sealed:stage` and `sealed:bundle` conditions); values outside stage sets are
    /// kept. Without it, every stage's grants are printed together
    #[arg(long)]
    stage: Option<String>,
    /// With `--key-policy`: only this key's statements (a key ARN the values name)
    #[arg(long, requires = "key_policy", value_name = "KEY")]
    key: Option<String>,
    /// With `--key-policy`: the key's current policy document (JSON, as `aws kms get-key-policy
    /// --query Policy --output text` prints it) with the statements merged in (a statement with
    /// the same `Sid` replaced), ready for `aws kms put-key-policy`; needs exactly one key
    /// (`--key`)
    #[arg(long, requires = "key_policy", value_name = "FILE")]
    merge: Option<std::path::PathBuf>,
    /// With `--key-policy`: the function's IAM role (its ARN), named as the principal of the
    /// failover keys' grants instead of its whole account
    #[arg(long, requires = "key_policy", value_name = "ROLE_ARN")]
    role: Option<String>,
}

/// The invocations one stage's role reads: every value outside a stage set, and of each value
/// of a stage set the one of `stage`; an error naming the stages found when none is `stage`.
fn of_stage(invocations: Vec<Invocation>, stage: &str) -> Result<Vec<Invocation>, CliError> {
    let mut found: Vec<String> = Vec::new();
    for name in invocations.iter().filter_map(|i| i.stage.as_ref()) {
        if !found.contains(name) {
            found.push(name.clone());
        }
    }
    if !found.iter().any(|s| s == stage) {
        let names: Vec<&str> = found.iter().map(String::as_str).collect();
        return Err(format!(
            "--stage {stage}: no `sealed!(stages = …)` value under the paths is in a stage `{stage}`; the stages found: {}",
            crate::messages::listing(stage, &names)
        )
        .into());
    }
    Ok(invocations
        .into_iter()
        .filter(|i| i.stage.as_deref().is_none_or(|s| s == stage))
        .collect())
}

/// `cargo sealed policy --key-policy`: per key that holds a bundle, its key-policy statements;
/// the unconditional deny only for `dedicated` keys that hold no plain value under the paths.
fn key_policy(invocations: &[Invocation], args: &PolicyArgs) -> Result<ExitCode, CliError> {
    let dedicated = args.dedicated;
    // key → (holds a bundle, holds a plain value)
    let mut keys: BTreeMap<&str, (bool, bool)> = BTreeMap::new();
    // a failover key in another account → the function's account, the context
    let mut foreign: BTreeMap<&str, Vec<(String, Conditions)>> = BTreeMap::new();
    // the stage sets read, by path: each once, however many values name it
    let mut sets = BTreeMap::new();
    for invocation in invocations {
        if let Ok(value) = &invocation.verdict {
            if let Some(key) = value.sent.key.as_deref() {
                let entry = keys.entry(key).or_default();
                if value.bundle.is_some() {
                    entry.0 = true;
                } else {
                    entry.1 = true;
                }
                let failovers = value.bundle.iter().flat_map(|b| &b.failover);
                let home = match failovers.clone().next() {
                    Some(_) => function_account(invocation, key, &mut sets),
                    None => None,
                };
                for failover in failovers {
                    keys.entry(failover.key.as_str()).or_default().0 = true;
                    let account = KeyRef::parse(&failover.key)
                        .ok()
                        .and_then(|k| k.account().map(str::to_owned));
                    if let (Some(home), true) = (&home, account.as_ref() != home.as_ref()) {
                        let conditions = literal_conditions(value);
                        let grants = foreign.entry(failover.key.as_str()).or_default();
                        if !grants.contains(&(home.clone(), conditions.clone())) {
                            grants.push((home.clone(), conditions));
                        }
                    }
                }
            }
        }
    }
    let mut documents = serde_json::Map::new();
    if let Some(key) = &args.key {
        // a key no value names yet (a new one, locked before `bundle new` or `stage new`): it
        // holds bundles, and plain values only if `--dedicated` is not given
        let entry = keys.entry(key.as_str()).or_default();
        if !entry.0 && !entry.1 {
            warning(&format!(
                "--key {key}: no value under the paths names it yet: its statements as for a key that will hold bundles"
            ));
        }
        entry.0 = true;
    }
    for (key, (bundles, plain)) in keys {
        if !bundles || args.key.as_deref().is_some_and(|k| k != key) {
            continue;
        }
        if plain && dedicated {
            warning(&format!(
                "`{key}` holds plain values too: it is not dedicated to bundles, so its deny applies only to requests with a `sealed:` context key"
            ));
        }
        let mut statements = crate::key_policy::statements(plain || !dedicated);
        for (i, (account, conditions)) in foreign.get(key).into_iter().flatten().enumerate() {
            // the function's account may decrypt a stage's failover key that lives elsewhere,
            // only with that stage's context; its own IAM policy (`policy --stage`) narrows it
            // to the function's role
            statements.push(json!({
                "Sid": format!("SealedFailoverFrom{account}{}", if i == 0 { String::new() } else { format!("_{}", i + 1) }),
                "Effect": "Allow",
                "Principal": { "AWS": args.role.clone().unwrap_or_else(|| format!("arn:aws:iam::{account}:root")) },
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": { "StringEquals": conditions },
            }));
        }
        documents.insert(
            key.to_owned(),
            json!({ "Version": "2012-10-17", "Statement": statements }),
        );
    }
    if documents.is_empty() {
        return Err(
            "no bundle value found: the key-policy statements are for the keys of bundles".into(),
        );
    }
    if let Some(path) = &args.merge {
        return merged(path, documents);
    }
    warning("add each key's statements to that key's policy (`aws kms put-key-policy`); an explicit deny also stops `cargo sealed reseal` into the key: move a bundle with `cargo sealed bundle rotate FILE --to-key NEW`. Local KMS emulators do not enforce key policies: test them against AWS KMS");
    println!(
        "{}",
        serde_json::to_string_pretty(&Value::Object(documents)).map_err(|e| e.to_string())?
    );
    Ok(ExitCode::SUCCESS)
}

/// `--merge FILE`: the one key's statements merged into the policy document in `path`, printed.
fn merged(
    path: &std::path::Path,
    documents: serde_json::Map<String, Value>,
) -> Result<ExitCode, CliError> {
    let mut documents = documents.into_iter();
    let (Some((key, document)), None) = (documents.next(), documents.next()) else {
        return Err("--merge: more than one key holds bundles under the paths; name the key whose policy this is with `--key KEY`".into());
    };
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::new(format!("cannot read `{shown}`")).because(e))?;
    let current: Value = serde_json::from_str(&text).map_err(|e| {
        CliError::new(format!("`{shown}` is not JSON")).because(e).help(format!(
            "write the key's policy document into it: aws kms get-key-policy --key-id {key} --policy-name default --query Policy --output text > {shown}"
        ))
    })?;
    let statements = match document.get("Statement") {
        Some(Value::Array(list)) => list.clone(),
        _ => Vec::new(),
    };
    let result = crate::key_policy::merge(current, statements)
        .map_err(|why| CliError::from(format!("`{shown}`: {why}")))?;
    warning(&format!("the policy of `{key}` with `sealed`'s statements merged in: give it to `aws kms put-key-policy --key-id {key} --policy-name default --policy file://…`; an explicit deny also stops `cargo sealed reseal` into the key"));
    println!(
        "{}",
        serde_json::to_string_pretty(&result).map_err(|e| e.to_string())?
    );
    Ok(ExitCode::SUCCESS)
}

/// The account a value's function runs in, for its failover keys' policies: its stage's
/// `account=` when the set names one, else (with a warning) the account of the stage's own key.
/// `sets` keeps each stage set read, by path.
fn function_account(
    invocation: &Invocation,
    key: &str,
    sets: &mut BTreeMap<std::path::PathBuf, Option<sealed_format::StageSet>>,
) -> Option<String> {
    let named = invocation
        .staged
        .as_ref()
        .zip(invocation.stage.as_deref())
        .and_then(|(staged, stage)| {
            let set = sets.entry(staged.set.clone()).or_insert_with(|| {
                let text = std::fs::read_to_string(&staged.set).ok()?;
                sealed_format::StageSet::parse(&text).ok()
            });
            set.as_ref()?.stage(stage)?.account.clone()
        });
    if named.is_some() {
        return named;
    }
    let of_key = KeyRef::parse(key).ok()?.account()?.to_owned();
    warning(&format!(
        "{}: its stage names no `account=`: the failover keys' statements allow the account of the stage's own key, {of_key}; if the function runs in another, put that account in `Principal`",
        invocation.location()
    ));
    Some(of_key)
}

/// `kms:EncryptionContext:KEY` → the value.
type Conditions = BTreeMap<String, String>;

/// The literal context entries of a value, as `kms:EncryptionContext:` conditions (an
/// `env(…)` entry has no value to name).
fn literal_conditions(value: &ValidInvocation) -> Conditions {
    value
        .context
        .iter()
        .filter_map(|(name, context)| match context {
            ContextValue::Literal(v) => Some((format!("kms:EncryptionContext:{name}"), v.clone())),
            ContextValue::Env(_) => None,
        })
        .collect()
}

/// One value's grant: the resources, and the conditions.
type Grant = (Vec<String>, BTreeMap<String, String>);

/// The IAM policy granting `grants`: one statement per set of conditions, naming every resource
/// granted under them.
fn iam_policy<'a>(grants: impl Iterator<Item = &'a Grant>) -> Value {
    // conditions → resources
    let mut groups: BTreeMap<Vec<(String, String)>, Vec<String>> = BTreeMap::new();
    for (resources, conditions) in grants {
        let entry = groups
            .entry(conditions.clone().into_iter().collect())
            .or_default();
        for resource in resources {
            if !entry.contains(resource) {
                entry.push(resource.clone());
            }
        }
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
    json!({ "Version": "2012-10-17", "Statement": statements })
}

/// `cargo sealed policy`: the IAM policy JSON on stdout (with values of stage sets, one per
/// stage, by name, unless `--stage` picks one), warnings on stderr.
pub fn run(args: &PolicyArgs, emulator: bool) -> Result<ExitCode, CliError> {
    let mut invocations = crate::scan::invocations(&args.scan, emulator)?;
    if let Some(stage) = &args.stage {
        invocations = of_stage(invocations, stage)?;
    }
    if args.key_policy {
        return key_policy(&invocations, args);
    }
    if invocations.is_empty() {
        return Err("no `sealed!` found: nothing to grant".into());
    }
    // each value's grant, once (its warnings too), with its stage
    let mut grants: Vec<(Option<&str>, Grant)> = Vec::new();
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
                if let Some(grant) = grant(value, invocation) {
                    grants.push((invocation.stage.as_deref(), grant));
                }
            }
        }
    }
    let mut stages: Vec<&str> = Vec::new();
    for stage in invocations.iter().filter_map(|i| i.stage.as_deref()) {
        if !stages.contains(&stage) {
            stages.push(stage);
        }
    }
    let output = if stages.is_empty() || args.stage.is_some() {
        iam_policy(grants.iter().map(|(_, grant)| grant))
    } else {
        warning("values of stage sets: one policy per stage, by name, each for that stage's role (with the values of no stage set); `--stage STAGE` prints one alone");
        let per_stage: serde_json::Map<String, Value> = stages
            .iter()
            .map(|stage| {
                let of_stage = grants
                    .iter()
                    .filter(|(s, _)| s.is_none_or(|s| s == *stage))
                    .map(|(_, grant)| grant);
                ((*stage).to_owned(), iam_policy(of_stage))
            })
            .collect();
        Value::Object(per_stage)
    };
    println!(
        "{}",
        serde_json::to_string_pretty(&output).map_err(|e| e.to_string())?
    );
    if invalid > 0 {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
