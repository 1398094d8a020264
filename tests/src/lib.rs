//! Tests of `sealed` that span crates; see `tests/`. This library holds what those tests share:
//! the workspace's root, the project's Python (boto3 against the emulator), the cargo running the
//! tests, and sealing a made-up value with the emulator.

use std::path::PathBuf;
use std::process::Command;

/// The workspace's root directory.
///
/// # Panics
/// When it cannot be resolved (the checkout moved).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("the workspace root exists")
}

/// Runs a Python script with the project's venv (boto3 talks to the emulator through the
/// environment `scripts/dev-kms` exports); its trimmed standard output.
///
/// # Panics
/// When the venv is missing or the script fails: the test cannot go on.
pub fn python(script: &str, args: &[&str]) -> String {
    let output = Command::new(root().join(".venv/bin/python"))
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("the project's venv: run scripts/dev-kms once");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("the script prints text")
        .trim()
        .to_owned()
}

/// The cargo running this test.
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Fails with how to start it when the KMS emulator's environment is not set.
///
/// # Panics
/// When `AWS_ENDPOINT_URL_KMS` is not set.
pub fn require_emulator() {
    assert!(
        std::env::var_os("AWS_ENDPOINT_URL_KMS").is_some(),
        "this test needs the KMS emulator: run `eval \"$(scripts/dev-kms)\"` first (scripts/test does)"
    );
}

/// A value made up for this run (never a real secret): `prefix`, the time and the process.
pub fn canary(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{prefix}-{nanos:x}-{}", std::process::id())
}

/// A value sealed with the emulator under a new key: the key's ARN and the base64 ciphertext.
/// `context` is the encryption context, as `key=value` pairs.
///
/// # Panics
/// When the emulator does not answer: the test cannot go on.
pub fn seal(plaintext: &str, context: &[(&str, &str)]) -> (String, String) {
    let context = context
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    let sealed = python(
        "import base64, sys, boto3\n\
         kms = boto3.client('kms')\n\
         key = kms.create_key()['KeyMetadata']['Arn']\n\
         context = dict(p.split('=', 1) for p in sys.argv[2].split(',') if p)\n\
         blob = kms.encrypt(KeyId=key, Plaintext=sys.argv[1].encode(), EncryptionContext=context)['CiphertextBlob']\n\
         print(key, base64.b64encode(blob).decode())",
        &[plaintext, &context],
    );
    let (key, ciphertext) = sealed.split_once(' ').expect("key and ciphertext");
    (key.to_owned(), ciphertext.to_owned())
}
