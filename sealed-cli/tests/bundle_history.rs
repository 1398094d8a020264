//! `cargo sealed check --since REV` in a git repository, as a CI job runs it against the base
//! branch: the edits `bundle set` and `rm` make pass; a line rolled back from history, a line
//! edited by hand and a swapped public key fail (the last through the code's readers), naming the bundle and what changed. Writing
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

/// `cargo sealed ARGS` in `dir` with `stdin`: what it did.
fn run(dir: &Path, args: &[&str], stdin: &str) -> std::process::Output {
    Command::cargo_bin("cargo-sealed")
        .unwrap()
        .arg("sealed")
        .args(args)
        .env("NO_COLOR", "1")
        .env("SEALED_KNOWN_BUNDLES", dir.join(".known-bundles"))
        .current_dir(dir)
        .write_stdin(stdin)
        .output()
        .unwrap()
}

/// `cargo sealed ARGS` in `dir`: (success, stdout).
fn sealed(dir: &Path, args: &[&str], stdin: &str) -> (bool, String) {
    let output = run(dir, args, stdin);
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
    )
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
        "static DB: Sealed = sealed!(bundle = \"secrets/app.bundle\", name = \"db_password\", key = \"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\", readers = [\"key arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab _AHzKh-i-Adv2mWviT2leifB0O5hblYSh2Pu3mgFKUA\"]);\n",
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
            "secrets/app.bundle  since {first}  ok\n    generation 2 → 3, 1 value(s)\n"
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
        "`db_password`: its sealing to the bundle's key changed but kept generation 3: edited by hand",
    );
    // another public key under the same id
    let other = std::fs::read_to_string(fixtures.join("emulator.bundle")).unwrap();
    let public = |text: &str| {
        text.lines()
            .find(|l| l.starts_with("public-key "))
            .unwrap()
            .to_owned()
    };
    // another public key under the same id: the code's readers refuse it before any history is
    // read (a key pair someone wrapped under the key, or a swapped line)
    std::fs::write(&file, now.replace(&public(&now), &public(&other))).unwrap();
    let (passed, out) = sealed(dir, &["check", "--since", &second], "");
    assert!(!passed, "{out}");
    assert!(
        out.contains("another key pair under a pinned key: key arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
        "{out}"
    );
    // a revision the file does not exist at: new, nothing to compare
    std::fs::write(&file, &now).unwrap();
    git(dir, &["mv", "secrets/app.bundle", "secrets/moved.bundle"]);
    std::fs::write(
        dir.join("src/main.rs"),
        "static DB: Sealed = sealed!(bundle = \"secrets/moved.bundle\", name = \"db_password\", key = \"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\", readers = [\"key arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab _AHzKh-i-Adv2mWviT2leifB0O5hblYSh2Pu3mgFKUA\"]);\n",
    )
    .unwrap();
    let (passed, out) = sealed(dir, &["check", "--since", &second], "");
    assert!(passed, "{out}");
    assert!(
        out.contains(&format!("secrets/moved.bundle  since {second}  ok\n    new since {second}, 1 value(s)\n    new reader: key arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab (account 111122223333, public key _AHzKh-i-Adv2mWviT2leifB0O5hblYSh2Pu3mgFKUA)\n      pinned at ")),
        "{out}"
    );
    // the pin at `second` named the bundle under its old path: this one is the range's
    assert!(out.contains("src/main.rs:1, by this range"), "{out}");
}

/// `cargo sealed ARGS` in `dir` with `stdin`: (success, stderr).
fn sealed_said(dir: &Path, args: &[&str], stdin: &str) -> (bool, String) {
    let output = run(dir, args, stdin);
    (
        output.status.success(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// H2 as a writer meets it: a pull request plants a key pair in the bundle (the same key, another
/// public key). `bundle set` refuses to seal to it while the code pins the bundle's readers, and,
/// once the pull request changes those pins too, while the default branch's version of the file
/// does not have the reader; `--new-readers` is the writer's own acknowledgement. Before the
/// guard, `set` sealed to the planted key (its known-keys record was empty on a fresh machine).
#[test]
fn a_writer_refuses_readers_the_code_or_the_default_branch_does_not_have() {
    const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("app");
    std::fs::create_dir(&dir).unwrap();
    let dir = dir.as_path();
    let main = |fingerprint: &str| {
        format!("static DB: Sealed = sealed!(bundle = \"secrets/app.bundle\", name = \"db_password\", key = \"{KEY}\", readers = [\"key {KEY} {fingerprint}\"]);\n")
    };
    let file = crate_with_bundle(dir, &main("_AHzKh-i-Adv2mWviT2leifB0O5hblYSh2Pu3mgFKUA"));
    git(dir, &["init", "-q", "-b", "main"]);
    commit(dir, "the bundle, reviewed");
    // the default branch as a clone sees it: origin/HEAD → origin/main
    let origin = work.path().join("origin.git");
    git(
        work.path(),
        &["clone", "-q", "--bare", "app", origin.to_str().unwrap()],
    );
    git(dir, &["remote", "add", "origin", origin.to_str().unwrap()]);
    git(dir, &["fetch", "-q", "origin"]);
    git(dir, &["remote", "set-head", "origin", "main"]);
    // an honest write: the readers are the code's and the default branch's
    let (passed, said) = sealed_said(
        dir,
        &["bundle", "set", "secrets/app.bundle", "api_token"],
        "t",
    );
    assert!(passed, "{said}");

    // the plant: another public key under the same key and id
    let text = std::fs::read_to_string(&file).unwrap();
    let public = |text: &str| {
        text.lines()
            .find(|l| l.starts_with("public-key "))
            .unwrap()
            .to_owned()
    };
    let other =
        std::fs::read_to_string(root().join("tests/tests/fixtures/emulator.bundle")).unwrap();
    std::fs::write(&file, text.replace(&public(&text), &public(&other))).unwrap();
    let planted = sealed_format::Readers::of_bundle(
        &sealed_format::Bundle::parse(&std::fs::read_to_string(&file).unwrap()).unwrap(),
    );
    let set = |extra: &[&str]| {
        let mut args = vec!["bundle", "set", "secrets/app.bundle", "db_password"];
        args.extend_from_slice(extra);
        sealed_said(dir, &args, "new password")
    };
    let (passed, said) = set(&[]);
    assert!(!passed, "{said}");
    assert!(
        said.contains("the code at ") && said.contains("src/main.rs:1 pins other readers of `secrets/app.bundle` than it has; nothing was sealed"),
        "{said}"
    );
    assert!(
        said.contains("another key pair under a pinned key"),
        "{said}"
    );

    // the pull request changes the code's pins as well: the default branch still says no
    let fingerprint = planted.readers[0].fingerprint();
    std::fs::write(dir.join("src/main.rs"), main(&fingerprint)).unwrap();
    let (passed, said) = set(&[]);
    assert!(!passed, "{said}");
    assert!(
        said.contains("`secrets/app.bundle` has readers that `origin/main`'s version of it does not have; nothing was sealed"),
        "{said}"
    );
    assert!(
        said.contains(&format!("public key {fingerprint}")),
        "{said}"
    );
    assert!(said.contains("pass --new-readers"), "{said}");
    // this machine sealed to the original key before: its record asks for its own acknowledgement
    let (passed, said) = set(&["--new-readers", "--trust-new-key"]);
    assert!(passed, "{said}");
    assert!(said.contains("(--new-readers)"), "{said}");
}

/// The readers of `tests/fixtures/recipients/app.stages`, as code pins them.
const PINS_BEFORE: [&str; 3] = [
    "dev key arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab _AHzKh-i-Adv2mWviT2leifB0O5hblYSh2Pu3mgFKUA",
    "prod key arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab _AHzKh-i-Adv2mWviT2leifB0O5hblYSh2Pu3mgFKUA",
    "prod failover arn:aws:kms:eu-west-1:444455556666:key/abcd1234-12ab-34cd-56ef-1234567890ab 8r3FYyC5B5VQlKqTjNAZbRvRydYci-G2DJ3xB3wmGyo",
];

/// The break-glass reader the H1 pull request adds.
const BREAK_GLASS: &str = "prod break-glass arn:aws:kms:us-west-2:999988887777:key/0bad0bad-12ab-34cd-56ef-1234567890ab rm2jsjCt01AmBpd1F9H4_S-dppf-dAcazBwiTH8QOyc";

/// A crate whose `sealed!(stages = …)` pins `pins`.
fn staged_main(pins: &[&str]) -> String {
    format!(
        "static DB: Sealed = sealed!(stages = \"secrets/app.stages\", name = \"db_password\", readers = {pins:?});\n"
    )
}

/// H1 in CI: a pull request adds a break-glass reader to prod's set and bundle, touching data
/// files only. `check --since` names the reader (kind, key, account, public key) and fails, as
/// no code pins it; the same range changing the pins passes, and says where the pin is to
/// review. Without the revision (unknown, or a shallow clone) it fails and says so. Before, the
/// stage set was never read: `check --since` passed.
#[test]
#[allow(clippy::too_many_lines)] // one pull request's life, in order
fn check_since_names_a_new_reader_and_passes_only_with_the_pin_that_allows_it() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    crate_with_bundle(dir, &staged_main(&PINS_BEFORE));
    std::fs::remove_file(dir.join("secrets/app.bundle")).unwrap();
    let fixtures = root().join("tests/tests/fixtures");
    for (from, to) in [
        ("recipients/app.stages", "app.stages"),
        ("recipients/app.dev.bundle", "app.dev.bundle"),
        ("recipients/app.prod.bundle", "app.prod.bundle"),
    ] {
        std::fs::copy(fixtures.join(from), dir.join("secrets").join(to)).unwrap();
    }
    git(dir, &["init", "-q"]);
    let base = commit(dir, "a stage set, reviewed");
    let (passed, out) = sealed(dir, &["check", "--since", &base], "");
    assert!(passed, "{out}");
    assert!(
        out.contains(&format!(
            "secrets/app.stages  since {base}  ok\n    3 reader(s), 0 new\n"
        )),
        "{out}"
    );

    // the pull request: a break-glass reader in the set and in prod's bundle, no code
    std::fs::copy(
        fixtures.join("readers/break-glass.stages"),
        dir.join("secrets/app.stages"),
    )
    .unwrap();
    std::fs::copy(
        fixtures.join("readers/app.prod.bundle"),
        dir.join("secrets/app.prod.bundle"),
    )
    .unwrap();
    commit(dir, "data only");
    let (passed, out) = sealed(dir, &["check", "--since", &base], "");
    assert!(!passed, "{out}");
    assert!(
        out.contains(&format!("secrets/app.stages  since {base}  fails\n    4 reader(s), 1 new\n    new reader: stage prod: break-glass arn:aws:kms:us-west-2:999988887777:key/0bad0bad-12ab-34cd-56ef-1234567890ab (account 999988887777, public key rm2jsjCt01AmBpd1F9H4_S-dppf-dAcazBwiTH8QOyc)\n      no code under the file's crate pins it")),
        "{out}"
    );

    // the pre-deploy gate compares the set with the code too
    let (passed, out) = sealed(dir, &["stage", "check", "secrets/app.stages"], "");
    assert!(!passed, "{out}");
    assert!(
        out.contains("readers of secrets/app.stages  fails")
            && out.contains("new reader, not pinned: stage prod: break-glass"),
        "{out}"
    );

    // an operator who rotates prod (or adds a key) on that tree is refused before any KMS
    // call: every value would be sealed again to the new reader
    for args in [
        &["stage", "rotate", "secrets/app.stages", "prod"][..],
        &[
            "stage",
            "add-key",
            "secrets/app.stages",
            "prod",
            "--key",
            "arn:aws:kms:us-east-1:111122223333:key/00000000-12ab-34cd-56ef-1234567890ab",
            "--break-glass",
        ][..],
    ] {
        let output = run(dir, args, "");
        assert!(!output.status.success());
        let said = String::from_utf8(output.stderr).unwrap();
        assert!(
            said.contains("src/main.rs:1 pins other readers of `secrets/app.stages` than it has")
                && said.contains("new reader, not pinned: stage prod: break-glass arn:aws:kms:us-west-2:999988887777"),
            "{args:?}: {said}"
        );
    }

    // the same range changing the pins: the reader is named, with the pin to review
    let mut pins = PINS_BEFORE.to_vec();
    pins.push(BREAK_GLASS);
    std::fs::write(dir.join("src/main.rs"), staged_main(&pins)).unwrap();
    commit(dir, "and its pin");
    let (passed, out) = sealed(dir, &["check", "--since", &base], "");
    assert!(passed, "{out}");
    assert!(out.contains("new reader: stage prod: break-glass arn:aws:kms:us-west-2:999988887777:key/0bad0bad-12ab-34cd-56ef-1234567890ab (account 999988887777"), "{out}");
    assert!(
        out.contains("src/main.rs:1, by this range: review the pin there"),
        "{out}"
    );

    // nothing to compare with: said, and failed
    let output = run(dir, &["check", "--since", "no-such-branch"], "");
    assert!(!output.status.success());
    let said = String::from_utf8(output.stderr).unwrap();
    assert!(
        said.contains("git knows no revision `no-such-branch` here: nothing to compare with"),
        "{said}"
    );
    let shallow = tempfile::tempdir().unwrap();
    git(
        shallow.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            &format!("file://{}", dir.display()),
            "app",
        ],
    );
    let output = run(
        &shallow.path().join("app"),
        &["check", "--since", &base],
        "",
    );
    assert!(!output.status.success());
    let said = String::from_utf8(output.stderr).unwrap();
    assert!(
        said.contains(&format!(
            "this is a shallow clone and it does not have `{base}`"
        )),
        "{said}"
    );
}

/// From the second review of issue 34: a pull request that hides the code from `check` (a
/// `.ignore` or `.gitignore` of its own, which cargo does not read) still has every `sealed!`
/// checked; one that gives a new bundle the header of another (whose readers would then read
/// its values) fails `check --since`, and the pin it adds counts as added by the range although
/// the same text pinned the other bundle before.
#[test]
fn a_pull_request_can_neither_hide_code_from_check_nor_copy_a_key_pair() {
    const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const PIN: &str = "key arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab _AHzKh-i-Adv2mWviT2leifB0O5hblYSh2Pu3mgFKUA";
    let value = |file: &str, name: &str| {
        format!("static {name}: Sealed = sealed!(bundle = \"secrets/{file}\", name = \"db_password\", key = \"{KEY}\", readers = [\"{PIN}\"]);\n")
    };
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    crate_with_bundle(dir, &value("app.bundle", "DB"));
    git(dir, &["init", "-q"]);
    let base = commit(dir, "a bundle");

    // the code hidden from the scan by ignore files: still found, as git tracks it
    std::fs::write(dir.join("src/.ignore"), "*.rs\n").unwrap();
    std::fs::write(dir.join(".gitignore"), "*.rs\n").unwrap();
    commit(dir, "hide the code");
    let output = run(dir, &["check"], "");
    let said = String::from_utf8(output.stderr).unwrap();
    assert!(said.contains("1 sealed value found, 0 failed"), "{said}");
    // and when git cannot answer inside a work tree, the scan fails rather than trust the
    // ignore files
    let output = Command::cargo_bin("cargo-sealed")
        .unwrap()
        .args(["sealed", "check"])
        .env("GIT_DIR", dir.join("no-such-git-dir"))
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let said = String::from_utf8(output.stderr).unwrap();
    assert!(
        said.contains("is in a git work tree, and `git ls-files` failed"),
        "{said}"
    );
    // a data file the range adds that no code names is not compared, so it fails
    std::fs::copy(
        dir.join("secrets/app.bundle"),
        dir.join("secrets/unnamed.bundle"),
    )
    .unwrap();
    commit(dir, "a bundle nothing names");
    let (passed, out) = sealed(dir, &["check", "--since", &base], "");
    assert!(!passed, "{out}");
    assert!(
        out.contains("unnamed.bundle  since ")
            && out.contains("no `sealed!` under the paths names it: not compared"),
        "{out}"
    );
    std::fs::remove_file(dir.join("secrets/unnamed.bundle")).unwrap();

    // a second bundle with the first one's header (and so its readers)
    std::fs::copy(
        dir.join("secrets/app.bundle"),
        dir.join("secrets/other.bundle"),
    )
    .unwrap();
    let main = format!(
        "{}{}",
        value("app.bundle", "DB"),
        value("other.bundle", "OTHER")
    );
    std::fs::write(dir.join("src/main.rs"), main).unwrap();
    commit(dir, "another bundle");
    let (passed, out) = sealed(dir, &["check", "--since", &base], "");
    assert!(!passed, "{out}");
    assert!(
        out.contains("secrets/other.bundle  since ")
            && out.contains("its id or key pair is also `")
            && out.contains("app.bundle`'s: a header copied from another bundle"),
        "{out}"
    );
    assert!(
        out.contains("src/main.rs:2, by this range: review the pin there"),
        "{out}"
    );
}
