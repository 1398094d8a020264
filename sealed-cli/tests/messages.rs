//! What `cargo sealed` says when KMS, or a file, is not what it expects, as a user meets it: the
//! messages a new user met against the local KMS (issue 33) name the CLI's flag, the file as a
//! file, and what KMS answered, never an empty detail.

use std::path::Path;
use std::process::{Child, Command as Process};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use sealed_test_support::emulator::require_emulator;
use sealed_test_support::{create_key, root};

fn cli(dir: &Path, endpoint: &str) -> Command {
    let mut command = Command::cargo_bin("cargo-sealed").unwrap();
    command
        .arg("sealed")
        .env("NO_COLOR", "1")
        .env("SEALED_KNOWN_BUNDLES", dir.join(".known-bundles"))
        .env("AWS_ENDPOINT_URL_KMS", endpoint)
        .env("AWS_ENDPOINT_URL", endpoint)
        .current_dir(dir);
    command
}

/// `cargo sealed ARGS` in `dir` against `endpoint`: (success, stderr).
fn run(dir: &Path, endpoint: &str, args: &[&str], stdin: &str) -> (bool, String) {
    let output = cli(dir, endpoint)
        .args(args)
        .write_stdin(stdin)
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// No line of `said` ends in a colon with nothing after it, and none says "no error code"
/// with nothing after.
fn no_empty_detail(said: &str) {
    for line in said.lines() {
        assert!(
            !line.trim_end().ends_with(':') && !line.contains("(no error code): "),
            "an empty detail in {said:?}"
        );
    }
}

async fn key_at(endpoint: &str) -> String {
    let config = sealed_runtime::kms::default_config()
        .await
        .to_builder()
        .endpoint_url(endpoint)
        .build();
    create_key(&aws_sdk_kms::Client::from_conf(config)).await
}

#[tokio::test]
async fn rotating_a_bundle_the_local_kms_made_names_the_flag_to_pass_and_the_file() {
    let endpoint = require_emulator();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let key = key_at(&endpoint).await;
    let file = "secrets/app.bundle";
    let (made, said) = run(dir, &endpoint, &["bundle", "new", file, "--key", &key], "");
    assert!(made, "{said}");
    let (set, said) = run(dir, &endpoint, &["bundle", "set", file, "token"], "hello");
    assert!(set, "{said}");

    let (rotated, said) = run(dir, &endpoint, &["bundle", "rotate", file], "");
    assert!(!rotated, "{said}");
    assert!(said.contains("moto"), "{said}");
    // the CLI's switch, not the runtime's Cargo feature
    assert!(said.contains("`--emulator`"), "{said}");
    assert!(!said.contains("features = ["), "{said}");
    // the file as a file, not as a source location
    assert!(said.contains(&format!("`{file}`")), "{said}");
    assert!(!said.contains(":0:0"), "{said}");

    // with the flag, the same rotation goes through
    let (rotated, said) = run(
        dir,
        &endpoint,
        &["--emulator", "bundle", "rotate", file],
        "",
    );
    assert!(rotated, "{said}");
}

/// A moto server without the project's shim: a KMS that lacks `GenerateDataKeyPairWithoutPlaintext`
/// (it answers HTTP 500 with an HTML page), stopped when dropped.
struct PlainMoto(Child, String);

impl PlainMoto {
    fn start() -> PlainMoto {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let server = root().join(".venv/bin/moto_server");
        let child = Process::new(&server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {}: {e}; run scripts/dev-kms once to create the venv",
                    server.display()
                )
            });
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "plain moto did not start on {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        PlainMoto(child, format!("http://127.0.0.1:{port}"))
    }
}

impl Drop for PlainMoto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn a_kms_without_the_action_is_said_so_with_what_it_answered() {
    require_emulator();
    let moto = PlainMoto::start();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let key = key_at(&moto.1).await;

    let (made, said) = run(
        dir,
        &moto.1,
        &["bundle", "new", "secrets/app.bundle", "--key", &key],
        "",
    );
    assert!(!made, "{said}");
    no_empty_detail(&said);
    assert!(
        said.contains("GenerateDataKeyPairWithoutPlaintext"),
        "{said}"
    );
    assert!(said.contains("HTTP 500"), "{said}");
    assert!(said.contains("does not implement"), "{said}");
    assert!(said.contains(&moto.1), "the endpoint that answered: {said}");
}

#[tokio::test]
async fn a_refusal_in_xml_is_said_with_its_code() {
    let endpoint = std::env::var("SEALED_DENY_KMS_ENDPOINT").expect(
        "this test needs a KMS emulator that denies everything: run `SEALED_DEV_KMS_STATE=target/dev-kms-deny scripts/dev-kms --iam 0` and export its endpoint as SEALED_DENY_KMS_ENDPOINT (scripts/test does)",
    );
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let (made, said) = run(
        dir,
        &endpoint,
        &["bundle", "new", "secrets/app.bundle", "--key", key],
        "",
    );
    assert!(!made, "{said}");
    no_empty_detail(&said);
    assert!(said.contains("InvalidClientTokenId"), "{said}");
}
