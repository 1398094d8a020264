//! The key policy of a KMS key that holds bundle key pairs: the statements `policy --key-policy`
//! prints, and the key's own policy (`GetKeyPolicy`) held to them. The deny stops anyone with
//! `kms:Encrypt` from wrapping a private key they know into a bundle's context (finding H2 of
//! issue 34): without it, a "rotated" bundle can carry a planted key pair.
//!
//! A policy is compared with the statements, not evaluated as IAM would: a statement counts when
//! it denies the actions to everyone on the key, with exactly the condition `sealed` prints or
//! none. Anything else (a narrower principal, another condition, `NotAction`) does not count,
//! and the verdict says so.

use serde_json::{json, Value};

use crate::output::{println, warning, BAD, GOOD};

/// The actions that can wrap a plaintext the caller knows: what a bundle's key must never do
/// into a bundle's context. (`kms:GenerateDataKey*` would match the one action bundles need,
/// so each is named.)
pub const KNOWN_PLAINTEXT_ACTIONS: [&str; 6] = [
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GenerateDataKeyPair",
    "kms:ReEncryptTo",
    "kms:ReEncryptFrom",
];

/// The condition of the deny on a key shared with plain values: requests that carry a `sealed:`
/// context key (case-sensitively: `sealed` sends exactly `sealed:bundle`, and KMS matches a
/// context exactly).
fn shared_condition() -> Value {
    json!({ "ForAnyValue:StringLike": { "kms:EncryptionContextKeys": "sealed:*" } })
}

/// The condition of the deny of every key-pair spec but P-256.
fn spec_condition() -> Value {
    json!({ "StringNotEquals": { "kms:DataKeyPairSpec": sealed_format::KEY_PAIR_SPEC } })
}

/// The key-policy statements for a key that holds bundles: on a key that holds only bundles,
/// every known-plaintext action denied; on a key shared with plain values (`shared`), the same
/// whenever the request carries a `sealed:` context key; and bundle key pairs only as P-256.
pub fn statements(shared: bool) -> Vec<Value> {
    let mut deny = json!({
        "Sid": "SealedBundleKeyOnlyWithoutPlaintext",
        "Effect": "Deny",
        "Principal": "*",
        "Action": KNOWN_PLAINTEXT_ACTIONS,
        "Resource": "*",
    });
    if shared {
        deny["Sid"] = json!("SealedNoKnownSecretInBundleContext");
        deny["Condition"] = shared_condition();
    }
    vec![
        deny,
        json!({
            "Sid": "SealedBundlePairsAreP256",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "kms:GenerateDataKeyPairWithoutPlaintext",
            "Resource": "*",
            "Condition": spec_condition(),
        }),
    ]
}

/// `document` with `statements` in it: a statement with the same `Sid` is replaced, any other
/// added at the end; everything else in the document is kept as it is. The result can be given
/// to `aws kms put-key-policy` as is.
pub fn merge(mut document: Value, statements: Vec<Value>) -> Result<Value, String> {
    let Some(object) = document.as_object_mut() else {
        return Err(
            "a key policy is a JSON object (`{\"Version\": …, \"Statement\": […]}`)".into(),
        );
    };
    object
        .entry("Version")
        .or_insert_with(|| json!("2012-10-17"));
    let existing = object.entry("Statement").or_insert_with(|| json!([]));
    if existing.is_object() {
        *existing = json!([existing.take()]);
    }
    let Some(list) = existing.as_array_mut() else {
        return Err("its `Statement` is neither a list nor one statement".into());
    };
    for statement in statements {
        match list
            .iter_mut()
            .find(|s| s.get("Sid").is_some() && s.get("Sid") == statement.get("Sid"))
        {
            Some(same) => *same = statement,
            None => list.push(statement),
        }
    }
    Ok(document)
}

/// A string or a list of strings, as IAM writes either.
fn strings(value: Option<&Value>) -> Vec<&str> {
    match value {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Whether IAM's `pattern` (`*` any run, `?` one character; case-insensitive, as IAM matches
/// action names) matches `action`.
fn matches(pattern: &str, action: &str) -> bool {
    fn go(p: &[u8], a: &[u8]) -> bool {
        match (p.first(), a.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], a) || (!a.is_empty() && go(p, &a[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &a[1..]),
            (Some(x), Some(y)) if x.eq_ignore_ascii_case(y) => go(&p[1..], &a[1..]),
            _ => false,
        }
    }
    go(pattern.as_bytes(), action.as_bytes())
}

/// Whether a deny's `actual` condition is `expected` (`None`: no condition) or denies more: the
/// same operators and condition keys, each with the same values (as a string or a list), or,
/// under `ForAnyValue:StringLike` (the `sealed:*` context keys), more values.
fn condition_counts(actual: Option<&Value>, expected: Option<&Value>) -> bool {
    let empty =
        |c: Option<&Value>| c.is_none_or(|c| c.as_object().is_some_and(serde_json::Map::is_empty));
    let (Some(actual), Some(expected)) = (actual, expected) else {
        return empty(actual) && empty(expected);
    };
    let (Some(actual), Some(expected)) = (actual.as_object(), expected.as_object()) else {
        return false;
    };
    let same_keys = |a: &serde_json::Map<String, Value>, b: &serde_json::Map<String, Value>| {
        a.len() == b.len() && a.keys().all(|k| b.contains_key(k))
    };
    if !same_keys(actual, expected) {
        return false;
    }
    expected.iter().all(|(operator, wanted)| {
        let (Some(given), Some(wanted)) = (actual[operator].as_object(), wanted.as_object()) else {
            return false;
        };
        same_keys(given, wanted)
            && wanted.iter().all(|(key, values)| {
                let (given, wanted) = (strings(given.get(key)), strings(Some(values)));
                let covers = wanted.iter().all(|w| given.contains(w));
                if operator == "ForAnyValue:StringLike" {
                    covers
                } else {
                    covers && given.iter().all(|g| wanted.contains(g))
                }
            })
    })
}

/// Whether `statement` denies, to everyone, on the whole key: the shape every statement of
/// [`statements`] has. Why not, when it does not.
fn denies_to_everyone(statement: &Value, key: &str) -> Result<(), &'static str> {
    if statement.get("Effect").and_then(Value::as_str) != Some("Deny") {
        return Err("it does not deny");
    }
    if ["NotAction", "NotPrincipal", "NotResource"]
        .iter()
        .any(|k| statement.get(k).is_some())
    {
        return Err("it has a NotAction, NotPrincipal or NotResource");
    }
    let principal = statement.get("Principal");
    let everyone = principal.and_then(Value::as_str) == Some("*")
        || strings(principal.and_then(|p| p.get("AWS"))).contains(&"*");
    if !everyone {
        return Err("its principal is not everyone (`\"Principal\": \"*\"`)");
    }
    if !strings(statement.get("Resource"))
        .iter()
        .any(|r| *r == "*" || *r == key)
    {
        return Err("its resource is not the key (`\"Resource\": \"*\"`)");
    }
    Ok(())
}

/// One deny a key policy needs: the actions, the conditions that count (`None`: none at all),
/// its words.
type Rule = (&'static [&'static str], Vec<Option<Value>>, &'static str);

/// What a key's policy lacks of [`statements`]: empty when it denies every known-plaintext
/// action into a bundle's context (unconditionally, or with the `sealed:*` condition) and every
/// key-pair spec but P-256. Each reason names the actions and the statement (by `Sid`) that
/// came close.
pub fn lacks(policy: &Value, key: &str) -> Vec<String> {
    let list: Vec<&Value> = match policy.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    };
    let mut reasons = Vec::new();
    let rules: [Rule; 2] = [
        (
            &KNOWN_PLAINTEXT_ACTIONS,
            vec![None, Some(shared_condition())],
            "wrapping a known private key into a bundle's context",
        ),
        (
            &["kms:GenerateDataKeyPairWithoutPlaintext"],
            vec![Some(spec_condition())],
            "key pairs other than P-256",
        ),
    ];
    for (actions, conditions, words) in rules {
        let mut covered: Vec<&str> = Vec::new();
        let mut near: Vec<String> = Vec::new();
        for statement in &list {
            let patterns = strings(statement.get("Action"));
            let touches: Vec<&str> = actions
                .iter()
                .copied()
                .filter(|a| patterns.iter().any(|p| matches(p, a)))
                .collect();
            if touches.is_empty() {
                continue;
            }
            let sid = statement.get("Sid").and_then(Value::as_str).map_or_else(
                || "a statement without Sid".to_owned(),
                |s| format!("`{s}`"),
            );
            if let Err(why) = denies_to_everyone(statement, key) {
                if statement.get("Effect").and_then(Value::as_str) == Some("Deny") {
                    near.push(format!("{sid} does not count: {why}"));
                }
                continue;
            }
            let condition = statement.get("Condition");
            if !conditions
                .iter()
                .any(|c| condition_counts(condition, c.as_ref()))
            {
                near.push(format!(
                    "{sid} does not count: its condition is not the one `cargo sealed policy --key-policy` prints"
                ));
                continue;
            }
            covered.extend(touches);
        }
        let missing: Vec<&str> = actions
            .iter()
            .copied()
            .filter(|a| !covered.contains(a))
            .collect();
        if !missing.is_empty() {
            let mut reason = format!(
                "nothing denies {} to everyone: the deny of {words} is missing",
                missing.join(", ")
            );
            for n in near {
                reason.push_str("; ");
                reason.push_str(&n);
            }
            reasons.push(reason);
        }
    }
    reasons
}

/// What reading and comparing a key's policy found.
pub enum Verdict {
    /// Every statement is there.
    Holds,
    /// The policy lacks these (see [`lacks`]).
    Lacks(Vec<String>),
    /// The policy could not be read: why, and what to do.
    NotVerified(String),
}

/// Reads the key policy of `key` (`GetKeyPolicy`, in the key's region) and compares it with
/// [`statements`].
pub async fn verify(key: &str) -> Verdict {
    let region = sealed_format::KeyRef::parse(key)
        .ok()
        .and_then(|k| k.region().map(str::to_owned));
    verify_with(&sealed_runtime::kms::client(region.as_deref()).await, key).await
}

/// As [`verify`], with `client` (already in the key's region).
pub async fn verify_with(client: &aws_sdk_kms::Client, key: &str) -> Verdict {
    use aws_sdk_kms::error::ProvideErrorMetadata as _;
    let answer = client
        .get_key_policy()
        .key_id(key)
        .policy_name("default")
        .send()
        .await;
    let text = match answer {
        Ok(output) => output.policy.unwrap_or_default(),
        Err(error) => {
            let code = error.code().unwrap_or("no answer").to_owned();
            let why = if code.contains("AccessDenied") {
                "the caller may not `kms:GetKeyPolicy` on it (allow it to the identity that runs the check)".to_owned()
            } else if code == "NotFoundException" {
                "KMS does not know it from this account: `GetKeyPolicy` works only in the key's own account; run the check there".to_owned()
            } else {
                format!("GetKeyPolicy failed ({code})")
            };
            return Verdict::NotVerified(why);
        }
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(policy) => match lacks(&policy, key) {
            reasons if reasons.is_empty() => Verdict::Holds,
            reasons => Verdict::Lacks(reasons),
        },
        Err(error) => Verdict::NotVerified(format!("its key policy is not JSON ({error})")),
    }
}

/// For the gates (`check --kms`, `stage check --kms`): the key policy of each of `keys`, read
/// and held to [`statements`]; one line per key, and the number that fail. A policy that cannot
/// be read is said, not failed.
pub async fn report(mut keys: Vec<&str>) -> usize {
    keys.sort_unstable();
    keys.dedup();
    let mut failed = 0;
    for key in keys {
        match verify(key).await {
            Verdict::Holds => println!(
                "key policy of {key}  {GOOD}ok{GOOD:#} (denies wrapping a known private key into a bundle's context)"
            ),
            Verdict::Lacks(reasons) => {
                failed += 1;
                println!("key policy of {key}  {BAD}fails{BAD:#}");
                for reason in reasons {
                    println!("    {reason}");
                }
                for line in fix(key).lines() {
                    println!("    {line}");
                }
            }
            Verdict::NotVerified(why) => println!("key policy of {key}  not verified: {why}"),
        }
    }
    failed
}

/// The next step for a key whose policy lacks the deny: the statements, and the command that
/// merges them into the key's policy.
pub fn fix(key: &str) -> String {
    let shown = serde_json::to_string_pretty(&statements(true)).unwrap_or_default();
    format!(
        "add these statements to the key's policy (on a key that holds only bundles, `--dedicated` drops the condition):\n\
         aws kms get-key-policy --key-id {key} --policy-name default --query Policy --output text > policy.json\n\
         cargo sealed policy --key-policy --key {key} --merge policy.json > merged.json\n\
         aws kms put-key-policy --key-id {key} --policy-name default --policy file://merged.json\n\
         {shown}"
    )
}

/// For a writer that just made a key pair under `key` (`bundle new`, `stage new`, `add-key`): a
/// warning when the key's policy lacks the deny or cannot be read. The pair is made either way:
/// the gates (`check --kms`, `stage check --kms`) fail until the policy holds.
pub async fn warn_unless_held(client: &aws_sdk_kms::Client, key: &str) {
    match verify_with(client, key).await {
        Verdict::Holds => {}
        Verdict::Lacks(reasons) => warning(&format!(
            "the key policy of `{key}` lets someone with kms:Encrypt plant a key pair they know in a bundle: {}; `check --kms` and `stage check --kms` fail until it denies that\n{}",
            reasons.join("; "),
            fix(key)
        )),
        Verdict::NotVerified(why) => warning(&format!(
            "the key policy of `{key}` was not verified: {why}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    /// An edit that weakens the statements `policy` prints.
    type Weaken = fn(&mut Vec<Value>);

    #[allow(clippy::needless_pass_by_value)] // reads best at the call sites
    fn with(statements: Vec<Value>) -> Value {
        json!({ "Version": "2012-10-17", "Statement": statements })
    }

    #[test]
    fn what_policy_prints_holds_in_either_form() {
        assert_eq!(lacks(&with(statements(true)), KEY), Vec::<String>::new());
        assert_eq!(lacks(&with(statements(false)), KEY), Vec::<String>::new());
    }

    #[test]
    fn the_test_keys_policy_holds() {
        // what the tests' keys carry: a user's policy with the statements pasted in
        let policy: Value = serde_json::from_str(sealed_test_support::BUNDLE_KEY_POLICY).unwrap();
        assert_eq!(lacks(&policy, KEY), Vec::<String>::new());
    }

    #[test]
    fn a_missing_or_weakened_deny_is_named() {
        let default = json!({ "Version": "2012-10-17", "Statement": [{
            "Sid": "Enable IAM User Permissions", "Effect": "Allow",
            "Principal": { "AWS": "arn:aws:iam::123456789012:root" }, "Action": "kms:*", "Resource": "*"
        }]});
        let reasons = lacks(&default, KEY);
        assert_eq!(reasons.len(), 2, "{reasons:?}");
        assert!(
            reasons[0].contains("kms:Encrypt, kms:GenerateDataKey,"),
            "{reasons:?}"
        );

        let cases: [(&str, Weaken); 5] = [
            ("kms:ReEncryptFrom", |s| {
                s[0]["Action"] = json!(KNOWN_PLAINTEXT_ACTIONS[..5]);
            }),
            ("its principal is not everyone", |s| {
                s[0]["Principal"] = json!({ "AWS": "arn:aws:iam::123456789012:role/ci" });
            }),
            ("its condition is not the one", |s| {
                s[0]["Condition"] =
                    json!({ "StringEquals": { "kms:EncryptionContext:sealed:bundle": "00" } });
            }),
            ("NotAction", |s| {
                s[0]["NotAction"] = json!("kms:Decrypt");
            }),
            ("key pairs other than P-256", |s| {
                s.pop();
            }),
        ];
        for (expected, weaken) in cases {
            let mut s = statements(true);
            weaken(&mut s);
            let reasons = lacks(&with(s), KEY);
            assert!(
                reasons.iter().any(|r| r.contains(expected)),
                "{expected}: {reasons:?}"
            );
        }
        // a condition written as a list, a broader one, and an empty one on the dedicated deny
        let mut listed = statements(true);
        listed[0]["Condition"] = json!({ "ForAnyValue:StringLike": { "kms:EncryptionContextKeys": ["sealed:*", "app:*"] } });
        listed[1]["Condition"] =
            json!({ "StringNotEquals": { "kms:DataKeyPairSpec": ["ECC_NIST_P256"] } });
        assert_eq!(lacks(&with(listed), KEY), Vec::<String>::new());
        let mut empty = statements(false);
        empty[0]["Condition"] = json!({});
        assert_eq!(lacks(&with(empty), KEY), Vec::<String>::new());
        // a spec deny that lets another spec through is weaker
        let mut wider = statements(true);
        wider[1]["Condition"] =
            json!({ "StringNotEquals": { "kms:DataKeyPairSpec": ["ECC_NIST_P256", "RSA_2048"] } });
        assert!(lacks(&with(wider), KEY)[0].contains("its condition is not the one"));
        // a deny split in two, or written with a wildcard, still counts
        let mut split = statements(false);
        let mut second = split[0].clone();
        split[0]["Action"] = json!(KNOWN_PLAINTEXT_ACTIONS[..3]);
        second["Sid"] = json!("More");
        second["Action"] = json!(["kms:GenerateDataKeyPair", "kms:ReEncrypt*"]);
        split.push(second);
        assert_eq!(lacks(&with(split), KEY), Vec::<String>::new());
    }

    #[test]
    fn merging_replaces_by_sid_and_keeps_the_rest() {
        let document = json!({ "Version": "2012-10-17", "Id": "key-default-1", "Statement": {
            "Sid": "Enable IAM User Permissions", "Effect": "Allow", "Action": "kms:*"
        }});
        let once = merge(document, statements(true)).unwrap();
        let twice = merge(once.clone(), statements(true)).unwrap();
        assert_eq!(once, twice);
        assert_eq!(once["Id"], "key-default-1");
        assert_eq!(once["Statement"].as_array().unwrap().len(), 3);
        assert_eq!(lacks(&once, KEY), Vec::<String>::new());
        assert!(merge(json!([]), statements(true)).is_err());
    }
}
