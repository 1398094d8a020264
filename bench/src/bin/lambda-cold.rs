//! A Lambda function for the cold-path measurement: its sealed value is decrypted in INIT
//! (`SEALED_BENCH_PREFETCH=1`, as recommended) or on the first invocation (`=0`).
use lambda_runtime::{service_fn, Error, LambdaEvent};
use sealed_runtime::Sealed;
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let (ciphertext, key) = sealed_bench::target();
    let value: &'static Sealed = Box::leak(Box::new(
        Sealed::builder(ciphertext)
            .key(key)
            .allow_emulator(true)
            .build()?,
    ));
    if std::env::var("SEALED_BENCH_PREFETCH").as_deref() == Ok("1") {
        sealed_runtime::prefetch_values([*value]).await?;
    }
    lambda_runtime::run(service_fn(move |_: LambdaEvent<Value>| async move {
        Ok::<_, Error>(Value::from(value.get().await?.len()))
    }))
    .await
}
