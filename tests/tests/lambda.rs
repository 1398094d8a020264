//! The original use case end to end, as `scripts/demo` runs it: the moto KMS emulator, a key and
//! `alias/lambda`, `hello, world!` sealed with `cargo sealed encrypt`, examples/lambda-hello under
//! the Lambda runtime emulator (`cargo lambda watch`), one invocation; and the access-denied path
//! under moto's IAM enforcement. Also validates the example's SAM template with cfn-lint.

use std::process::Command;
use std::sync::Mutex;

use sealed_test_support::root;

/// The demos share `target/demo` and the example's `secrets/hello.kms`: one at a time.
static DEMO: Mutex<()> = Mutex::new(());

fn demo(args: &[&str]) -> String {
    let _one = DEMO
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let output = Command::new(root().join("scripts/demo"))
        .args(args)
        .output()
        .expect("scripts/demo runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "scripts/demo {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
fn the_function_answers_with_the_sealed_secret() {
    let stdout = demo(&[]);
    let response = stdout
        .split("==> response\n")
        .nth(1)
        .expect("a response step");
    assert_eq!(
        response.lines().next(),
        Some("\"hello, world!\""),
        "{stdout}"
    );
}

#[test]
fn without_kms_decrypt_the_invocation_names_the_statement_then_succeeds_once_granted() {
    let stdout = demo(&["--deny"]);
    let (denied, granted) = stdout
        .split_once("==> adding the statement")
        .expect("the denied invocation, then the grant");
    // Lambda's `errorType` (what the console, CloudWatch and alarms group by) names what
    // happened, not a Rust type; cargo-lambda prints it after `Error:`, then `errorMessage`
    assert!(
        denied.contains("\nError: sealed.AccessDenied\n"),
        "{stdout}"
    );
    assert!(!denied.contains("alloc::boxed::Box"), "{stdout}");
    // cargo-lambda wraps the error at 80 columns behind `│`: read it as one line
    let denied = denied
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        denied.contains("access denied to kms:Decrypt for the sealed value at"),
        "{stdout}"
    );
    assert!(
        denied.contains("examples/lambda-hello/src/main.rs:"),
        "{stdout}"
    );
    assert!(denied.contains("is not authorized to perform:"), "{stdout}");
    assert!(denied.contains("\"Action\": \"kms:Decrypt\""), "{stdout}");
    assert!(
        denied.contains("aws kms describe-key --key-id alias/lambda"),
        "{stdout}"
    );
    assert!(
        !denied.contains("\"hello, world!\""),
        "no response while denied: {stdout}"
    );
    assert!(
        granted.contains("==> response\n\"hello, world!\""),
        "{stdout}"
    );
}

fn cfn_lint(template: &std::path::Path) -> std::process::Output {
    let lint = root().join(".venv/bin/cfn-lint");
    assert!(
        lint.exists(),
        "cfn-lint is not installed: run scripts/test, or `.venv/bin/pip install cfn-lint==1.58.0`"
    );
    Command::new(lint).arg(template).output().unwrap()
}

#[test]
fn the_sam_template_passes_cfn_lint() {
    let template = root().join("examples/lambda-hello/template.yaml");
    let output = cfn_lint(&template);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    // and the check can fail: a property of the wrong type
    let broken = std::env::temp_dir().join(format!("sealed-template-{}.yaml", std::process::id()));
    let text = std::fs::read_to_string(&template).unwrap();
    std::fs::write(
        &broken,
        text.replace("EnableKeyRotation: true", "EnableKeyRotation: sometimes"),
    )
    .unwrap();
    let output = cfn_lint(&broken);
    let _ = std::fs::remove_file(&broken);
    assert!(
        !output.status.success(),
        "cfn-lint accepted a broken template"
    );
}
