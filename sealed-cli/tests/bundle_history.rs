//! `cargo sealed check --since REV` in a git repository, as a CI job runs it against the base
//! branch: the edits `bundle set` and `rm` make pass; a line rolled back from history, a line
//! edited by hand and a swapped public key fail, naming the bundle and what changed. Writing
//! needs no KMS, so neither does this test.

use std::path::Path;
use std::process::Command as Process;

use assert_cmd::Command;
use sealed_test_support::{crate_with_bundle, root};

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Process::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "git {args:?}: {output:?}");
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// `cargo sealed ARGS` in `dir`: (success, stdout).
fn sealed(dir: &Path, args: &[&str], stdin: &str) -> (bool, String) {
    let output = Command::cargo_bin("cargo-sealed")
        .unwrap()
        .arg("sealed")
        .args(args)
        .env("NO_COLOR", "1")
        .env("SEALED_KNOWN_BUNDLES", dir.join(".known-bundles"))
        .current_dir(dir)
        .write_stdin(stdin)
        .output()
        .unwrap();
    let out = String::from_utf8(output.stdout).unwrap();
    (output.status.success(), out)
}

fn commit(dir: &Path, message: &str) -> String {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
    git(dir, &["rev-parse", "HEAD"])
}

fn value_line<'a>(text: &'a str, name: &str) -> &'a str {
    text.lines()
        .find(|l| l.starts_with(&format!("value {name} ")))
        .unwrap()
}

#[test]
fn check_since_fails_on_a_rollback_a_hand_edit_and_a_swapped_public_key() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let fixtures = root().join("tests/tests/fixtures");
    let file = crate_with_bundle(
        dir,
        "static DB: Sealed = sealed!(bundle = \"secrets/app.bundle\", name = \"db_password\", key = \"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\");\n",
    );
    git(dir, &["init", "-q"]);
    let first = commit(dir, "a bundle");

    // what the commands do passes
    assert!(
        sealed(
            dir,
            &["bundle", "set", "secrets/app.bundle", "db_password"],
            "new password"
        )
        .0
    );
    assert!(
        sealed(
            dir,
            &["bundle", "rm", "secrets/app.bundle", "api_token"],
            ""
        )
        .0
    );
    let second = commit(dir, "a new password");
    let (passed, out) = sealed(dir, &["check", "--since", &first], "");
    assert!(passed, "{out}");
    assert!(
        out.contains(&format!(
            "secrets/app.bundle  since {first}: generation 2 → 3, 1 value  ok"
        )),
        "{out}"
    );

    let now = std::fs::read_to_string(&file).unwrap();
    let then = std::fs::read_to_string(fixtures.join("app.bundle")).unwrap();
    let fails = |text: String, expected: &str| {
        std::fs::write(&file, text).unwrap();
        let (passed, out) = sealed(dir, &["check", "--since", &second], "");
        assert!(!passed, "{expected}: {out}");
        assert!(
            out.contains(&format!("secrets/app.bundle  since {second}  fails")),
            "{out}"
        );
        assert!(out.contains(expected), "{expected}: {out}");
    };
    // the old password's line, copied back from history
    fails(
        now.replace(
            value_line(&now, "db_password"),
            value_line(&then, "db_password"),
        ),
        "`db_password` went back from generation 3 to 1: a line rolled back from history",
    );
    // a line edited by hand
    let line = value_line(&now, "db_password");
    let edited = format!("{}{}", &line[..line.len() - 8], "AAAAAAA=");
    fails(
        now.replace(line, &edited),
        "`db_password` changed but kept generation 3: edited by hand",
    );
    // another public key under the same id
    let other = std::fs::read_to_string(fixtures.join("emulator.bundle")).unwrap();
    let public = |text: &str| {
        text.lines()
            .find(|l| l.starts_with("public-key "))
            .unwrap()
            .to_owned()
    };
    fails(
        now.replace(&public(&now), &public(&other)),
        "the public key changed but the id did not",
    );
    // a revision the file does not exist at: new, nothing to compare
    std::fs::write(&file, &now).unwrap();
    git(dir, &["mv", "secrets/app.bundle", "secrets/moved.bundle"]);
    std::fs::write(
        dir.join("src/main.rs"),
        "static DB: Sealed = sealed!(bundle = \"secrets/moved.bundle\", name = \"db_password\", key = \"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\");\n",
    )
    .unwrap();
    let (passed, out) = sealed(dir, &["check", "--since", &second], "");
    assert!(passed, "{out}");
    assert!(out.contains(&format!("new since {second}  ok")), "{out}");
}
