//! A Lambda function written for SnapStart and Lambda Managed Instances: `prefetch()` in INIT and
//! one registration line, and no plaintext, credential or connection of INIT in the snapshot.
//! See this example's README and `docs/snapstart.md`.

use lambda_runtime::{service_fn, Error, LambdaEvent, Runtime};
use sealed_runtime::{sealed, Sealed};
use serde_json::{json, Value};
use std::sync::Arc;

/// Sealed with `cargo sealed encrypt --key alias/snapstart` (scripts/test does it against the
/// local emulator). Only ciphertext is in the binary.
static DB_PASSWORD: Sealed = sealed!(file = "secrets/db-password.kms", key = "alias/snapstart");
static API_TOKEN: Sealed = sealed!(file = "secrets/api-token.kms", key = "alias/snapstart");

/// A demo: it answers with the plaintexts so that the harness can see they are right. A real
/// function uses them (a database login, a signed request) and never returns them.
async fn handler(event: LambdaEvent<Value>) -> Result<Value, sealed_runtime::Error> {
    let mut answer = json!({ "db_password": DB_PASSWORD.get().await?.expose_str()? });
    // the token only when asked: a value first read long after the restore (in a Managed
    // Instances environment that outlived its first credentials)
    if event.payload.get("with_token").and_then(Value::as_bool) == Some(true) {
        answer["api_token"] = API_TOKEN.get().await?.expose_str()?.into();
    }
    Ok(answer)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    // INIT. Under SnapStart nothing is decrypted here: `prefetch` keeps its values and the
    // hooks decrypt them after the restore. Elsewhere (no SnapStart, Managed Instances) this is
    // where the values are decrypted, once per process.
    if std::env::var_os("SNAPSTART_EXAMPLE_PLAINTEXT_IN_SNAPSHOT").is_some() {
        // The opt-out: faster restores, and plaintexts no revocation reaches (docs/snapstart.md).
        sealed_runtime::snapstart::allow_plaintext_in_snapshot();
    }
    if std::env::var_os("SNAPSTART_EXAMPLE_NO_PREFETCH").is_none() {
        if let Err(error) = sealed_runtime::prefetch().await {
            eprintln!("{error}");
        }
    }
    // The harness's switches: `NO_PREFETCH` leaves every value to its first access (eight
    // invocations at once then share one `Decrypt` per value); `READ_IN_INIT` is its control;
    // `PLAINTEXT_IN_SNAPSHOT` (above) is the opt-out its benchmark compares.
    if std::env::var_os("SNAPSTART_EXAMPLE_READ_IN_INIT").is_some() {
        // What not to do (the harness's control): a value read in a SnapStart INIT is in the
        // snapshot, whatever the library does after; `sealed-runtime` warns, naming it.
        let _ = DB_PASSWORD.get().await?;
    }
    let runtime = Runtime::new(service_fn(handler))
        .register_snapstart_resource(Arc::new(sealed_runtime::lambda::SnapStart::default()));
    // One invocation at a time, or `AWS_LAMBDA_MAX_CONCURRENCY` at once (Managed Instances):
    // `run_concurrent` falls back to `run`'s loop when the variable is unset.
    runtime.run_concurrent().await
}
