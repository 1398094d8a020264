//! Which root certificates a process trusts, and what it reads to trust them, as Lambda starts
//! it (nothing sets `SSL_CERT_FILE`): each case is this binary run again under `strace`, opening
//! one value. A plain-HTTP endpoint loads no roots; over TLS the roots compiled in are used and
//! no file of the system's certificate store is opened (so a private CA is refused); with
//! `SSL_CERT_FILE`, that file and only it.
//! Needs `eval "$(scripts/dev-kms)"`, strace and `--features emulator` (scripts/test provides
//! them); not with the `native-roots` feature, which reads the platform's store on purpose.
#![cfg(all(feature = "emulator", not(feature = "native-roots")))]

use std::path::{Path, PathBuf};
use std::process::Command;

use sealed_runtime::Sealed;
use sealed_test_support::tls::TlsProxy;
use sealed_test_support::{child_test, create_key, encrypt, require_emulator};

/// The variable that makes [`open_one_value`] a child's work: `KEY CIPHERTEXT`.
const CHILD: &str = "SEALED_ROOTS_CHILD";

/// Where the system's certificate stores live, on the Linux distributions Lambda and CI run.
const CERTIFICATE_STORES: [&str; 6] = [
    "/etc/ssl",
    "/usr/lib/ssl",
    "/usr/share/ca-certificates",
    "/usr/local/share/ca-certificates",
    "/etc/pki",
    "/etc/ca-certificates",
];

/// As a child: opens the value of `SEALED_ROOTS_CHILD` and prints `OPENED` or `FAILED KIND`.
#[tokio::test]
async fn open_one_value() {
    let Ok(value) = std::env::var(CHILD) else {
        return;
    };
    let (key, ciphertext) = value.split_once(' ').unwrap();
    let value: &'static Sealed = Box::leak(Box::new(
        Sealed::builder(ciphertext).key(key).build().unwrap(),
    ));
    match value.get().await {
        Ok(_) => println!("OPENED"),
        Err(error) => println!("FAILED {} ({error})", error.kind().name()),
    }
}

fn strace() -> PathBuf {
    ["/usr/bin/strace", "/bin/strace"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .expect("this test needs strace: `apt-get install -y strace` (scripts/test installs it when missing)")
}

/// A value sealed with the emulator: `KEY CIPHERTEXT`.
async fn sealed_value() -> String {
    require_emulator();
    let client = aws_sdk_kms::Client::from_conf(sealed_runtime::default_config().await);
    let key = create_key(&client).await;
    let ciphertext = encrypt(&client, &key, b"canary-roots-51f0", &[], None).await;
    format!("{key} {ciphertext}")
}

/// [`open_one_value`] in a child under strace, with `endpoint` and `env`: what it printed, and
/// every path it opened.
fn traced(value: &str, endpoint: &str, env: &[(&str, &Path)], dir: &Path) -> (String, Vec<String>) {
    let trace = dir.join("trace");
    let child = child_test("open_one_value");
    let mut command = Command::new(strace());
    command
        // every call that names a file (open, openat, stat, access…): a store probed is seen too
        .args(["-f", "-e", "trace=%file", "-o"])
        .arg(&trace)
        .arg(child.get_program())
        .args(child.get_args());
    for (name, _) in std::env::vars() {
        if name.starts_with("AWS_") || name.starts_with("SSL_CERT_") {
            command.env_remove(name);
        }
    }
    command
        .env(CHILD, value)
        .env("AWS_ENDPOINT_URL_KMS", endpoint)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent");
    for (name, path) in env {
        command.env(name, path);
    }
    let output = command.output().unwrap();
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{printed}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let opened = std::fs::read_to_string(&trace)
        .unwrap()
        .lines()
        .filter_map(|line| line.split('"').nth(1).map(str::to_owned))
        .collect();
    (printed, opened)
}

fn stores_opened(opened: &[String]) -> Vec<&String> {
    opened
        .iter()
        .filter(|path| {
            CERTIFICATE_STORES
                .iter()
                .any(|store| path.starts_with(store))
        })
        .collect()
}

#[tokio::test]
async fn a_plain_http_endpoint_loads_no_roots() {
    let value = sealed_value().await;
    let dir = tempfile::tempdir().unwrap();
    let (printed, opened) = traced(&value, &require_emulator(), &[], dir.path());
    assert!(printed.contains("OPENED"), "{printed}");
    assert_eq!(stores_opened(&opened), Vec::<&String>::new());
}

#[tokio::test]
async fn over_tls_the_compiled_in_roots_are_used_and_no_certificate_store_is_read() {
    let value = sealed_value().await;
    let dir = tempfile::tempdir().unwrap();
    let upstream = require_emulator().trim_start_matches("http://").to_owned();
    let proxy = TlsProxy::start(&upstream, dir.path());
    // the test's CA is in no public list: refused, without reading a file to find that out
    let (printed, opened) = traced(&value, &proxy.url, &[], dir.path());
    assert!(printed.contains("FAILED Unreachable"), "{printed}");
    assert!(
        printed.contains("its TLS certificate was refused"),
        "{printed}"
    );
    assert!(printed.contains("SSL_CERT_FILE"), "{printed}");
    assert_eq!(stores_opened(&opened), Vec::<&String>::new());
    let ca = proxy.ca_file.display().to_string();
    assert!(!opened.contains(&ca));
    // named by SSL_CERT_FILE: trusted, that file read and no other store
    let (printed, opened) = traced(
        &value,
        &proxy.url,
        &[("SSL_CERT_FILE", &proxy.ca_file)],
        dir.path(),
    );
    assert!(printed.contains("OPENED"), "{printed}");
    assert!(opened.contains(&ca), "{opened:?}");
    assert_eq!(stores_opened(&opened), Vec::<&String>::new());
    // the control: pointed at the system's store (SSL_CERT_DIR), the same child is seen reading
    // it, so an empty list above is the client's doing, not the trace's
    let system = Path::new("/etc/ssl/certs");
    assert!(
        system.is_dir(),
        "this test needs the system's certificate store in /etc/ssl/certs (`apt-get install ca-certificates`)"
    );
    let (printed, opened) = traced(&value, &proxy.url, &[("SSL_CERT_DIR", system)], dir.path());
    assert!(printed.contains("FAILED Unreachable"), "{printed}");
    assert!(
        printed.contains("SSL_CERT_FILE or SSL_CERT_DIR name"),
        "the error names what was trusted: {printed}"
    );
    assert!(stores_opened(&opened).len() > 10, "{opened:?}");
}
