//! The same job with aws-sdk-kms alone: what a user writes without `sealed`, on the same HTTP
//! client (TLS stack) as `sealed`, so that the comparison is of the library, not of the stack.
//! Section 3's cold-start tables compare with the SDK on its default features instead.
use aws_sdk_kms::primitives::Blob;
use base64::Engine as _;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let (ciphertext, key) = sealed_bench::target();
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(sealed_runtime::kms::http_client())
        .load()
        .await;
    let client = aws_sdk_kms::Client::new(&config);
    let blob = base64::engine::general_purpose::STANDARD
        .decode(ciphertext)
        .unwrap();
    let output = client
        .decrypt()
        .ciphertext_blob(Blob::new(blob))
        .key_id(key)
        .send()
        .await
        .unwrap();
    println!("{}", output.plaintext().unwrap().as_ref().len());
}
