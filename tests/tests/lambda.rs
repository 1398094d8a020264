//! The original use case end to end, as `scripts/demo` runs it: the moto KMS emulator, a key and
//! `alias/lambda`, `hello, world!` sealed with `cargo sealed encrypt`, examples/lambda-hello under
//! the Lambda runtime emulator (`cargo lambda watch`), one invocation; and the access-denied path
//! under moto's IAM enforcement; and one artifact for every stage (`scripts/demo --stages`:
//! examples/lambda-stages built once, started as dev and as prod against two accounts' KMS).
//! Also validates the example's SAM template with cfn-lint.

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

/// The section of `scripts/demo --stages`'s output under the step that starts with `title`: up
/// to the next step, cargo-lambda's `│` folding undone, as one line.
fn section(stdout: &str, title: &str) -> String {
    let start = stdout
        .find(&format!("==> {title}"))
        .unwrap_or_else(|| panic!("no step `{title}`:\n{stdout}"));
    let body = &stdout[start..];
    let body = body[1..].find("\n==> ").map_or(body, |end| &body[..=end]);
    body.replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// One artifact for every stage (issue 21): examples/lambda-stages built once, then the same
/// bootstrap started as dev and as prod, each a process of its own against its own account's
/// KMS (one local server per account), under the Lambda runtime emulator.
#[test]
fn the_same_bootstrap_answers_as_each_stage_and_fails_closed_without_one() {
    // one demo at a time: they share the venv (cargo-lambda's first install) and 2 cores
    let stdout = demo(&["--stages"]);
    // built once, and nothing rebuilt it between the runs: the same bytes before the first and
    // after the last
    let digest = |step: &str| {
        let line = section(&stdout, step);
        line.split_whitespace()
            .find(|w| w.len() == 64 && w.bytes().all(|b| b.is_ascii_hexdigit()))
            .unwrap_or_else(|| panic!("no sha256 in `{line}`"))
            .to_owned()
    };
    let built = digest("the one artifact");
    println!("examples/lambda-stages bootstrap: sha256 {built}");
    assert_eq!(digest("the artifact after every run"), built, "{stdout}");
    // the matrix as CI reads it (a gap would have stopped the demo: it exits 1)
    let matrix = section(&stdout, "cargo sealed stage matrix");
    assert!(
        matrix.ends_with("name dev prod debug_token present excluded greeting present present"),
        "{matrix}"
    );
    // each stage its own value, through its own key in its own account
    assert_eq!(
        section(&stdout, "as dev (dev's account"),
        "==> as dev (dev's account, SEALED_STAGE=dev) \"hello from dev\""
    );
    assert_eq!(
        section(&stdout, "as prod (prod's account"),
        "==> as prod (prod's account, SEALED_STAGE=prod) \"hello from prod\""
    );
    assert!(section(&stdout, "as dev, the dev-only value").ends_with("\"dev-debug-token\""));
    // fail closed: never a default stage, never another stage's value
    let excluded = section(&stdout, "as prod, the dev-only value");
    assert!(
        excluded.contains("Error: sealed.StageExcluded"),
        "{excluded}"
    );
    assert!(!excluded.contains("dev-debug-token"), "{excluded}");
    let unset = section(&stdout, "no stage selected");
    assert!(unset.contains("Error: sealed.StageNotSelected"), "{unset}");
    assert!(
        unset.contains(
            "`SEALED_STAGE` is not set, so no stage is selected (this binary holds `dev`, `prod`"
        ),
        "{unset}"
    );
    assert!(
        unset.contains("`cargo lambda deploy --env-var SEALED_STAGE=prod`"),
        "{unset}"
    );
    let unknown = section(&stdout, "an unknown stage");
    assert!(unknown.contains("Error: sealed.UnknownStage"), "{unknown}");
    assert!(unknown.contains("did you mean `prod`?"), "{unknown}");
    // dev's account cannot use prod's key: KMS refuses, whatever SEALED_STAGE says
    let crossed = section(&stdout, "dev's account started as prod");
    assert!(crossed.contains("Error: sealed.KeyNotFound"), "{crossed}");
    assert!(crossed.contains(":222222222222:key/"), "{crossed}");
    assert!(!crossed.contains("hello from"), "{crossed}");
}
