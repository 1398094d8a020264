//! The README's Lambda function on aws-sdk-kms's default features (built with `--features
//! defaults`): the value decrypted in INIT.
use aws_sdk_kms::primitives::Blob;
use base64::Engine as _;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let key = std::env::var("SEALED_BENCH_KEY")?;
    let text = std::env::var("SEALED_BENCH_CIPHERTEXTS")?;
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let client = aws_sdk_kms::Client::new(&config);
    let blob = base64::engine::general_purpose::STANDARD
        .decode(text.split(',').next().unwrap_or_default())?;
    let out = client
        .decrypt()
        .ciphertext_blob(Blob::new(blob))
        .key_id(key)
        .send()
        .await?;
    let length = out.plaintext().map_or(0, |p| p.as_ref().len());
    lambda_runtime::run(service_fn(move |_: LambdaEvent<Value>| async move {
        Ok::<_, Error>(Value::from(length))
    }))
    .await
}
