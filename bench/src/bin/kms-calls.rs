//! KMS calls and latency against the emulator, in one process: 1,000 handler invocations with
//! `sealed` (decrypt once) and with the seed approach (decrypt in the handler); 1,000 concurrent
//! first accesses; 32 values with `prefetch_values` against awaiting them one by one and against
//! a single decrypt. Prints one JSON object. With `--latency-model`, the prefetch comparison
//! against a KMS stand-in with 20 ms of latency and no queueing (see `latency_server`).
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_kms::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_kms::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_kms::error::BoxError;
use aws_sdk_kms::primitives::Blob;
use base64::Engine as _;
use sealed_runtime::Sealed;

#[derive(Debug)]
struct Calls(Arc<AtomicUsize>);

impl Intercept for Calls {
    fn name(&self) -> &'static str {
        "count"
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

fn value(ciphertext: &str, key: &str) -> &'static Sealed {
    let built = Sealed::builder(ciphertext)
        .key(key)
        .allow_emulator(true)
        .build()
        .unwrap();
    Box::leak(Box::new(built))
}

/// A bundle of one value made as `cargo sealed bundle` makes it (a key pair from KMS, the value
/// sealed to its public key), read at run time: a new bundle each call, so its first access
/// decrypts.
async fn bundle_value(client: &aws_sdk_kms::Client, key: &str) -> &'static Sealed {
    use base64::Engine as _;
    use sealed_format::Bundle;
    let id = sealed_runtime::__tools::new_bundle_id().unwrap();
    let generated = client
        .generate_data_key_pair_without_plaintext()
        .key_id(key)
        .key_pair_spec(aws_sdk_kms::types::DataKeyPairSpec::EccNistP256)
        .encryption_context(sealed_format::BUNDLE_CONTEXT_KEY, hex::encode(id))
        .send()
        .await
        .unwrap();
    let wrapped = base64::engine::general_purpose::STANDARD
        .encode(generated.private_key_ciphertext_blob().unwrap().as_ref());
    let public_key = generated.public_key().unwrap().as_ref().to_vec();
    let mut bundle = Bundle::new(id, key.to_owned(), Vec::new(), public_key, wrapped).unwrap();
    let sealed = sealed_runtime::__tools::seal_value(&bundle, "v", 1, b"bench-plaintext").unwrap();
    bundle.set("v", 1, sealed).unwrap();
    let built = Sealed::from_bundle(bundle.render(), "v")
        .expect_key(key)
        .allow_emulator(true)
        .build()
        .unwrap();
    Box::leak(Box::new(built))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// A loopback HTTP server answering every `Decrypt` after 20 ms with a fixed plaintext.
async fn latency_server() -> std::net::SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0; 8192];
                loop {
                    let Ok(n) = stream.read(&mut buf).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    request.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&request);
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text[..end]
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if request.len() < end + 4 + length {
                            continue;
                        }
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        let body = r#"{"KeyId":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab","Plaintext":"aGVsbG8sIHdvcmxkIQ==","EncryptionAlgorithm":"SYMMETRIC_DEFAULT"}"#;
                        let response = format!("HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: {}\r\n\r\n{body}", body.len());
                        if stream.write_all(response.as_bytes()).await.is_err() {
                            return;
                        }
                        request.clear();
                    }
                }
            });
        }
    });
    address
}

/// `--latency-model`: medians of 7 rounds of 32 values with `prefetch_values`, and of one value,
/// with the library's client pointed at the stand-in.
async fn latency_model() {
    let address = latency_server().await;
    let config = sealed_runtime::kms::default_config()
        .await
        .to_builder()
        .endpoint_url(format!("http://{address}"))
        .build();
    sealed_runtime::set_client(&aws_sdk_kms::Client::from_conf(config)).unwrap();
    let ciphertext = "AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=";
    let fresh = || Sealed::builder(ciphertext).build().unwrap();
    // one round first: connection set-up is not what is compared
    fresh().get().await.map(|_| ()).unwrap_or_default();
    let (mut prefetch, mut single) = (Vec::new(), Vec::new());
    for _ in 0..7 {
        let values: Vec<Sealed> = (0..32).map(|_| fresh()).collect();
        let started = Instant::now();
        sealed_runtime::prefetch_values(values).await.unwrap();
        prefetch.push(ms(started.elapsed()));
        let one: &'static Sealed = Box::leak(Box::new(fresh()));
        let started = Instant::now();
        one.get().await.unwrap();
        single.push(ms(started.elapsed()));
    }
    println!(
        "{{\"prefetch32_latency_ms\": {:.2}, \"single_latency_ms\": {:.2}}}",
        median(prefetch),
        median(single)
    );
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--latency-model") {
        return latency_model().await;
    }
    let (ciphertext, key) = sealed_bench::target();
    let calls = Arc::new(AtomicUsize::new(0));
    let config = sealed_runtime::kms::default_config()
        .await
        .to_builder()
        .interceptor(Calls(calls.clone()))
        .build();
    let client = aws_sdk_kms::Client::from_conf(config);
    sealed_runtime::set_client(&client).unwrap();
    let count = || calls.load(Ordering::SeqCst);
    let invocations = 1000;

    // 1,000 handler invocations, sealed: the first decrypts, the rest read memory
    let sealed_value = value(&ciphertext, &key);
    let (before, started) = (count(), Instant::now());
    for _ in 0..invocations {
        assert!(!sealed_value.get().await.unwrap().is_empty());
    }
    let sealed_calls = count() - before;
    let sealed_ms = ms(started.elapsed());

    // the seed approach: Decrypt inside the handler, every time
    let blob = base64::engine::general_purpose::STANDARD
        .decode(&ciphertext)
        .unwrap();
    let (before, started) = (count(), Instant::now());
    for _ in 0..invocations {
        let output = client
            .decrypt()
            .ciphertext_blob(Blob::new(blob.clone()))
            .key_id(&key)
            .send()
            .await
            .unwrap();
        assert!(output.plaintext().is_some());
    }
    let naive_calls = count() - before;
    let naive_ms = ms(started.elapsed());

    // 1,000 concurrent first accesses
    let shared = value(&ciphertext, &key);
    let before = count();
    let tasks: Vec<_> = (0..1000)
        .map(|_| tokio::spawn(async move { shared.get().await.map(sealed_runtime::Secret::len) }))
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let concurrent_calls = count() - before;

    // 32 values: prefetch_values, one by one, and one decrypt alone (medians of 7 rounds)
    let (mut prefetch, mut serial, mut single) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..7 {
        let values: Vec<Sealed> = (0..32).map(|_| *value(&ciphertext, &key)).collect();
        let started = Instant::now();
        sealed_runtime::prefetch_values(values).await.unwrap();
        prefetch.push(ms(started.elapsed()));
        let values: Vec<&Sealed> = (0..32).map(|_| value(&ciphertext, &key)).collect();
        let started = Instant::now();
        for v in values {
            v.get().await.unwrap();
        }
        serial.push(ms(started.elapsed()));
        let one = value(&ciphertext, &key);
        let started = Instant::now();
        one.get().await.unwrap();
        single.push(ms(started.elapsed()));
    }
    // the first access of a bundle value against a plain value's, interleaved (medians of 15)
    let (mut bundle_first, mut plain_first) = (Vec::new(), Vec::new());
    for _ in 0..15 {
        let bundled = bundle_value(&client, &key).await;
        let plain = value(&ciphertext, &key);
        let started = Instant::now();
        bundled.get().await.unwrap();
        bundle_first.push(ms(started.elapsed()));
        let started = Instant::now();
        plain.get().await.unwrap();
        plain_first.push(ms(started.elapsed()));
    }
    println!(
        "{{\"invocations\": {invocations}, \"sealed_calls\": {sealed_calls}, \"sealed_ms\": {sealed_ms:.1}, \"naive_calls\": {naive_calls}, \"naive_ms\": {naive_ms:.1}, \"concurrent_calls\": {concurrent_calls}, \"prefetch32_ms\": {:.2}, \"serial32_ms\": {:.2}, \"single_ms\": {:.2}, \"bundle_first_ms\": {:.3}, \"plain_first_ms\": {:.3}}}",
        median(prefetch),
        median(serial),
        median(single),
        median(bundle_first),
        median(plain_first)
    );
}
