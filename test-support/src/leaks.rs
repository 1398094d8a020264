//! Plaintexts made up for a test, and the check that none of them reaches an error's message,
//! a `Debug` or a log line (S3).

use std::io;
use std::sync::{Arc, Mutex, OnceLock};

/// A value made up for this run (never a real secret): `prefix`, the time and the process.
pub fn canary(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{prefix}-{nanos:x}-{}", std::process::id())
}

/// Everything `tracing` writes in this test binary, at every level (the SDK's own included).
///
/// # Panics
/// When another subscriber was installed first.
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
///
/// # Panics
/// When it is found, or nothing was logged at all.
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
