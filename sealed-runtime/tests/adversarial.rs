//! Against the moto emulator, trying hard to break it: tampered ciphertexts (S10) and load.
//! Needs `eval "$(scripts/dev-kms)"` and `--features emulator`.
#![cfg(feature = "emulator")]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use base64::Engine as _;
use sealed_runtime::{set_client, Sealed};

use sealed_test_support as support;

use support::{create_key, Calls};

const CANARY: &[u8] = b"canary-adversarial-31f7";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// What a tampered blob led to.
#[derive(Debug, Default)]
struct Outcomes {
    rejected_offline: usize,
    rejected_by_kms: usize,
}

/// Builds and decrypts `bytes` pinned to `key`: it must fail, offline or at KMS, never yield.
async fn must_fail(
    bytes: &[u8],
    key: &str,
    context: &[(&str, &str)],
    outcomes: &mut Outcomes,
    what: &str,
) {
    let mut builder = Sealed::builder(b64(bytes)).key(key);
    for (k, v) in context {
        builder = builder.context(*k, *v);
    }
    match builder.build() {
        Err(_) => outcomes.rejected_offline += 1,
        Ok(value) => {
            let value: &'static Sealed = Box::leak(Box::new(value));
            match value.get().await {
                Err(error) => {
                    outcomes.rejected_by_kms += 1;
                    let text = format!("{error} {error:?}");
                    assert!(
                        !text.contains(std::str::from_utf8(CANARY).unwrap()),
                        "{what}: {text}"
                    );
                }
                Ok(secret) => panic!(
                    "{what}: a tampered ciphertext decrypted to {} bytes",
                    secret.len()
                ),
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s10_every_bit_flip_truncation_and_swap_fails() {
    assert!(
        std::env::var_os("AWS_ENDPOINT_URL_KMS").is_some(),
        "this test needs the KMS emulator: run `eval \"$(scripts/dev-kms)\"` first (scripts/test does)"
    );
    support::captured_logs();
    let calls = Arc::new(AtomicUsize::new(0));
    let config = sealed_runtime::kms::default_config().await;
    let client = aws_sdk_kms::Client::from_conf(config.clone());
    set_client(&aws_sdk_kms::Client::from_conf(
        config
            .to_builder()
            .interceptor(Calls(calls.clone()))
            .build(),
    ))
    .unwrap();
    let key_a = create_key(&client).await;
    let key_b = create_key(&client).await;
    let context = [("app", "billing")];
    let blob_a = base64::engine::general_purpose::STANDARD
        .decode(support::encrypt(&client, &key_a, CANARY, &context, None).await)
        .unwrap();
    let blob_b = base64::engine::general_purpose::STANDARD
        .decode(support::encrypt(&client, &key_b, CANARY, &context, None).await)
        .unwrap();
    // the untouched blob decrypts: the harness can tell success from failure
    let good = Sealed::builder(b64(&blob_a))
        .key(&key_a)
        .context("app", "billing")
        .build()
        .unwrap();
    let good: &'static Sealed = Box::leak(Box::new(good));
    assert_eq!(good.get().await.unwrap().expose(), CANARY);

    let mut outcomes = Outcomes::default();
    let mut tries = 0;
    for byte in 0..blob_a.len() {
        for bit in 0..8 {
            let mut flipped = blob_a.clone();
            flipped[byte] ^= 1 << bit;
            must_fail(
                &flipped,
                &key_a,
                &context,
                &mut outcomes,
                &format!("byte {byte} bit {bit}"),
            )
            .await;
            tries += 1;
        }
    }
    for cut in 1..blob_a.len() {
        must_fail(
            &blob_a[..cut],
            &key_a,
            &context,
            &mut outcomes,
            &format!("prefix {cut}"),
        )
        .await;
        tries += 1;
    }
    // swapped between keys: A's blob pinned to B, B's blob pinned to A, and without the context
    must_fail(&blob_a, &key_b, &context, &mut outcomes, "A's blob under B").await;
    must_fail(&blob_b, &key_a, &context, &mut outcomes, "B's blob under A").await;
    must_fail(&blob_a, &key_a, &[], &mut outcomes, "no context").await;
    must_fail(
        &blob_a,
        &key_a,
        &[("app", "Billing")],
        &mut outcomes,
        "context case",
    )
    .await;
    tries += 4;
    assert_eq!(outcomes.rejected_offline + outcomes.rejected_by_kms, tries);
    // and nothing of the canary reached the logs (checked once: the logs are long)
    support::assert_no_canary(CANARY, "");
    println!(
        "S10: {tries} tampered ciphertexts ({} bytes): {} rejected offline, {} rejected by KMS, 0 decrypted; {} Decrypt calls",
        blob_a.len(),
        outcomes.rejected_offline,
        outcomes.rejected_by_kms,
        calls.load(Ordering::SeqCst)
    );
}

/// Peak resident memory of this process, from `/proc/self/status` (`VmHWM`, KiB).
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status (Linux)");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}

#[test]
fn load_ten_thousand_tasks_on_fifty_values_make_fifty_decrypts() {
    assert!(
        std::env::var_os("AWS_ENDPOINT_URL_KMS").is_some(),
        "this test needs the KMS emulator: run `eval \"$(scripts/dev-kms)\"` first (scripts/test does)"
    );
    // its own process-wide client would clash with the other test's: run in a child process
    if std::env::var_os("SEALED_LOAD_CHILD").is_none() {
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "load_ten_thousand_tasks_on_fifty_values_make_fifty_decrypts",
                "--nocapture",
            ])
            .env("SEALED_LOAD_CHILD", "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        println!("{stdout}");
        assert!(
            output.status.success(),
            "{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            stdout.contains("load: 10000 tasks, 50 values, 50 Decrypt calls"),
            "{stdout}"
        );
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let calls = Arc::new(AtomicUsize::new(0));
        let config = sealed_runtime::kms::default_config().await;
        let client = aws_sdk_kms::Client::from_conf(config.clone());
        set_client(&aws_sdk_kms::Client::from_conf(
            config.to_builder().interceptor(Calls(calls.clone())).build(),
        ))
        .unwrap();
        let key = create_key(&client).await;
        let mut values: Vec<&'static Sealed> = Vec::new();
        for i in 0..50 {
            let text = support::encrypt(&client, &key, format!("value-{i}").as_bytes(), &[], None).await;
            values.push(Box::leak(Box::new(Sealed::builder(text).key(&key).build().unwrap())));
        }
        let before_rss = peak_rss_kib();
        let started = std::time::Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for task in 0..10_000 {
            let value = values[task % 50];
            let expected = format!("value-{}", task % 50);
            tasks.spawn(async move {
                // during the first access and after it: each value its own plaintext
                for _ in 0..3 {
                    let secret = value.get().await.unwrap();
                    assert_eq!(secret.expose(), expected.as_bytes());
                    tokio::task::yield_now().await;
                }
            });
        }
        while let Some(result) = tasks.join_next().await {
            result.unwrap();
        }
        let elapsed = started.elapsed();
        let decrypts = calls.load(Ordering::SeqCst);
        println!(
            "load: 10000 tasks, 50 values, {decrypts} Decrypt calls, {} ms, peak RSS {} MiB (before the tasks: {} MiB)",
            elapsed.as_millis(),
            peak_rss_kib() / 1024,
            before_rss / 1024
        );
        assert_eq!(decrypts, 50);
        assert!(peak_rss_kib() < 512 * 1024, "memory is bounded");
    });
}
