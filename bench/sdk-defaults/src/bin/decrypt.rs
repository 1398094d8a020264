//! The cold-start job with aws-sdk-kms on its default features (built with `--features
//! defaults`): every value of `SEALED_BENCH_CIPHERTEXTS` decrypted concurrently.
use aws_sdk_kms::primitives::Blob;
use base64::Engine as _;

#[tokio::main]
async fn main() {
    let key = std::env::var("SEALED_BENCH_KEY").unwrap();
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let client = aws_sdk_kms::Client::new(&config);
    let texts = std::env::var("SEALED_BENCH_CIPHERTEXTS").unwrap();
    let tasks: Vec<_> = texts
        .split(',')
        .map(|text| {
            let blob = base64::engine::general_purpose::STANDARD
                .decode(text)
                .unwrap();
            let (client, key) = (client.clone(), key.clone());
            tokio::spawn(async move {
                let out = client
                    .decrypt()
                    .ciphertext_blob(Blob::new(blob))
                    .key_id(key)
                    .send()
                    .await
                    .unwrap();
                out.plaintext().unwrap().as_ref().len()
            })
        })
        .collect();
    let mut first = 0;
    for task in tasks {
        first = task.await.unwrap();
    }
    println!("{first}");
}
