//! Shared by the runtime's test binaries (each uses part of it).
#![allow(dead_code)]

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use aws_sdk_kms::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_kms::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_kms::error::BoxError;

/// Everything `tracing` writes in this test binary, at every level (the SDK's own included).
pub fn captured_logs() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || LogWriter(writer.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("one subscriber");
        logs
    })
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// No trace of `canary` in `text` (an error's `Display` and `Debug`, say) nor in the logs, as
/// it is or base64-encoded as KMS sends it (S3).
pub fn assert_no_canary(canary: &[u8], text: &str) {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(canary);
    let canary = String::from_utf8_lossy(canary);
    let logs = captured_logs().lock().unwrap();
    assert!(
        !logs.is_empty(),
        "nothing was logged: the capture is not working"
    );
    let logs = String::from_utf8_lossy(&logs);
    for form in [&*canary, encoded.trim_end_matches('=')] {
        assert!(!text.contains(form), "plaintext leaked: {text}");
        assert!(!logs.contains(form), "plaintext in the logs");
    }
}

/// Encrypts `plaintext` with a real (emulated) KMS and returns the base64 to seal.
pub async fn encrypt(
    client: &aws_sdk_kms::Client,
    key: &str,
    plaintext: &[u8],
    context: &[(&str, &str)],
    algorithm: Option<aws_sdk_kms::types::EncryptionAlgorithmSpec>,
) -> String {
    use base64::Engine as _;
    let mut request = client
        .encrypt()
        .key_id(key)
        .plaintext(aws_sdk_kms::primitives::Blob::new(plaintext))
        .set_encryption_algorithm(algorithm);
    for (k, v) in context {
        request = request.encryption_context(*k, *v);
    }
    let blob = request.send().await.unwrap().ciphertext_blob.unwrap();
    base64::engine::general_purpose::STANDARD.encode(blob.as_ref())
}

/// Counts the requests a client sends (an interceptor, added to the client's config).
#[derive(Debug)]
pub struct Calls(pub Arc<AtomicUsize>);

impl Intercept for Calls {
    fn name(&self) -> &'static str {
        "count-calls"
    }
    fn read_before_transmit(
        &self,
        _: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

/// A new symmetric key on the server the client talks to; its ARN.
pub async fn create_key(client: &aws_sdk_kms::Client) -> String {
    let created = client.create_key().send().await.unwrap();
    created.key_metadata.unwrap().arn.unwrap()
}

/// What each request sent, from the signed request on the wire: the region of its `SigV4`
/// credential scope and the `KeyId` of its body.
#[derive(Debug, Default, Clone)]
pub struct Sent(pub Arc<Mutex<Vec<(String, String)>>>);

impl Sent {
    /// The (region, key id) of every request so far that named `key_id_part`.
    pub fn naming(&self, key_id_part: &str) -> Vec<(String, String)> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, key)| key.contains(key_id_part))
            .cloned()
            .collect()
    }
}

impl Intercept for Sent {
    fn name(&self) -> &'static str {
        "sent-region-and-key"
    }
    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request();
        // `AWS4-HMAC-SHA256 Credential=AKID/20261201/eu-west-1/kms/aws4_request, …`
        let region = request
            .headers()
            .get("authorization")
            .and_then(|auth| auth.split("Credential=").nth(1))
            .and_then(|scope| scope.split('/').nth(2))
            .unwrap_or("")
            .to_owned();
        let body = request
            .body()
            .bytes()
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("");
        let key = body
            .split("\"KeyId\":\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or("")
            .to_owned();
        self.0.lock().unwrap().push((region, key));
        Ok(())
    }
}

/// A command that runs this test binary's `test` alone, in a child process without any `AWS_…`
/// variable of the parent's: the child sees only what the caller sets.
pub fn child_test(test: &str) -> std::process::Command {
    let mut command = std::process::Command::new(std::env::current_exe().unwrap());
    command.args(["--exact", test, "--nocapture", "--test-threads=1"]);
    for (name, _) in std::env::vars() {
        if name.starts_with("AWS_") {
            command.env_remove(name);
        }
    }
    command
}

/// Runs `command` (a [`child_test`]), which must succeed; its standard output.
pub fn stdout_of(command: &mut std::process::Command) -> String {
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}
