//! The whole credential chain works through the library's own HTTP client (whatever TLS stack
//! it was built with): credentials from the environment, from a profile file, and from a
//! container-credentials endpoint (as on ECS, and Lambda's own SnapStart/extension style
//! endpoints) served on loopback. Each in a child process with exactly that configuration,
//! decrypting against moto.
#![cfg(feature = "emulator")]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use sealed_runtime::{kms::default_config, Sealed};

use sealed_test_support as support;

const CANARY: &str = "canary-chain-91ab";

/// In the child: one first access with the library's default client.
#[tokio::test]
async fn child_first_access() {
    let (Ok(ciphertext), Ok(key)) = (
        std::env::var("SEALED_CHAIN_CIPHERTEXT"),
        std::env::var("SEALED_CHAIN_KEY"),
    ) else {
        return; // only ever run by the tests below, in a child process
    };
    let value = Sealed::builder(ciphertext).key(key).build().unwrap();
    let value: &'static Sealed = Box::leak(Box::new(value));
    match value.get().await {
        Ok(secret) => println!("\nlength: {}", secret.len()),
        Err(error) => println!("\nerror: {error}"),
    }
}

/// A value sealed with moto (through a client of the test's own).
async fn sealed_value() -> (String, String) {
    assert!(
        std::env::var_os("AWS_ENDPOINT_URL_KMS").is_some(),
        "these tests need the KMS emulator: run `eval \"$(scripts/dev-kms)\"` first (scripts/test does)"
    );
    let client = aws_sdk_kms::Client::from_conf(default_config().await);
    let key = support::create_key(&client).await;
    let text = support::encrypt(&client, &key, CANARY.as_bytes(), &[], None).await;
    (key, text)
}

/// Runs the child with only the AWS variables given (plus region, endpoint, no IMDS).
fn run_child(home: &Path, key: &str, ciphertext: &str, env: &[(&str, String)]) -> String {
    let endpoint = std::env::var("AWS_ENDPOINT_URL_KMS").unwrap();
    let mut command = support::child_test("child_first_access");
    command
        .env("HOME", home)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL_KMS", endpoint)
        .env("AWS_CONFIG_FILE", home.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("credentials"))
        .env("SEALED_CHAIN_KEY", key)
        .env("SEALED_CHAIN_CIPHERTEXT", ciphertext);
    for (name, value) in env {
        command.env(name, value);
    }
    let stdout = support::stdout_of(&mut command);
    assert!(!stdout.contains(CANARY), "a plaintext in the output");
    stdout
}

fn decrypted(stdout: &str) -> bool {
    stdout.contains(&format!("length: {}", CANARY.len()))
}

#[tokio::test]
async fn credentials_from_the_environment() {
    let (key, text) = sealed_value().await;
    let home = tempfile::tempdir().unwrap();
    let stdout = run_child(
        home.path(),
        &key,
        &text,
        &[
            ("AWS_ACCESS_KEY_ID", "env-key".into()),
            ("AWS_SECRET_ACCESS_KEY", "env-secret".into()),
        ],
    );
    assert!(decrypted(&stdout), "{stdout}");
}

#[tokio::test]
async fn credentials_from_a_profile_file() {
    let (key, text) = sealed_value().await;
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("credentials"),
        "[work]\naws_access_key_id = profile-key\naws_secret_access_key = profile-secret\n",
    )
    .unwrap();
    let stdout = run_child(home.path(), &key, &text, &[("AWS_PROFILE", "work".into())]);
    assert!(decrypted(&stdout), "{stdout}");
}

/// A container-credentials endpoint on loopback: answers every request with temporary
/// credentials, counting the requests.
fn container_endpoint() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/v2/credentials/test",
        listener.local_addr().unwrap()
    );
    let served = Arc::new(AtomicUsize::new(0));
    let count = served.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            count.fetch_add(1, Ordering::SeqCst);
            let json = r#"{"AccessKeyId":"container-key","SecretAccessKey":"container-secret","Token":"container-token","Expiration":"2099-01-01T00:00:00Z"}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{json}",
                json.len()
            );
        }
    });
    (url, served)
}

#[tokio::test]
async fn credentials_from_a_container_endpoint_on_loopback() {
    let (key, text) = sealed_value().await;
    let home = tempfile::tempdir().unwrap();
    let (url, served) = container_endpoint();
    let stdout = run_child(
        home.path(),
        &key,
        &text,
        &[("AWS_CONTAINER_CREDENTIALS_FULL_URI", url)],
    );
    assert!(decrypted(&stdout), "{stdout}");
    assert!(
        served.load(Ordering::SeqCst) >= 1,
        "the credentials came from the endpoint"
    );
}

/// Another SDK client of the program, given the library's HTTP client as the README shows,
/// works end to end (here: KMS itself, encrypting and decrypting through it).
#[tokio::test]
async fn another_sdk_client_shares_the_librarys_http_client() {
    let (key, _) = sealed_value().await;
    let shared = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(sealed_runtime::kms::http_client())
        .load()
        .await;
    let other = aws_sdk_kms::Client::new(&shared);
    let text = support::encrypt(&other, &key, CANARY.as_bytes(), &[], None).await;
    let blob = aws_sdk_kms::primitives::Blob::new(
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, text).unwrap(),
    );
    let output = other
        .decrypt()
        .ciphertext_blob(blob)
        .key_id(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(output.plaintext().unwrap().as_ref(), CANARY.as_bytes());
}
