//! `cargo sealed` against the moto KMS emulator (`eval "$(scripts/dev-kms)"`; `scripts/test`
//! starts it): the built binary, as a user runs it.

use std::path::Path;
use std::process::Command as Process;

use assert_cmd::Command;
use sealed_runtime::{ErrorKind, Sealed};
use sealed_test_support::emulator::{require_emulator, IamServer};
use sealed_test_support::{create_key, root};

const CANARY: &str = "cli-canary-8c1f";

fn moto() -> String {
    require_emulator()
}

fn cli() -> Command {
    moto();
    let mut command = Command::cargo_bin("cargo-sealed").unwrap();
    command.arg("sealed").env("NO_COLOR", "1");
    command
}

async fn new_key() -> String {
    moto();
    create_key(&aws_sdk_kms::Client::from_conf(
        sealed_runtime::kms::default_config().await,
    ))
    .await
}

/// Runs `encrypt` with `stdin`; returns (exit code, stdout, stderr).
fn encrypt(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let output = cli()
        .arg("encrypt")
        .args(args)
        .write_stdin(stdin)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

async fn decrypt(
    base64: &str,
    key: &str,
    context: &[(&str, &str)],
) -> Result<Vec<u8>, sealed_runtime::Error> {
    let mut builder = Sealed::builder(base64.trim()).key(key).allow_emulator(true);
    for (k, v) in context {
        builder = builder.context(*k, *v);
    }
    // a ciphertext the CLI wrote always passes the offline checks
    let value: &'static Sealed = Box::leak(Box::new(builder.build().expect("a valid ciphertext")));
    value.get().await.map(|s| s.expose().to_vec())
}

/// A crate under a temporary directory with `src/main.rs` holding `body`.
fn crate_with(body: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::create_dir_all(dir.path().join("secrets")).unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("src/main.rs"), body).unwrap();
    dir
}

#[tokio::test]
async fn the_printed_line_compiles_and_decrypts_to_the_plaintext() {
    let key = new_key().await;
    let (code, line, _) = encrypt(
        &["--key", &key, "--context", "app=billing"],
        CANARY.as_bytes(),
    );
    assert_eq!(code, 0);
    assert!(line.starts_with("sealed!(\""), "{line}");
    assert!(
        line.trim_end().ends_with(&format!(
            "key = \"{key}\", context = {{ \"app\": \"billing\" }})"
        )),
        "{line}"
    );

    // a scratch crate using the line, built against this workspace's sealed-runtime
    let dir = tempfile::tempdir().unwrap();
    let runtime = root().join("sealed-runtime").canonicalize().unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        format!(
            "[package]\nname = \"scratch\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nsealed-runtime = {{ path = {:?}, features = [\"emulator\"] }}\ntokio = {{ version = \"1\", features = [\"rt\", \"macros\"] }}\n\n[profile.dev.package.\"*\"]\ndebug = false\n\n[workspace]\n",
            runtime.display().to_string()
        ),
    )
    .unwrap();
    // the workspace's lock file: the same dependency versions, so the build reuses its cache
    std::fs::copy(root().join("Cargo.lock"), dir.path().join("Cargo.lock")).unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(
        dir.path().join("src/main.rs"),
        format!(
            "use sealed_runtime::{{sealed, Sealed}};\n\nstatic SECRET: Sealed = {};\n\n#[tokio::main(flavor = \"current_thread\")]\nasync fn main() {{\n    let secret = SECRET.get().await.unwrap();\n    std::io::Write::write_all(&mut std::io::stdout(), secret.expose()).unwrap();\n}}\n",
            line.trim()
        ),
    )
    .unwrap();
    let output = Process::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["run", "--quiet", "--offline"])
        .current_dir(dir.path())
        .env("CARGO_TARGET_DIR", root().join("target/scratch"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "scratch crate: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stdout == CANARY.as_bytes(),
        "the scratch crate printed {} bytes, not the plaintext",
        output.stdout.len()
    );
}

#[tokio::test]
async fn plaintext_edge_cases() {
    let key = new_key().await;
    // a trailing newline is warned about, kept, or stripped on request
    let (code, raw, stderr) = encrypt(&["--key", &key, "--raw"], b"abc\n");
    assert_eq!(code, 0);
    assert!(stderr.contains("ends with a newline"), "{stderr}");
    assert_eq!(decrypt(&raw, &key, &[]).await.unwrap(), b"abc\n");
    let (code, raw, stderr) = encrypt(&["--key", &key, "--raw", "--strip-newline"], b"abc\r\n");
    assert_eq!(code, 0);
    assert!(!stderr.contains("newline"), "{stderr}");
    assert_eq!(decrypt(&raw, &key, &[]).await.unwrap(), b"abc");
    // a plaintext that is valid base64 is sealed as it is (the AWS CLI v2 would decode it)
    let (_, raw, _) = encrypt(&["--key", &key, "--raw"], b"aGVsbG8=");
    assert_eq!(decrypt(&raw, &key, &[]).await.unwrap(), b"aGVsbG8=");
    // empty, and one byte over the KMS limit: refused before any call
    let (code, out, stderr) = encrypt(&["--key", &key], b"");
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(stderr.contains("the plaintext is empty"), "{stderr}");
    let (code, _, stderr) = encrypt(&["--key", &key], &[b'x'; 4097]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("4097 bytes; KMS encrypts at most 4096"),
        "{stderr}"
    );
    let (code, raw, _) = encrypt(&["--key", &key, "--raw"], &[b'x'; 4096]);
    assert_eq!(code, 0);
    assert_eq!(decrypt(&raw, &key, &[]).await.unwrap().len(), 4096);
    // the plaintext never reaches stdout or stderr
    let (_, out, err) = encrypt(&["--key", &key], CANARY.as_bytes());
    assert!(!out.contains(CANARY) && !err.contains(CANARY));
    // a bad key is a usage error before reading anything
    let (code, _, stderr) = encrypt(&["--key", "alias/"], b"x");
    assert_eq!(code, 1);
    assert!(
        stderr.contains("--key: `alias/` is not a valid alias"),
        "{stderr}"
    );
}

#[tokio::test]
async fn context_round_trip() {
    let key = new_key().await;
    std::env::set_var("SEALED_CLI_TEST_FN", "billing-fn");
    let (code, line, _) = encrypt(
        &[
            "--key",
            &key,
            "--context",
            "app=billing",
            "--context-env",
            "LambdaFunctionName=SEALED_CLI_TEST_FN",
        ],
        CANARY.as_bytes(),
    );
    assert_eq!(code, 0);
    assert!(
        line.contains("context = { \"app\": \"billing\", \"LambdaFunctionName\": env(\"SEALED_CLI_TEST_FN\") }, allow_env = [\"SEALED_CLI_TEST_FN\"]"),
        "{line}"
    );
    let base64 = line.split('"').nth(1).unwrap();
    let context = [("app", "billing"), ("LambdaFunctionName", "billing-fn")];
    assert_eq!(
        decrypt(base64, &key, &context).await.unwrap(),
        CANARY.as_bytes()
    );
    let wrong = decrypt(base64, &key, &[("app", "billing")])
        .await
        .unwrap_err();
    assert_eq!(wrong.kind(), &ErrorKind::InvalidCiphertext);
    // --out writes the file and prints the file = line
    let dir = tempfile::tempdir().unwrap();
    // the directory is created if need be
    let out = dir.path().join("secrets/db.kms");
    let (code, line, _) = encrypt(
        &["--key", &key, "--out", out.to_str().unwrap()],
        CANARY.as_bytes(),
    );
    assert_eq!(code, 0);
    assert!(
        line.starts_with(&format!(
            "sealed!(file = {:?}, key = ",
            out.display().to_string()
        )),
        "{line}"
    );
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        decrypt(&written, &key, &[]).await.unwrap(),
        CANARY.as_bytes()
    );
}

const AWS_SAMPLE: &str = "AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=";

#[tokio::test]
async fn check_lists_good_bad_and_emulator_values() {
    let key = new_key().await;
    let (_, emulator_line, _) = encrypt(&["--key", &key], CANARY.as_bytes());
    let dir = crate_with(&format!(
        "use sealed_runtime::{{sealed, Sealed}};\n\nstatic GOOD: Sealed = sealed!(\"{AWS_SAMPLE}\", key = \"alias/lambda\");\nstatic BAD: Sealed = sealed!(\"AQICAHh...==\");\nstatic LOCAL: Sealed = {};\n\nfn main() {{}}\n",
        emulator_line.trim()
    ));
    let output = cli().arg("check").current_dir(dir.path()).output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("./src/main.rs:3:23  aws-symmetric-v2  key=alias/lambda  context=-  ok"),
        "{stdout}"
    );
    assert!(
        stdout.contains("./src/main.rs:4:22  invalid\n    ciphertext is elided: `...` at offset 7"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "./src/main.rs:5:24  invalid\n    this ciphertext was made by the moto KMS emulator"
        ),
        "{stdout}"
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("3 sealed values found, 2 failed"));
    // with the emulator accepted, only the elided example fails
    let output = cli()
        .args(["check", "--emulator"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout.contains("./src/main.rs:5:24  moto  key="),
        "{stdout}"
    );
    // and a tree of good values passes
    let good = crate_with(&format!("static GOOD: sealed_runtime::Sealed = sealed_runtime::sealed!(\"{AWS_SAMPLE}\");\nfn main() {{}}\n"));
    cli().arg("check").arg(good.path()).assert().success();
}

#[tokio::test]
async fn policy_names_exactly_the_keys_used() {
    let (first, second) = (new_key().await, new_key().await);
    let dir = crate_with(&format!(
        "use sealed_runtime::{{sealed, Sealed}};\nstatic A: Sealed = sealed!(\"{AWS_SAMPLE}\", key = \"{first}\", context = {{ \"app\": \"billing\", \"fn\": env(\"AWS_LAMBDA_FUNCTION_NAME\") }});\nstatic B: Sealed = sealed!(\"{AWS_SAMPLE}\", key = \"{second}\");\nstatic C: Sealed = sealed!(\"{AWS_SAMPLE}\", key = \"{second}\");\nfn main() {{}}\n"
    ));
    let output = cli()
        .arg("policy")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success());
    let policy: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(policy["Version"], "2012-10-17");
    let statements = policy["Statement"].as_array().unwrap();
    let mut resources: Vec<String> = statements
        .iter()
        .flat_map(|s| {
            s["Resource"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap().to_owned())
        })
        .collect();
    resources.sort();
    let mut expected = vec![first.clone(), second.clone()];
    expected.sort();
    assert_eq!(resources, expected);
    for statement in statements {
        assert_eq!(statement["Action"], "kms:Decrypt");
        assert_eq!(statement["Effect"], "Allow");
    }
    let with_context = statements
        .iter()
        .find(|s| s["Resource"][0] == first.as_str())
        .unwrap();
    assert_eq!(
        with_context["Condition"]["StringEquals"]["kms:EncryptionContext:app"],
        "billing"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("env(\"AWS_LAMBDA_FUNCTION_NAME\")` at run time"),
        "{stderr}"
    );
}

#[tokio::test]
async fn reseal_then_check_kms_passes_and_the_old_key_is_gone() {
    let (old, new) = (new_key().await, new_key().await);
    let (_, line, _) = encrypt(
        &["--key", &old, "--context", "app=billing"],
        CANARY.as_bytes(),
    );
    let dir = crate_with(&format!("use sealed_runtime::{{sealed, Sealed}};\nstatic DB: Sealed = {};\nstatic TOKEN: Sealed = sealed!(file = \"secrets/token.kms\", key = \"{old}\");\nfn main() {{}}\n", line.trim()));
    let (_, raw, _) = encrypt(&["--key", &old, "--raw"], b"token");
    std::fs::write(dir.path().join("secrets/token.kms"), raw).unwrap();
    let main = dir.path().join("src/main.rs");
    let before = std::fs::read_to_string(&main).unwrap();

    // --dry-run shows and changes nothing
    let output = cli()
        .args(["reseal", "--emulator", "--dry-run", "--to-key", &new])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains(&format!(
        "+static TOKEN: Sealed = sealed!(file = \"secrets/token.kms\", key = \"{new}\");"
    )));
    assert_eq!(std::fs::read_to_string(&main).unwrap(), before);

    cli()
        .args(["reseal", "--emulator", "--to-key", &new])
        .current_dir(dir.path())
        .assert()
        .success();
    let after = std::fs::read_to_string(&main).unwrap();
    assert!(!after.contains(&old), "{after}");
    assert_eq!(after.matches(&new).count(), 2, "{after}");
    assert!(
        after.contains("context = { \"app\": \"billing\" }"),
        "{after}"
    );
    assert_ne!(
        std::fs::read_to_string(dir.path().join("secrets/token.kms")).unwrap(),
        ""
    );
    let output = cli()
        .args(["check", "--emulator", "--kms"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{stdout}");
    assert_eq!(stdout.matches("ok (decrypts").count(), 2, "{stdout}");
    assert!(!stdout.contains(CANARY));
}

/// Runs the IAM set-up of the tests (`test-support/iam.py`); what it printed, as JSON.
fn iam_setup(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&sealed_test_support::emulator::iam(args))
        .unwrap_or(serde_json::Value::Null)
}

fn in_path(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn check_kms_fails_with_the_hint_for_a_caller_without_decrypt() {
    moto();
    let state = tempfile::tempdir().unwrap();
    let iam = IamServer::start(state.path().to_owned());
    let setup = iam_setup(&["setup", iam.endpoint()]);
    let key = setup["key"].as_str().unwrap();
    let dir = crate_with(&format!(
        "static DB: sealed_runtime::Sealed = sealed_runtime::sealed!(\"{}\", key = \"{key}\");\nfn main() {{}}\n",
        setup["ciphertext"].as_str().unwrap()
    ));
    let check = || {
        cli()
            .args(["check", "--emulator", "--kms", in_path(dir.path())])
            .env("AWS_ENDPOINT_URL_KMS", iam.endpoint())
            .env("AWS_ENDPOINT_URL", iam.endpoint())
            .env("AWS_ACCESS_KEY_ID", setup["app_id"].as_str().unwrap())
            .env(
                "AWS_SECRET_ACCESS_KEY",
                setup["app_secret"].as_str().unwrap(),
            )
            .output()
            .unwrap()
    };
    let output = check();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("fails\n    access denied to kms:Decrypt"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "{{\"Effect\": \"Allow\", \"Action\": \"kms:Decrypt\", \"Resource\": \"{key}\"}}"
        )),
        "{stdout}"
    );
    // with the statement added, the gate opens
    iam_setup(&[
        "grant",
        iam.endpoint(),
        setup["admin_id"].as_str().unwrap(),
        setup["admin_secret"].as_str().unwrap(),
    ]);
    let output = check();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

/// `cargo sealed encrypt` without credentials says so, in the chain's words, with the next
/// step, as `Decrypt` errors do; not "KMS Encrypt failed (no error code)". No network needed:
/// the chain fails before any request.
#[test]
fn encrypt_without_credentials_says_so_with_the_next_step() {
    let home = tempfile::tempdir().unwrap();
    let mut command = Command::cargo_bin("cargo-sealed").unwrap();
    for (name, _) in std::env::vars() {
        if name.starts_with("AWS_") {
            command.env_remove(name);
        }
    }
    let output = command
        .args(["sealed", "encrypt", "--key", "alias/app"])
        .env("NO_COLOR", "1")
        .env("HOME", home.path())
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL_KMS", "http://127.0.0.1:9")
        .env("AWS_CONFIG_FILE", home.path().join("config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            home.path().join("credentials"),
        )
        .write_stdin(CANARY)
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!output.status.success());
    assert!(
        stderr.contains("no usable AWS credentials: ")
            && stderr.contains("no credentials found in chain"),
        "{stderr}"
    );
    assert!(
        stderr.contains("= help: give the process credentials"),
        "{stderr}"
    );
    assert!(!stderr.contains(CANARY), "{stderr}");
}

/// `reseal --dry-run` of a literal folded over several lines: the diff removes the folded lines
/// and adds the new one, and the lines after it are not reported as changed (the line-by-line
/// comparison it replaced misaligned everything after a folded literal).
#[tokio::test]
async fn reseal_dry_run_of_a_folded_literal_is_a_true_diff() {
    let (old, new) = (new_key().await, new_key().await);
    let (_, raw, _) = encrypt(&["--key", &old, "--raw"], CANARY.as_bytes());
    let raw = raw.trim();
    let (head, tail) = raw.split_at(raw.len() / 2);
    let dir = crate_with(&format!(
        "use sealed_runtime::{{sealed, Sealed}};\nstatic DB: Sealed = sealed!(\n    \"{head}\n     {tail}\",\n    key = \"{old}\",\n);\nfn main() {{}}\n"
    ));
    let output = cli()
        .args(["reseal", "--emulator", "--dry-run", "--to-key", &new])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains(&format!("-     {tail}\",")), "{stdout}");
    assert!(
        stdout.contains(&format!("+    key = \"{new}\",")),
        "{stdout}"
    );
    assert!(
        stdout.contains(" fn main() {}") || !stdout.contains("fn main"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("-fn main") && !stdout.contains("+fn main"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("-);") && !stdout.contains("+);"),
        "{stdout}"
    );
}
