//! The programs the benchmarks run (`src/bin/`), as users write them; `scripts/bench` drives and
//! times them, `build.rs` lists their values. This library holds what two programs share.

use std::time::Duration;

use aws_sdk_kms::primitives::Blob;
use base64::Engine as _;

use sealed_runtime::KmsSettings;

/// One `Decrypt` with the SDK as `sealed` configures it (`sealed_runtime::kms::default_config()`:
/// its HTTP client, timeouts and retries), of `SEALED_BENCH_CIPHERTEXT` under `SEALED_BENCH_KEY`,
/// on the caller's runtime, no `sealed!`: the ladder's rungs between the floor and `sealed`
/// (`sdk-current`, `sdk-multi`). Prints the plaintext's length.
///
/// # Panics
/// When the environment lacks the key or the ciphertext, or KMS refuses: the benchmark stops.
pub async fn sdk_decrypt() {
    let key = std::env::var("SEALED_BENCH_KEY").unwrap();
    let text = std::env::var("SEALED_BENCH_CIPHERTEXT").unwrap();
    let client = aws_sdk_kms::Client::from_conf(sealed_runtime::kms::default_config().await);
    let blob = base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap();
    let out = client
        .decrypt()
        .ciphertext_blob(Blob::new(blob))
        .key_id(key)
        .send()
        .await
        .unwrap();
    println!("{}", out.plaintext().unwrap().as_ref().len());
}

/// `SEALED_STORM_<NAME>` in milliseconds (or a count), else `default`.
fn knob(name: &str, default: u64) -> u64 {
    std::env::var(format!("SEALED_STORM_{name}"))
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One execution environment of the storm: INIT is `prefetch()` of every registered value, with
/// the library's retry settings unless the storm's variant changes them (`SEALED_STORM_RETRY=adaptive`:
/// the SDK's adaptive mode; `SEALED_STORM_ATTEMPTS`, `_BACKOFF`, `_MAX_BACKOFF`, `_TIMEOUT`).
/// Prints `ok COUNT`, or `fail FAILURES KINDS` and exits 1.
///
/// # Panics
/// When a client was installed before (nothing in the storm's programs does that).
pub async fn storm_init() {
    let adaptive = std::env::var("SEALED_STORM_RETRY").as_deref() == Ok("adaptive");
    let tuned =
        std::env::vars().any(|(k, _)| k.starts_with("SEALED_STORM_") && k != "SEALED_STORM_RETRY");
    if adaptive || tuned {
        let default = KmsSettings::default();
        let ms = |name, d: Duration| {
            Duration::from_millis(knob(name, u64::try_from(d.as_millis()).unwrap_or(u64::MAX)))
        };
        let settings = KmsSettings {
            max_attempts: u32::try_from(knob("ATTEMPTS", default.max_attempts.into()))
                .unwrap_or(u32::MAX),
            initial_backoff: ms("BACKOFF", default.initial_backoff),
            max_backoff: ms("MAX_BACKOFF", default.max_backoff),
            operation_timeout: ms("TIMEOUT", default.operation_timeout),
            ..default
        };
        let retry = if adaptive {
            aws_sdk_kms::config::retry::RetryConfig::adaptive()
                .with_max_attempts(settings.max_attempts)
                .with_initial_backoff(settings.initial_backoff)
                .with_max_backoff(settings.max_backoff)
        } else {
            settings.retry_config()
        };
        let config = sealed_runtime::kms::default_config()
            .await
            .to_builder()
            .retry_config(retry)
            .timeout_config(settings.timeout_config())
            .build();
        sealed_runtime::set_client(&aws_sdk_kms::Client::from_conf(config)).unwrap();
    }
    match sealed_runtime::prefetch().await {
        Ok(count) => println!("ok {count}"),
        Err(error) => {
            let mut kinds: Vec<String> = error
                .failures
                .iter()
                .map(|(_, e)| format!("{:?}", e.kind()))
                .collect();
            kinds.dedup();
            println!("fail {} {}", error.failures.len(), kinds.join(","));
            std::process::exit(1);
        }
    }
}
