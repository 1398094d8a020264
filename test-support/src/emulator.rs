//! The local KMS: the moto server `scripts/dev-kms` starts (whose environment `scripts/test`
//! exports), a private one with IAM enforced for real access denial, and its IAM set-up.

use std::path::PathBuf;
use std::process::Command;

use crate::workspace::root;

/// Fails with how to start it when the KMS emulator's environment is not set; its endpoint.
///
/// # Panics
/// When `AWS_ENDPOINT_URL_KMS` is not set.
pub fn require_emulator() -> String {
    std::env::var("AWS_ENDPOINT_URL_KMS").expect(
        "this test needs the KMS emulator: run `eval \"$(scripts/dev-kms)\"` first (scripts/test does)",
    )
}

/// A moto server of this test's own with IAM enforced after 3 unauthenticated calls
/// (`scripts/dev-kms --iam 3`), stopped when dropped.
pub struct IamServer {
    state: PathBuf,
    endpoint: String,
}

impl IamServer {
    /// Starts one on a free loopback port, its state under `state` (a temporary directory of
    /// the test's).
    ///
    /// # Panics
    /// When the server does not start: the test cannot go on.
    pub fn start(state: PathBuf) -> Self {
        let output = Command::new(root().join("scripts/dev-kms"))
            .args(["--iam", "3"])
            .env("SEALED_DEV_KMS_STATE", &state)
            .output()
            .expect("scripts/dev-kms runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8(output.stdout).expect("dev-kms prints text");
        let endpoint = stdout
            .lines()
            .find_map(|l| l.strip_prefix("export AWS_ENDPOINT_URL_KMS="))
            .expect("dev-kms prints the endpoint")
            .to_owned();
        IamServer { state, endpoint }
    }

    /// Its `AWS_ENDPOINT_URL_KMS`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }
}

impl Drop for IamServer {
    fn drop(&mut self) {
        let _ = Command::new(root().join("scripts/dev-kms"))
            .arg("stop")
            .env("SEALED_DEV_KMS_STATE", &self.state)
            .output();
    }
}

/// Runs the IAM set-up `test-support/iam.py` with `args` against a server with IAM enforced
/// (`setup ENDPOINT`: an admin, a key, a ciphertext and a user without permission; `grant
/// ENDPOINT ADMIN_ID ADMIN_SECRET`: that user may decrypt); what it prints (JSON). The one
/// Python of the tests: IAM users and policies have no client in this workspace.
///
/// # Panics
/// When the project's venv is missing (`scripts/dev-kms` creates it) or the script fails.
pub fn iam(args: &[&str]) -> String {
    let python = std::env::var_os("SEALED_VENV")
        .map_or_else(|| root().join(".venv"), PathBuf::from)
        .join("bin/python");
    let output = Command::new(&python)
        .arg(root().join("test-support/iam.py"))
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {}: {e}; run scripts/dev-kms once to create the venv",
                python.display()
            )
        });
    assert!(
        output.status.success(),
        "iam.py {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("iam.py prints text")
}
