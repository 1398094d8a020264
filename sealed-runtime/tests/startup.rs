//! What a process reads and starts to open its first value, as Lambda starts it (credentials and
//! region in the environment, nothing sets `SSL_CERT_FILE`): each case is this binary run again
//! under `strace`, opening one value.
//!
//! * Roots: a plain-HTTP endpoint loads none; over TLS the roots compiled in are used and no file
//!   of the system's certificate store is opened (so a private CA is refused); with
//!   `SSL_CERT_FILE`, that file and only it.
//! * Nothing else: with credentials in the environment no metadata endpoint is asked (instance
//!   or container), and the library starts one thread of its own.
//!
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

/// As a child: opens the value of `SEALED_ROOTS_CHILD` and prints `OPENED` or `FAILED KIND`,
/// then `STARTED` and the names of the threads that the access started.
#[tokio::test]
async fn open_one_value() {
    let Ok(value) = std::env::var(CHILD) else {
        return;
    };
    let (key, ciphertext) = value.split_once(' ').unwrap();
    let value: &'static Sealed = Box::leak(Box::new(
        Sealed::builder(ciphertext).key(key).build().unwrap(),
    ));
    let before = threads();
    match value.get().await {
        Ok(_) => println!("OPENED"),
        Err(error) => println!("FAILED {} ({error})", error.kind().name()),
    }
    let started: Vec<String> = threads()
        .into_iter()
        .filter(|(id, _)| !before.iter().any(|(old, _)| old == id))
        .map(|(_, name)| name)
        .collect();
    println!("STARTED {}", started.join(","));
}

/// The process's live threads: (id, name).
fn threads() -> Vec<(String, String)> {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .map(|task| {
            let task = task.unwrap();
            let name = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
            (
                task.file_name().to_string_lossy().into_owned(),
                name.trim().to_owned(),
            )
        })
        .collect()
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
    let client = aws_sdk_kms::Client::from_conf(sealed_runtime::kms::default_config().await);
    let key = create_key(&client).await;
    let ciphertext = encrypt(&client, &key, b"canary-roots-51f0", &[], None).await;
    format!("{key} {ciphertext}")
}

/// [`open_one_value`] in a child under strace, with `endpoint` and `env`: what it printed, and
/// every path it opened.
fn traced(value: &str, endpoint: &str, env: &[(&str, &Path)], dir: &Path) -> (String, Vec<String>) {
    let mut command = child_of(value, endpoint);
    command.env("AWS_EC2_METADATA_DISABLED", "true");
    for (name, path) in env {
        command.env(name, path);
    }
    // every call that names a file (open, openat, stat, access…): a store probed is seen too
    let (printed, trace) = under_strace(&command, "%file", dir);
    let opened = trace
        .lines()
        .filter_map(|line| line.split('"').nth(1).map(str::to_owned))
        .collect();
    (printed, opened)
}

/// [`open_one_value`] as a child, with `value` and `endpoint`, and as Lambda gives a function
/// its credentials and region: in the environment (`AWS_ACCESS_KEY_ID`, …), no profile file.
fn child_of(value: &str, endpoint: &str) -> Command {
    let mut command = child_test("open_one_value");
    for (name, _) in std::env::vars() {
        if name.starts_with("SSL_CERT_") {
            command.env_remove(name);
        }
    }
    command
        .env(CHILD, value)
        .env("AWS_ENDPOINT_URL_KMS", endpoint)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_SESSION_TOKEN", "test")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent");
    command
}

/// `child` run under `strace -f -e trace=CALLS`, which must succeed: what it printed, and the
/// trace.
fn under_strace(child: &Command, calls: &str, dir: &Path) -> (String, String) {
    let trace = dir.join("trace");
    let mut command = Command::new(strace());
    command
        .args(["-f", "-e", &format!("trace={calls}"), "-o"])
        .arg(&trace)
        .arg(child.get_program())
        .args(child.get_args());
    for (name, value) in child.get_envs() {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    let output = command.output().unwrap();
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{printed}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (printed, std::fs::read_to_string(&trace).unwrap())
}

/// The addresses of the instance metadata service (IPv4, IPv6) and of the container credentials
/// endpoint (ECS, EKS Pod Identity).
const METADATA_ENDPOINTS: [&str; 4] = [
    "169.254.169.254",
    "fd00:ec2::254",
    "169.254.170.2",
    "169.254.170.23",
];

/// The `connect` calls of `trace` to a metadata endpoint.
fn metadata_connects(trace: &str) -> Vec<&str> {
    trace
        .lines()
        .filter(|line| line.contains("connect("))
        .filter(|line| METADATA_ENDPOINTS.iter().any(|a| line.contains(a)))
        .collect()
}

#[tokio::test]
async fn with_credentials_in_its_environment_a_function_asks_no_metadata_endpoint_and_starts_one_thread(
) {
    let value = sealed_value().await;
    let dir = tempfile::tempdir().unwrap();
    let endpoint = require_emulator();
    // as Lambda starts it: nothing disables the instance metadata service
    let (printed, trace) = under_strace(&child_of(&value, &endpoint), "%network", dir.path());
    assert!(printed.contains("OPENED"), "{printed}");
    assert_eq!(metadata_connects(&trace), Vec::<&str>::new(), "{trace}");
    assert!(
        trace.contains("connect("),
        "the trace sees the request to KMS: {trace}"
    );
    // the library's thread, and nothing else: an endpoint named by its address needs no
    // resolver thread
    assert!(endpoint.contains("127.0.0.1"), "{endpoint}");
    assert!(printed.contains("STARTED sealed-kms\n"), "{printed}");
    // by name (as Lambda's endpoints are): one more, the library's runtime's resolver thread
    let by_name = endpoint.replace("127.0.0.1", "localhost");
    let (printed, _) = under_strace(&child_of(&value, &by_name), "%network", dir.path());
    assert!(printed.contains("OPENED"), "{printed}");
    assert!(
        printed.contains("STARTED sealed-kms,sealed-kms\n"),
        "{printed}"
    );

    // the control: without credentials in the environment, the chain goes on to the instance
    // metadata service, and the trace sees it asked
    let mut child = child_of(&value, &endpoint);
    child
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN");
    // (on a machine with an instance profile it may even succeed: only the asking is asserted)
    let (_, trace) = under_strace(&child, "%network", dir.path());
    assert!(!metadata_connects(&trace).is_empty(), "{trace}");
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
