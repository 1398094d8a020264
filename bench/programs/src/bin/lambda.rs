//! The README's Lambda function: its value `sealed!`, `prefetch()` in INIT.
use lambda_runtime::{service_fn, Error, LambdaEvent};
use sealed_runtime::{sealed, Sealed};
use serde_json::Value;

include!(concat!(env!("OUT_DIR"), "/values_1.rs"));

#[tokio::main]
async fn main() -> Result<(), Error> {
    sealed_runtime::prefetch().await?;
    lambda_runtime::run(service_fn(|_: LambdaEvent<Value>| async {
        Ok::<_, Error>(Value::from(V0.get().await?.len()))
    }))
    .await
}
