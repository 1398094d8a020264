//! A bundle's writer is a principal with no KMS permission at all: against a KMS emulator with
//! IAM enforced from the first call and no user (`scripts/dev-kms --iam 0`, whose endpoint
//! `scripts/test` exports as `SEALED_DENY_KMS_ENDPOINT`), `bundle set` succeeds, and no command
//! that principal can run shows a value back: `ls` and `inspect` show names and lengths, and
//! `rotate`, `check --kms`, `check --kms --open` and `bundle new` are refused.

use std::path::Path;

use assert_cmd::Command;
use sealed_test_support::crate_with_bundle;

const CANARY: &str = "denied-writer-canary-7c1e";
const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
/// The fingerprint of the bundle fixture's key pair (`cargo sealed bundle ls` prints it).
const FINGERPRINT: &str = "_AHzKh-i-Adv2mWviT2leifB0O5hblYSh2Pu3mgFKUA";

/// `cargo sealed ARGS` in `dir` as the writer: (success, stdout and stderr), never the canary.
fn as_writer(dir: &Path, endpoint: &str, args: &[&str], stdin: &str) -> (bool, String) {
    let mut command = Command::cargo_bin("cargo-sealed").unwrap();
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("AWS_") {
            command.env_remove(name);
        }
    }
    let output = command
        .arg("sealed")
        .args(args)
        .env("NO_COLOR", "1")
        .env("AWS_ENDPOINT_URL_KMS", endpoint)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "AKIAWRITERONLY000000")
        .env("AWS_SECRET_ACCESS_KEY", "writer-secret")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        // the bundle's `context-env`, so that every refusal below is KMS's
        .env("AWS_LAMBDA_FUNCTION_NAME", "app")
        .env("HOME", dir.join("no-home"))
        .env("SEALED_KNOWN_BUNDLES", dir.join(".known-bundles"))
        .current_dir(dir)
        .write_stdin(stdin)
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        !said.contains(CANARY),
        "`cargo sealed {}` showed a value: {said}",
        args.join(" ")
    );
    (output.status.success(), said)
}

#[test]
fn a_writer_with_no_kms_permission_sets_a_value_and_reads_none() {
    let endpoint = std::env::var("SEALED_DENY_KMS_ENDPOINT").expect(
        "this test needs a KMS emulator that denies everything: run `SEALED_DEV_KMS_STATE=target/dev-kms-deny scripts/dev-kms --iam 0` and export its endpoint as SEALED_DENY_KMS_ENDPOINT (scripts/test does)",
    );
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    crate_with_bundle(
        dir,
        &format!("static V: Sealed = sealed!(bundle = \"secrets/app.bundle\", name = \"token\", key = \"{KEY}\", readers = [\"key {KEY} {FINGERPRINT}\"]);\n"),
    );
    let file = "secrets/app.bundle";

    // the server refuses this principal everything: the harness can tell
    let (created, said) = as_writer(
        dir,
        &endpoint,
        &["bundle", "new", "secrets/other.bundle", "--key", KEY],
        "",
    );
    assert!(!created, "{said}");

    // writing needs nothing KMS could refuse
    let (set, said) = as_writer(dir, &endpoint, &["bundle", "set", file, "token"], CANARY);
    assert!(set, "{said}");
    assert!(said.contains("(no KMS call)"), "{said}");

    // what it can see: names, generations, lengths
    let (listed, said) = as_writer(dir, &endpoint, &["bundle", "ls", file], "");
    assert!(
        listed && said.contains("token\tgeneration 3\t25 bytes"),
        "{said}"
    );
    let (inspected, said) = as_writer(dir, &endpoint, &["inspect", &format!("@{file}")], "");
    assert!(
        inspected && said.contains("value:       token (generation 3, 25 bytes)"),
        "{said}"
    );

    // what would show a value, or prove one decrypts: refused
    for args in [
        &["bundle", "rotate", file][..],
        &["check", "--kms"][..],
        &["check", "--kms", "--open"][..],
    ] {
        let (passed, said) = as_writer(dir, &endpoint, args, "");
        assert!(!passed, "`cargo sealed {}` passed: {said}", args.join(" "));
        // refused by KMS, which does not know the principal
        assert!(said.contains("InvalidClientTokenId, HTTP 403"), "{said}");
    }
}
