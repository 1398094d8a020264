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

/// The value `name` of `stage`'s bundle, opened as the runtime opens a bundle value.
async fn open(dir: &Path, stage: &str, name: &str) -> Result<Vec<u8>, ErrorKind> {
    let text = std::fs::read_to_string(dir.join(format!("secrets/app.{stage}.bundle"))).unwrap();
    let key = sealed_format::Bundle::parse(&text).unwrap().key;
    let value = Sealed::from_bundle(text, name)
        .expect_key(key)
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

#[tokio::test]
async fn a_team_writes_each_stage_without_credentials_and_matrix_gates_the_gaps() {
    require_emulator();
    let kms = aws_sdk_kms::Client::from_conf(sealed_runtime::default_config().await);
    let (dev_key, prod_key) = (create_key(&kms).await, create_key(&kms).await);
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    std::fs::write(dir.join("Cargo.toml"), "[package]\nname = \"app\"\n").unwrap();
    std::fs::create_dir(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/main.rs"), MAIN).unwrap();

    let (code, _, err) = run(&mut cli(dir), &["stage", "init", "secrets/app.stages"], "");
    assert_eq!(code, 0, "{err}");
    for (stage, key) in [("dev", &dev_key), ("prod", &prod_key)] {
        let args = ["stage", "add", "secrets/app.stages", stage, "--key", key];
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
        assert_eq!(
            out.trim(),
            format!("sealed!(stages = \"secrets/app.stages\", name = \"{name}\")")
        );
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
