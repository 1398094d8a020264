//! `cargo sealed stage` as a team uses it: a set with dev and prod, each stage's bundle from its
//! own key (moto), values written with no credentials at all, each stage's value opened with its
//! stage bound (a line copied from dev into prod never opens), and `stage matrix` as the CI gate
//! that fails on a gap and passes once it is filled.

use std::path::Path;

use assert_cmd::Command;
use sealed_runtime::{ErrorKind, Sealed};
use sealed_test_support::create_key;
use sealed_test_support::emulator::require_emulator;

fn cli(dir: &Path) -> Command {
    let mut command = Command::cargo_bin("cargo-sealed").unwrap();
    command
        .arg("sealed")
        .env("NO_COLOR", "1")
        .env("SEALED_KNOWN_BUNDLES", dir.with_extension("known-bundles"))
        .current_dir(dir);
    command
}

/// `cargo sealed ARGS` in `dir` with `stdin`: its exit code, stdout and stderr.
fn run(command: &mut Command, args: &[&str], stdin: &str) -> (i32, String, String) {
    let output = command.args(args).write_stdin(stdin).output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The value `name` of `stage`'s bundle, opened as the runtime opens a value of a stage set:
/// the key and id pinned from the set, not taken from the bundle file.
async fn open(dir: &Path, stage: &str, name: &str) -> Result<Vec<u8>, ErrorKind> {
    let text = std::fs::read_to_string(dir.join(format!("secrets/app.{stage}.bundle"))).unwrap();
    let set = stage_set(dir);
    let pins = set.stage(stage).unwrap();
    let value = Sealed::from_bundle(text, name)
        .expect_key(pins.key.clone())
        .expect_id(hex::encode(pins.id))
        .allow_emulator(true)
        .build()
        .unwrap();
    let value: &'static Sealed = Box::leak(Box::new(value));
    match value.get().await {
        Ok(secret) => Ok(secret.expose().to_vec()),
        Err(error) => Err(error.kind().clone()),
    }
}

const MAIN: &str = r#"static DB: sealed_runtime::Sealed = sealed_runtime::sealed!(stages = "secrets/app.stages", name = "db_password");
static DEBUG: sealed_runtime::Sealed = sealed_runtime::sealed!(stages = "secrets/app.stages", name = "debug_token", only = ["dev"]);
fn main() {}
"#;

/// `stage set` printed the `sealed!` line with the set's readers, and each key of `stage` it
/// sealed to.
fn said_its_readers(dir: &Path, stage: &str, name: &str, out: &str, err: &str) {
    let set = sealed_format::StageSet::parse(
        &std::fs::read_to_string(dir.join("secrets/app.stages")).unwrap(),
    )
    .unwrap();
    let readers = sealed_format::Readers::of_stage_set(&set);
    assert_eq!(
        out.trim(),
        format!(
            "sealed!(stages = \"secrets/app.stages\", name = \"{name}\", readers = {})",
            readers.inline()
        )
    );
    // every write names every reader of the stage it sealed to
    assert!(
        err.contains(&format!(
            "sealed to 1 reader(s):\n  stage {stage}: key {}",
            set.stages[0].key
        )),
        "{err}"
    );
}

#[tokio::test]
async fn a_team_writes_each_stage_without_credentials_and_matrix_gates_the_gaps() {
    require_emulator();
    let kms = aws_sdk_kms::Client::from_conf(sealed_runtime::kms::default_config().await);
    let (dev_key, prod_key) = (create_key(&kms).await, create_key(&kms).await);
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    std::fs::write(dir.join("Cargo.toml"), "[package]\nname = \"app\"\n").unwrap();
    std::fs::create_dir(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/main.rs"), MAIN).unwrap();

    let (code, _, err) = run(&mut cli(dir), &["stage", "init", "secrets/app.stages"], "");
    assert_eq!(code, 0, "{err}");
    // the set and the code's pins decide who can read: init offers them an owner
    assert!(
        err.contains("add to `.github/CODEOWNERS`")
            && err.contains("\n  /secrets/app.stages @your-org/secrets-owners\n"),
        "{err}"
    );
    for (stage, key) in [("dev", &dev_key), ("prod", &prod_key)] {
        let args = ["stage", "new", "secrets/app.stages", stage, "--key", key];
        let (code, _, err) = run(&mut cli(dir), &args, "");
        assert_eq!(code, 0, "{err}");
        assert!(
            err.contains(&format!("secrets/app.{stage}.bundle")),
            "{err}"
        );
    }
    let set = std::fs::read_to_string(dir.join("secrets/app.stages")).unwrap();
    assert!(
        set.contains("\nselector SEALED_STAGE\nstage dev app.dev.bundle key="),
        "{set}"
    );

    // writing needs no credentials and no endpoint: every AWS variable removed
    let no_credentials = || {
        let mut command = cli(dir);
        for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("AWS_")) {
            command.env_remove(name);
        }
        command
            .env("AWS_CONFIG_FILE", "/nonexistent")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent");
        command
    };
    let set_value = |stage: &str, name: &str, value: &str| {
        let args = ["stage", "set", "secrets/app.stages", stage, name];
        run(&mut no_credentials(), &args, value)
    };
    for (stage, name, value) in [
        ("dev", "db_password", "dev-password"),
        ("dev", "debug_token", "dev-debug"),
    ] {
        let (code, out, err) = set_value(stage, name, value);
        assert_eq!(code, 0, "{err}");
        assert!(err.contains("(no KMS call)"), "{err}");
        said_its_readers(dir, stage, name, &out, &err);
    }
    let (code, _, err) = set_value("prd", "db_password", "x");
    assert_eq!(code, 1);
    assert!(
        err.contains("has no stage `prd`; its stages: dev, prod; did you mean `prod`?"),
        "{err}"
    );

    // prod lacks db_password: a gap, exit 1
    let matrix =
        |command: &mut Command| run(command, &["stage", "matrix", "secrets/app.stages", "."], "");
    let (code, out, err) = matrix(&mut no_credentials());
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("db_password\tpresent\tABSENT"), "{out}");
    assert!(out.contains("debug_token\tpresent\texcluded"), "{out}");
    assert!(err.contains("1 gap"), "{err}");
    for value in ["first", "prod-password"] {
        let (code, _, err) = set_value("prod", "db_password", value);
        assert_eq!(code, 0, "{err}");
    }
    let (code, out, err) = matrix(&mut no_credentials());
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("db_password\tpresent\tpresent"), "{out}");

    // each stage opens its own value with its own key, the stage bound by KMS and the sealing
    assert_eq!(
        open(dir, "dev", "db_password").await.unwrap(),
        b"dev-password"
    );
    assert_eq!(
        open(dir, "prod", "db_password").await.unwrap(),
        b"prod-password"
    );

    // a line copied from dev into prod (with a generation prod has given, so the file parses):
    // never opened, and no other stage's value is given instead
    let dev = std::fs::read_to_string(dir.join("secrets/app.dev.bundle")).unwrap();
    let prod_path = dir.join("secrets/app.prod.bundle");
    let prod = std::fs::read_to_string(&prod_path).unwrap();
    let line = |text: &str| {
        text.lines()
            .find(|l| l.starts_with("value debug_token "))
            .map(str::to_owned)
    };
    std::fs::write(&prod_path, format!("{prod}{}\n", line(&dev).unwrap())).unwrap();
    assert_eq!(
        open(dir, "prod", "debug_token").await.unwrap_err(),
        ErrorKind::BundleValueRejected
    );
    // and the whole dev file copied over prod's is not prod's bundle
    std::fs::write(&prod_path, &dev).unwrap();
    let (code, _, err) = set_value("prod", "db_password", "x");
    assert_eq!(code, 1);
    assert!(
        err.contains("is the bundle of stage `dev`, not of `prod`"),
        "{err}"
    );
}

/// A scratch crate whose code reads `db_password` and (in dev only) `debug_token` (`MAIN`), with
/// a stage set of dev and prod under two keys of the local KMS, `db_password` in both and
/// `debug_token` in dev.
async fn dev_and_prod() -> tempfile::TempDir {
    require_emulator();
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path();
    let kms = aws_sdk_kms::Client::from_conf(sealed_runtime::kms::default_config().await);
    std::fs::write(dir.join("Cargo.toml"), "[package]\nname = \"app\"\n").unwrap();
    std::fs::create_dir(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/main.rs"), MAIN).unwrap();
    let (code, _, err) = run(&mut cli(dir), &["stage", "init", "secrets/app.stages"], "");
    assert_eq!(code, 0, "{err}");
    for stage in ["dev", "prod"] {
        let key = create_key(&kms).await;
        let args = ["stage", "new", "secrets/app.stages", stage, "--key", &key];
        let (code, _, err) = run(&mut cli(dir), &args, "");
        assert_eq!(code, 0, "{err}");
    }
    for (stage, name, value) in [
        ("dev", "db_password", "dev-password"),
        ("dev", "debug_token", "dev-debug"),
        ("prod", "db_password", "prod-password"),
    ] {
        let args = ["stage", "set", "secrets/app.stages", stage, name];
        let (code, _, err) = run(&mut cli(dir), &args, value);
        assert_eq!(code, 0, "{err}");
    }
    scratch
}

/// The set as written now.
fn stage_set(dir: &Path) -> sealed_format::StageSet {
    sealed_format::StageSet::parse(
        &std::fs::read_to_string(dir.join("secrets/app.stages")).unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn diff_and_check_each_act_on_the_stage_named() {
    let scratch = dev_and_prod().await;
    let dir = scratch.path();
    let set = "secrets/app.stages";

    // diff: names side by side, lengths, never a value; exit 1 when the names differ
    let (code, out, err) = run(&mut cli(dir), &["stage", "diff", set, "dev", "prod"], "");
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.starts_with("name\tdev\tprod\n"), "{out}");
    assert!(
        out.contains("debug_token\tgeneration 2, 9 bytes\tABSENT"),
        "{out}"
    );
    assert!(
        out.contains("db_password\tgeneration 1, 12 bytes\tgeneration 1, 13 bytes"),
        "{out}"
    );
    for plaintext in ["dev-password", "prod-password", "dev-debug"] {
        assert!(
            !out.contains(plaintext) && !err.contains(plaintext),
            "{out}{err}"
        );
    }

    // check: offline, every stage; with --kms, one stage with its credentials
    let (code, out, err) = run(&mut cli(dir), &["stage", "check", set, "--emulator"], "");
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out.matches("  ok (").count(), 2, "{out}");
    let args = ["stage", "check", set, "prod", "--kms", "--emulator"];
    let (code, out, err) = run(&mut cli(dir), &args, "");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("prod  "), "{out}");
    assert!(!out.contains("dev  "), "{out}");
    // moto decrypts despite DryRun: the report says so rather than claim a dry run
    assert!(
        out.contains("1 value; the bundle's private key decrypts: the server ignored DryRun and decrypted; the plaintext was discarded unread"),
        "{out}"
    );
    let args = [
        "stage",
        "check",
        set,
        "dev",
        "--kms",
        "--open",
        "--emulator",
    ];
    let (code, out, err) = run(&mut cli(dir), &args, "");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("2 values; each opens: the private key decrypts and is the pair of the file's public key"), "{out}");
    // credentials that KMS refuses: the gate fails, naming the stage and its line in the set
    let endpoint = std::env::var("SEALED_DENY_KMS_ENDPOINT").expect(
        "this test needs a KMS emulator that denies everything: run `SEALED_DEV_KMS_STATE=target/dev-kms-deny scripts/dev-kms --iam 0` and export its endpoint as SEALED_DENY_KMS_ENDPOINT (scripts/test does)",
    );
    let args = ["stage", "check", set, "prod", "--kms", "--emulator"];
    let (code, out, err) = run(cli(dir).env("AWS_ENDPOINT_URL_KMS", &endpoint), &args, "");
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.starts_with("prod  ") && out.contains("  fails\n"),
        "{out}"
    );
    assert!(out.contains("no usable AWS credentials"), "{out}");
    assert!(
        out.contains("for the sealed value at secrets/app.stages:"),
        "{out}"
    );
}

#[tokio::test]
async fn policy_for_one_stage_grants_its_key_and_stage_only() {
    let scratch = dev_and_prod().await;
    let dir = scratch.path();
    let policy = |stage: &str| {
        let (code, out, err) = run(
            &mut cli(dir),
            &["policy", "--emulator", "--stage", stage, "."],
            "",
        );
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap()
    };
    let prod = stage_set(dir).stage("prod").unwrap().clone();
    let statements = policy("prod")["Statement"].as_array().unwrap().clone();
    assert_eq!(statements.len(), 1, "{statements:?}");
    assert_eq!(statements[0]["Resource"][0], prod.key);
    let equals = &statements[0]["Condition"]["StringEquals"];
    assert_eq!(equals["kms:EncryptionContext:sealed:stage"], "prod");
    assert_eq!(
        equals["kms:EncryptionContext:sealed:bundle"],
        hex::encode(prod.id)
    );
    // dev's role reads two names, both from dev's one bundle: one statement, dev's alone
    let dev = stage_set(dir).stage("dev").unwrap().clone();
    let statements = policy("dev")["Statement"].as_array().unwrap().clone();
    assert_eq!(statements.len(), 1, "{statements:?}");
    assert_eq!(statements[0]["Resource"], serde_json::json!([dev.key]));
    assert_eq!(
        statements[0]["Condition"]["StringEquals"]["kms:EncryptionContext:sealed:stage"],
        "dev"
    );
    // without --stage: one policy per stage, each the one `--stage` prints
    let (code, out, err) = run(&mut cli(dir), &["policy", "--emulator", "."], "");
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("one policy per stage, by name"), "{err}");
    let per_stage: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(per_stage["dev"], policy("dev"));
    assert_eq!(per_stage["prod"], policy("prod"));
    assert_eq!(per_stage.as_object().unwrap().len(), 2);
    let (code, _, err) = run(
        &mut cli(dir),
        &["policy", "--stage", "prd", "--emulator", "."],
        "",
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("the stages found: dev, prod; did you mean `prod`?"),
        "{err}"
    );
}

/// A set with dev and prod (`dev_and_prod`), prod given `api_token`: the directory, prod's pins,
/// and prod's bundle as it is then.
async fn prod_with_a_token() -> (tempfile::TempDir, sealed_format::Stage, String) {
    let scratch = dev_and_prod().await;
    let dir = scratch.path();
    let prod = stage_set(dir).stage("prod").unwrap().clone();
    let args = ["stage", "set", "secrets/app.stages", "prod", "api_token"];
    let (code, _, err) = run(&mut cli(dir), &args, "prod-token");
    assert_eq!(code, 0, "{err}");
    let before = std::fs::read_to_string(dir.join("secrets/app.prod.bundle")).unwrap();
    (scratch, prod, before)
}

#[tokio::test]
async fn a_stages_bundle_is_edited_by_stage_alone_and_stage_rm_removes_a_value() {
    let (scratch, prod, before) = prod_with_a_token().await;
    let dir = scratch.path();
    let set = "secrets/app.stages";
    // one path edits a stage's bundle: `bundle rm` and `bundle new --force` refuse it too
    let args = ["bundle", "rm", "secrets/app.prod.bundle", "api_token"];
    let (code, _, err) = run(&mut cli(dir), &args, "");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("`stage rm SET prod NAME`"), "{err}");
    assert!(err.contains("nothing was removed"), "{err}");
    let key = prod.key.as_str();
    let args = [
        "bundle",
        "new",
        "secrets/app.prod.bundle",
        "--key",
        key,
        "--force",
    ];
    let (code, _, err) = run(&mut cli(dir), &args, "");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("nothing was replaced"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("secrets/app.prod.bundle")).unwrap(),
        before
    );
    // `stage rm` removes a value of one stage, checked against the set; a typo is named
    let args = ["stage", "rm", set, "prod", "api_tokne"];
    let (code, _, err) = run(&mut cli(dir), &args, "");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("did you mean `api_token`?"), "{err}");
    let args = ["stage", "set", set, "prod", "scratch_value"];
    let (code, _, err) = run(&mut cli(dir), &args, "to-remove");
    assert_eq!(code, 0, "{err}");
    let args = ["stage", "rm", set, "prod", "scratch_value"];
    let (code, _, err) = run(&mut cli(dir), &args, "");
    assert_eq!(code, 0, "{err}");
    let after = std::fs::read_to_string(dir.join("secrets/app.prod.bundle")).unwrap();
    let names: Vec<String> = sealed_format::Bundle::parse(&after)
        .unwrap()
        .names()
        .map(str::to_owned)
        .collect();
    assert!(!names.contains(&"scratch_value".to_owned()), "{names:?}");
    assert!(names.contains(&"api_token".to_owned()), "{names:?}");
}

#[tokio::test]
async fn rotate_and_delete_change_their_stage_alone_and_check_finds_a_copied_bundle() {
    let (scratch, prod, before) = prod_with_a_token().await;
    let dir = scratch.path();
    let set = "secrets/app.stages";
    let generation = sealed_format::Bundle::parse(&before).unwrap().generation;

    // `bundle rotate` of a stage's bundle would leave the set's pins behind, and `bundle set`
    // would not check them: both refused
    let args = ["bundle", "rotate", "secrets/app.prod.bundle", "--emulator"];
    let (code, _, err) = run(&mut cli(dir), &args, "");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("`stage rotate SET prod`"), "{err}");
    assert!(err.contains("nothing was rotated"), "{err}");
    let args = ["bundle", "set", "secrets/app.prod.bundle", "db_password"];
    let (code, _, err) = run(&mut cli(dir), &args, "x");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("`stage set SET prod NAME`"), "{err}");
    assert!(err.contains("nothing was sealed"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("secrets/app.prod.bundle")).unwrap(),
        before
    );

    // rotate prod: its bundle and its pin change, dev's file not a byte; prod still opens
    let dev_before = std::fs::read(dir.join("secrets/app.dev.bundle")).unwrap();
    let dev_id = stage_set(dir).stage("dev").unwrap().id;
    let args = ["stage", "rotate", set, "prod", "--emulator"];
    let (code, _, err) = run(&mut cli(dir), &args, "");
    assert_eq!(code, 0, "{err}");
    let rotated = stage_set(dir).stage("prod").unwrap().clone();
    assert_ne!(rotated.id, prod.id);
    assert_eq!(rotated.key, prod.key);
    let bundle = sealed_format::Bundle::parse(
        &std::fs::read_to_string(dir.join("secrets/app.prod.bundle")).unwrap(),
    )
    .unwrap();
    assert_eq!(bundle.id, rotated.id);
    assert_eq!(bundle.stage.as_deref(), Some("prod"));
    assert!(bundle.values.iter().all(|v| v.generation > generation));
    assert_eq!(
        std::fs::read(dir.join("secrets/app.dev.bundle")).unwrap(),
        dev_before
    );
    assert_eq!(stage_set(dir).stage("dev").unwrap().id, dev_id);
    assert_eq!(
        open(dir, "prod", "db_password").await.unwrap(),
        b"prod-password"
    );
    assert_eq!(open(dir, "prod", "api_token").await.unwrap(), b"prod-token");
    let (code, out, err) = run(&mut cli(dir), &["stage", "check", set, "--emulator"], "");
    assert_eq!(code, 0, "{out}{err}");
    // a line from before the rotation, put back: refused (its id and key pair are gone)
    let old_line = |text: &str| {
        text.lines()
            .find(|l| l.starts_with("value api_token "))
            .unwrap()
            .to_owned()
    };
    let now = std::fs::read_to_string(dir.join("secrets/app.prod.bundle")).unwrap();
    std::fs::write(
        dir.join("secrets/app.prod.bundle"),
        now.replace(&old_line(&now), &old_line(&before)),
    )
    .unwrap();
    assert!(open(dir, "prod", "api_token").await.is_err());
    std::fs::write(dir.join("secrets/app.prod.bundle"), &now).unwrap();

    // a stage's bundle copied from another: check names it, offline
    std::fs::copy(
        dir.join("secrets/app.dev.bundle"),
        dir.join("secrets/app.prod.bundle"),
    )
    .unwrap();
    let (code, out, _) = run(&mut cli(dir), &["stage", "check", set, "--emulator"], "");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("is the bundle of stage `dev`, not of `prod`"),
        "{out}"
    );
    assert!(
        out.lines()
            .next()
            .unwrap()
            .ends_with("  ok (2 values; the set's pins hold; `--kms` proves KMS opens it)"),
        "{out}"
    );

    // delete of a stage whose file is another stage's bundle: refused, nothing deleted
    let (code, _, err) = run(&mut cli(dir), &["stage", "delete", set, "prod"], "");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("nothing was removed"), "{err}");
    assert!(dir.join("secrets/app.prod.bundle").exists());
    assert_eq!(stage_set(dir).names().collect::<Vec<_>>(), ["dev", "prod"]);

    // delete: the stage's line and its bundle gone, the other stage untouched; a bundle already
    // gone (an earlier delete stopped half way) is not an error
    std::fs::write(dir.join("secrets/app.prod.bundle"), &now).unwrap();
    let (code, _, err) = run(&mut cli(dir), &["stage", "delete", set, "prod"], "");
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("and deleted its bundle"), "{err}");
    assert!(!dir.join("secrets/app.prod.bundle").exists());
    assert_eq!(stage_set(dir).names().collect::<Vec<_>>(), ["dev"]);
    assert!(dir.join("secrets/app.dev.bundle").exists());
    let (code, _, err) = run(&mut cli(dir), &["stage", "delete", set, "prod"], "");
    assert_eq!(code, 1);
    assert!(
        err.contains("has no stage `prod`; its stages: dev"),
        "{err}"
    );
}

/// The second account's KMS (`scripts/dev-kms --account 222233334444`, which `scripts/test`
/// starts as `SEALED_SECOND_ACCOUNT_KMS_ENDPOINT`).
fn second_account() -> String {
    std::env::var("SEALED_SECOND_ACCOUNT_KMS_ENDPOINT").expect(
        "this test needs a second KMS emulator answering as account 222233334444: run `export SEALED_SECOND_ACCOUNT_KMS_ENDPOINT=$(SEALED_DEV_KMS_STATE=target/dev-kms-second scripts/dev-kms --account 222233334444 | sed -n 's/^export AWS_ENDPOINT_URL_KMS=//p')` (scripts/test does)",
    )
}

/// The environment of `cargo sealed` with two profiles, `prod` (the local KMS) and `shared` (the
/// second account's), and no AWS variable: a team member's `~/.aws/config`.
struct Profiles {
    dir: std::path::PathBuf,
    config: std::path::PathBuf,
}

impl Profiles {
    fn new(dir: &Path) -> Profiles {
        let config = dir.join("aws-config");
        std::fs::write(
            &config,
            format!(
                "[profile prod]\nregion = us-east-1\nendpoint_url = {}\naws_access_key_id = AKIAPRODREADER01\naws_secret_access_key = test\n\n[profile shared]\nregion = us-east-1\nendpoint_url = {}\naws_access_key_id = AKIASHAREDADMIN2\naws_secret_access_key = test\n",
                require_emulator(),
                second_account()
            ),
        )
        .unwrap();
        Profiles {
            dir: dir.to_owned(),
            config,
        }
    }

    fn cli(&self) -> Command {
        let mut command = cli(&self.dir);
        for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("AWS_")) {
            command.env_remove(name);
        }
        command
            .env("AWS_CONFIG_FILE", &self.config)
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            // a third identity exported in the shell (aws-vault, CI): never either session's
            .env("AWS_ACCESS_KEY_ID", "AKIAFROMTHESHELL")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            // the operator's machine: its own record of the keys it sealed to
            .env(
                "SEALED_KNOWN_BUNDLES",
                self.dir.join("operator.known-bundles"),
            );
        command
    }

    /// `stage add-key` of prod: `key` added with the sessions of `from` and `to`.
    fn add_key(&self, key: &str, from: &str, to: &str, extra: &[&str]) -> (i32, String, String) {
        let mut args = vec![
            "stage",
            "add-key",
            "secrets/app.stages",
            "prod",
            "--key",
            key,
            "--from-profile",
            from,
            "--to-profile",
            to,
            "--emulator",
        ];
        args.extend_from_slice(extra);
        run(&mut self.cli(), &args, "")
    }
}

/// A new key on the second account's KMS: its ARN.
async fn second_account_key() -> String {
    let shared_kms = aws_sdk_kms::Client::from_conf(
        sealed_runtime::kms::default_config()
            .await
            .to_builder()
            .endpoint_url(second_account())
            .build(),
    );
    let key = create_key(&shared_kms).await;
    assert!(key.contains(":222233334444:key/"), "{key}");
    key
}

/// `dev_and_prod()` with a key of the second account added to prod as a failover recipient by
/// prod's session (the reader) and the second account's (the new key's): the scratch crate and
/// that key.
async fn with_a_failover_in_another_account() -> (tempfile::TempDir, Profiles, String) {
    let scratch = dev_and_prod().await;
    let profiles = Profiles::new(scratch.path());
    let shared_key = second_account_key().await;
    let (code, _, err) = profiles.add_key(&shared_key, "prod", "shared", &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("as a failover recipient: 1 value opened with"),
        "{err}"
    );
    // each session is its profile's identity, not the shell's
    assert!(err.contains("(profile `prod`, access key …ER01)"), "{err}");
    assert!(
        err.contains("made with profile `shared` (access key …MIN2)"),
        "{err}"
    );
    assert!(!err.contains("…HELL"), "{err}");
    assert!(err.contains("(the key is in account 222233334444"), "{err}");
    (scratch, profiles, shared_key)
}

fn prod_bundle(dir: &Path) -> sealed_format::Bundle {
    sealed_format::Bundle::parse(
        &std::fs::read_to_string(dir.join("secrets/app.prod.bundle")).unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn a_recipient_in_another_account_is_added_with_two_sessions_and_pinned() {
    let scratch = dev_and_prod().await;
    let dir = scratch.path();
    let profiles = Profiles::new(dir);
    let shared_key = second_account_key().await;
    // the reader's session opens prod's values on its KMS, the other account's session makes
    // the pair on its own: neither can do the other's part, and a failed try changes nothing
    let (code, _, err) = profiles.add_key(&shared_key, "shared", "shared", &[]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("no recipient of `secrets/app.prod.bundle` opens it with this session"),
        "{err}"
    );
    let (code, _, err) = profiles.add_key(&shared_key, "prod", "prod", &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("GenerateDataKeyPairWithoutPlaintext"), "{err}");
    assert!(prod_bundle(dir).recipients.is_empty());
    drop(scratch);

    let (scratch, profiles, shared_key) = with_a_failover_in_another_account().await;
    let dir = scratch.path();
    let prod = stage_set(dir).stage("prod").unwrap().clone();
    assert_eq!(prod.recipients.len(), 1);
    assert_eq!(prod.recipients[0].key, shared_key);
    assert_eq!(
        prod.recipients[0].role,
        sealed_format::RecipientRole::Failover
    );
    let bundle = prod_bundle(dir);
    assert_eq!(bundle.recipients.len(), 1);
    assert_eq!(bundle.value("db_password").unwrap().others.len(), 1);
    assert_eq!(prod.check_bundle(&bundle), Ok(()));
    assert!(stage_set(dir).stage("dev").unwrap().recipients.is_empty());

    // a writer who sealed to prod before sees a key added, and seals to both once they have
    // checked it out of band; with no credentials at all
    let set_token = |trust: &[&str]| {
        let mut args = vec!["stage", "set", "secrets/app.stages", "prod", "api_token"];
        args.extend_from_slice(trust);
        run(
            cli(dir).env("AWS_CONFIG_FILE", "/nonexistent"),
            &args,
            "prod-token",
        )
    };
    let (code, _, err) = set_token(&[]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("someone may have swapped or added one to read what you seal"),
        "{err}"
    );
    let (code, _, err) = set_token(&["--trust-new-key"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(prod_bundle(dir).value("api_token").unwrap().others.len(), 1);
    assert_eq!(open(dir, "prod", "api_token").await.unwrap(), b"prod-token");

    // the other account's session alone opens every value through its own recipient (the
    // stage's key is not on its KMS), and adds a break-glass key of prod's account
    let glass_key = create_key(&aws_sdk_kms::Client::from_conf(
        sealed_runtime::kms::default_config().await,
    ))
    .await;
    let (code, _, err) = profiles.add_key(&glass_key, "shared", "prod", &["--break-glass"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(&format!(
            "2 values opened with `{shared_key}` (profile `shared`, access key …MIN2)"
        )),
        "{err}"
    );
    assert!(err.contains("the function never tries it"), "{err}");
    let prod = stage_set(dir).stage("prod").unwrap().clone();
    assert_eq!(prod.failover().count(), 1);
    assert_eq!(
        prod.recipients[1].role,
        sealed_format::RecipientRole::BreakGlass
    );

    // rm-key takes the recipient and its sealings out, and says it revokes nothing
    let (code, _, err) = run(
        &mut cli(dir),
        &[
            "stage",
            "rm-key",
            "secrets/app.stages",
            "prod",
            "--key",
            &glass_key,
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("This revokes nothing"), "{err}");
    let bundle = prod_bundle(dir);
    assert_eq!(bundle.recipients.len(), 1);
    assert!(bundle.values.iter().all(|v| v.others.len() == 1));
    assert_eq!(stage_set(dir).stage("prod").unwrap().recipients.len(), 1);
    let (code, out, err) = run(
        &mut cli(dir),
        &["stage", "check", "secrets/app.stages", "--emulator"],
        "",
    );
    assert_eq!(code, 0, "{out}{err}");
    let printed = [out, err].concat();
    assert!(!printed.contains("prod-token") && !printed.contains("prod-password"));
}

#[tokio::test]
async fn a_failover_key_is_granted_and_a_recipient_the_set_does_not_pin_is_refused() {
    let (scratch, _profiles, shared_key) = with_a_failover_in_another_account().await;
    let dir = scratch.path();
    let prod = stage_set(dir).stage("prod").unwrap().clone();
    // the function's role may decrypt with the failover key; the other account's key policy
    // gets the statement that lets prod's account use it, with prod's context only
    let (code, out, err) = run(
        &mut cli(dir),
        &["policy", "--emulator", "--stage", "prod", "."],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let policy: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        policy["Statement"][0]["Resource"],
        serde_json::json!([prod.key, shared_key])
    );
    let (code, out, err) = run(
        &mut cli(dir),
        &[
            "policy",
            "--emulator",
            "--stage",
            "prod",
            "--key-policy",
            ".",
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let documents: serde_json::Value = serde_json::from_str(&out).unwrap();
    let statements = documents[&shared_key]["Statement"].as_array().unwrap();
    let from = statements
        .iter()
        .find(|s| s["Sid"] == "SealedFailoverFrom123456789012")
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(from["Principal"]["AWS"], "arn:aws:iam::123456789012:root");
    assert_eq!(
        from["Condition"]["StringEquals"]["kms:EncryptionContext:sealed:stage"],
        "prod"
    );
    assert!(documents[&prod.key]["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["Effect"] == "Deny"));

    // the tree's gate proves each failover key too: these credentials (prod's account) cannot
    // use the other account's key, so the stage's value fails, naming that key
    let (code, out, err) = run(&mut cli(dir), &["check", "--kms", "--emulator"], "");
    assert_eq!(code, 1, "{out}{err}");
    let failing: Vec<&str> = out.lines().filter(|l| l.ends_with("  fails")).collect();
    assert_eq!(failing.len(), 1, "{out}");
    assert!(failing[0].contains("(stage prod)"), "{out}");
    assert!(
        out.contains(&format!("with the failover recipient `{shared_key}`: ")),
        "{out}"
    );

    // the set without the pin: a writer's `set` and `check` refuse the bundle
    let set_text = std::fs::read_to_string(dir.join("secrets/app.stages")).unwrap();
    let unpinned: Vec<String> = set_text
        .lines()
        .map(|line| match line.split_once(" failover=") {
            Some((head, _)) => head.to_owned(),
            None => line.to_owned(),
        })
        .collect();
    std::fs::write(dir.join("secrets/app.stages"), unpinned.join("\n") + "\n").unwrap();
    let refusal =
        format!("has a recipient `{shared_key}` that the stage set does not pin for `prod`");
    let (code, _, err) = run(
        &mut cli(dir),
        &["stage", "set", "secrets/app.stages", "prod", "api_token"],
        "x",
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(&refusal), "{err}");
    let (code, out, _) = run(
        &mut cli(dir),
        &["stage", "check", "secrets/app.stages", "--emulator"],
        "",
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&refusal), "{out}");

    // outside a stage set nothing pins a recipient: `bundle set` refuses to seal to one
    let staged = std::fs::read_to_string(dir.join("secrets/app.prod.bundle")).unwrap();
    let plain: Vec<&str> = staged
        .lines()
        .filter(|line| !line.starts_with("stage "))
        .collect();
    std::fs::write(dir.join("plain.bundle"), plain.join("\n") + "\n").unwrap();
    let (code, _, err) = run(
        &mut cli(dir),
        &["bundle", "set", "plain.bundle", "api_token"],
        "x",
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!("has another recipient, `{shared_key}`"))
            && err.contains("which no trust anchor pins"),
        "{err}"
    );
}

#[tokio::test]
async fn rotating_a_stage_makes_a_new_pair_for_each_recipient_and_moves_the_pins() {
    let scratch = dev_and_prod().await;
    let dir = scratch.path();
    // a disaster-recovery region's key (not a replica), in the same account: one session
    let config = sealed_runtime::kms::default_config().await;
    let dr = aws_sdk_kms::Client::from_conf(
        config
            .to_builder()
            .region(aws_sdk_kms::config::Region::new("eu-west-1"))
            .build(),
    );
    let dr_key = create_key(&dr).await;
    let args = [
        "stage",
        "add-key",
        "secrets/app.stages",
        "prod",
        "--key",
        &dr_key,
        "--emulator",
    ];
    let (code, _, err) = run(&mut cli(dir), &args, "");
    assert_eq!(code, 0, "{err}");
    // the tree's gate proves the failover key as well as the stage's own
    let (code, out, err) = run(&mut cli(dir), &["check", "--kms", "--emulator"], "");
    assert_eq!(code, 0, "{out}{err}");
    let prod: Vec<&str> = out.lines().filter(|l| l.contains("(stage prod)")).collect();
    assert!(!prod.is_empty(), "{out}");
    for line in prod {
        assert!(
            line.ends_with(&format!("so does each failover recipient's ({dr_key}))")),
            "{out}"
        );
    }
    let before = stage_set(dir).stage("prod").unwrap().clone();
    let dev_before = std::fs::read_to_string(dir.join("secrets/app.dev.bundle")).unwrap();

    let args = [
        "stage",
        "rotate",
        "secrets/app.stages",
        "prod",
        "--emulator",
    ];
    let (code, _, err) = run(&mut cli(dir), &args, "");
    assert_eq!(code, 0, "{err}");
    let after = stage_set(dir).stage("prod").unwrap().clone();
    assert_ne!(after.id, before.id);
    assert_eq!(after.recipients.len(), 1);
    assert_eq!(after.recipients[0].key, dr_key);
    assert_ne!(
        after.recipients[0].public_key,
        before.recipients[0].public_key
    );
    let bundle = prod_bundle(dir);
    assert_eq!(after.check_bundle(&bundle), Ok(()));
    assert!(bundle.values.iter().all(|v| v.others.len() == 1));
    assert_eq!(
        std::fs::read_to_string(dir.join("secrets/app.dev.bundle")).unwrap(),
        dev_before
    );
    assert_eq!(
        open(dir, "prod", "db_password").await.unwrap(),
        b"prod-password"
    );
    // the recipient's own sealing opens too: `check --kms --open` proves every failover key
    let args = [
        "stage",
        "check",
        "secrets/app.stages",
        "prod",
        "--kms",
        "--open",
        "--emulator",
    ];
    let (code, out, err) = run(&mut cli(dir), &args, "");
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(&format!("so does each failover recipient's ({dr_key})")),
        "{out}"
    );

    // a writer who sealed another plaintext to the failover key: found before an outage is
    let mut bundle = prod_bundle(dir);
    let value = bundle.value("db_password").unwrap().clone();
    let other = sealed_runtime::__tools::seal_to(
        &bundle,
        &bundle.recipients[0].public_point(),
        "db_password",
        value.generation,
        b"another-password",
    )
    .unwrap();
    bundle.values[0].others[0] = other;
    std::fs::write(dir.join("secrets/app.prod.bundle"), bundle.render()).unwrap();
    let (code, out, err) = run(&mut cli(dir), &args, "");
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains(&format!(
            "`db_password` opens to another plaintext with the failover recipient `{dr_key}`"
        )),
        "{out}"
    );
    assert!(!out.contains("another-password") && !out.contains("prod-password"));
}

/// M1 of issue 34: `add-key --from-profile` opens the bundle with the first reader that works,
/// but a reader whose answer says the file was changed (here, prod's own sealing of a value
/// edited) stops it: no other reader is tried and nothing is added. Before, any failure moved
/// on to the next reader, and the new key was added from whatever that one opened.
#[tokio::test]
async fn add_key_stops_at_a_tampered_file_and_tries_no_other_reader() {
    let scratch = dev_and_prod().await;
    let dir = scratch.path();
    let profiles = Profiles::new(dir);
    let kms = aws_sdk_kms::Client::from_conf(sealed_runtime::kms::default_config().await);
    // a failover key the same session can use, so that a second reader would open the file
    let failover = create_key(&kms).await;
    let (code, _, err) = profiles.add_key(&failover, "prod", "prod", &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(prod_bundle(dir).recipients.len(), 1);

    // prod's own sealing of db_password (the first after the name and generation), edited
    let path = dir.join("secrets/app.prod.bundle");
    let text = std::fs::read_to_string(&path).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("value db_password "))
        .unwrap();
    let own = line.split(' ').nth(3).unwrap();
    let flipped: String = own
        .chars()
        .enumerate()
        .map(|(i, c)| match (i, c) {
            (40, 'A') => 'B',
            (40, _) => 'A',
            _ => c,
        })
        .collect();
    assert_ne!(flipped, own);
    std::fs::write(&path, text.replacen(own, &flipped, 1)).unwrap();

    let third = create_key(&kms).await;
    let (code, _, err) = profiles.add_key(&third, "prod", "prod", &[]);
    assert_eq!(code, 1, "{err}");
    let stage_key = stage_set(dir).stage("prod").unwrap().key.clone();
    assert!(
        err.contains(&format!(
            "`secrets/app.prod.bundle` does not open with `{stage_key}` as its own: nothing was added, and no other reader was tried"
        )),
        "{err}"
    );
    assert!(err.contains("restore it from version control"), "{err}");
    assert_eq!(prod_bundle(dir).recipients.len(), 1);
}
