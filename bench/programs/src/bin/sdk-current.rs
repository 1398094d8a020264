//! One `Decrypt` with the SDK as `sealed` configures it (`sealed_runtime::kms::default_config()`:
//! its HTTP client, timeouts and retries), on a current-thread runtime, no `sealed!`: the ladder
//! between the floor and `sealed` (what the SDK costs, then the multi-thread runtime).
use aws_sdk_kms::primitives::Blob;
use base64::Engine as _;

#[tokio::main(flavor = "current_thread")]
async fn main() {
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
