//! `cargo sealed inspect` gives the macro's verdict on every sample (no KMS involved).

use assert_cmd::Command;
use sealed_format::{inspect, Options};

fn cli() -> Command {
    let mut command = Command::cargo_bin("cargo-sealed").unwrap();
    command.arg("sealed").env("NO_COLOR", "1");
    command
}

#[test]
fn every_sample_gets_the_macros_verdict() {
    let table = include_str!("../../sealed-format/tests/fixtures/kms-ciphertexts.tsv");
    let mut rows = 0;
    for line in table.lines().skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        let (id, text, expected, family) = (fields[0], fields[1], fields[2], fields[3]);
        let output = cli().args(["inspect", "--json", text]).output().unwrap();
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        // what sealed! says, through the same library the macro uses (the UI tests pin the macro)
        let verdict = inspect(text, &Options::default());
        if expected == "valid" {
            assert_eq!(output.status.code(), Some(0), "{id}");
            assert_eq!(json["family"], family, "{id}");
            let plaintext_len: u64 = fields[4].parse().unwrap();
            assert_eq!(json["plaintext_len"], plaintext_len, "{id}");
        } else {
            assert_eq!(output.status.code(), Some(1), "{id}");
            assert_eq!(json["error"], verdict.unwrap_err().to_string(), "{id}");
        }
        rows += 1;
    }
    assert!(rows >= 14);
}

#[test]
fn text_output_and_the_exact_error() {
    cli()
        .args(["inspect", "AQICAHh...base64ciphertext...=="])
        .assert()
        .code(1)
        .stderr(
            "error: ciphertext is elided: `...` at offset 7; a real KMS ciphertext is whole base64\n  = help: this is an elided example, not a ciphertext: encrypt the secret with `cargo sealed encrypt --key <key>` and paste the line it prints\n",
        );
    let sample = "AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=";
    let output = cli().args(["inspect", sample]).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("family:      aws-symmetric-v2"), "{text}");
    assert!(text.contains("plaintext:   12 bytes"), "{text}");
    // from stdin and from a file
    cli()
        .args(["inspect", "-"])
        .write_stdin(sample)
        .assert()
        .success();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("v.kms");
    std::fs::write(&file, format!("{}\n{}\n", &sample[..100], &sample[100..])).unwrap();
    cli()
        .args(["inspect", &format!("@{}", file.display())])
        .assert()
        .success();
}

#[test]
fn usage_errors_exit_2() {
    cli().args(["inspect"]).assert().code(2);
    cli()
        .args(["inspect", "--algorithm", "RSA", "x"])
        .assert()
        .code(2);
    cli().args(["frobnicate"]).assert().code(2);
    cli().args(["encrypt"]).assert().code(2); // --key is required
    cli().args(["--version"]).assert().success();
    let help = cli().args(["--help"]).output().unwrap();
    assert!(String::from_utf8_lossy(&help.stdout).contains("Examples:"));
}

/// `cargo sealed check` walks a tree as git sees it: a file `.gitignore` excludes is not read
/// (its broken `sealed!` does not fail the check), and a symbolic link back to an ancestor
/// directory is skipped with a warning instead of being followed for ever.
#[test]
fn check_respects_gitignore_and_survives_a_symlink_loop() {
    const GOOD: &str = "AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=";
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("src/nested")).unwrap();
    std::fs::create_dir_all(root.join("generated")).unwrap();
    std::fs::write(
        root.join("Cargo.toml"),
        "[package]\nname = \"walk\"\nversion = \"0.1.0\"\n",
    )
    .unwrap();
    std::fs::write(
        root.join("src/main.rs"),
        format!("static A: Sealed = sealed!(\"{GOOD}\");\nfn main() {{}}\n"),
    )
    .unwrap();
    std::fs::write(
        root.join("generated/bad.rs"),
        "static B: Sealed = sealed!(\"AQICAHh...==\");\n",
    )
    .unwrap();
    std::fs::write(root.join(".gitignore"), "/generated/\n").unwrap();
    std::os::unix::fs::symlink(root.join("src"), root.join("src/nested/loop")).unwrap();
    let output = cli().arg("check").arg(root).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert_eq!(stdout.matches("  ok").count(), 1, "{stdout}");
    assert!(!stdout.contains("bad.rs"), "{stdout}");
    assert!(
        stderr.contains("warning: skipped") && stderr.contains("loop"),
        "{stderr}"
    );
}

#[test]
fn help_names_the_crate_users_depend_on() {
    let output = Command::cargo_bin("cargo-sealed")
        .unwrap()
        .args(["sealed", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success());
    assert!(help.contains("sealed-runtime"), "{help}");
    assert!(help.contains("bundle"), "{help}");
}

/// A credential variable is never an encryption context (`CloudTrail` logs the context in clear):
/// refused before anything is read or sent, with no KMS, whatever the variable holds.
#[test]
fn a_credential_variable_is_refused_as_context() {
    for var in [
        "AWS_SESSION_TOKEN",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    ] {
        let output = cli()
            .args([
                "encrypt",
                "--key",
                "alias/app",
                "--context-env",
                &format!("token={var}"),
            ])
            .env(var, "not-a-real-credential")
            .env("AWS_ENDPOINT_URL_KMS", "http://127.0.0.1:9")
            .write_stdin("plaintext")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{var}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "`env(\"{var}\")` would send an AWS credential to KMS"
            )),
            "{var}: {stderr}"
        );
        assert!(!stderr.contains("not-a-real-credential"), "{stderr}");
    }
}

/// `sealed:` context keys are `sealed`'s own (a bundle's id on its wrapped key): refused in any
/// letter case by every command that takes a context, before anything is sent, so that no
/// ciphertext made here can stand in for a bundle's key.
#[test]
fn a_reserved_context_key_is_refused() {
    for (command, key) in [
        (["encrypt", "--key", "alias/app"], "sealed:bundle"),
        (["bundle", "new", "--key"], "Sealed:Stage"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("app.bundle");
        let mut args: Vec<String> = command.iter().map(ToString::to_string).collect();
        if command[0] == "bundle" {
            args.push("alias/app".into());
            args.push(file.display().to_string());
        }
        args.extend(["--context".into(), format!("{key}=0f1e")]);
        let output = cli()
            .args(&args)
            .env("AWS_ENDPOINT_URL_KMS", "http://127.0.0.1:9")
            .write_stdin("plaintext")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains(&format!("the encryption-context key `{key}` is reserved")),
            "{args:?}: {stderr}"
        );
        assert!(!file.exists(), "{args:?}");
    }
}
