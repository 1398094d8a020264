//! One artifact for every stage: a Lambda function whose secrets come from the stage set
//! `secrets/app.stages` (dev and prod, each with its own bundle, key and account). The build
//! checks that every stage holds every value this code reads; the binary holds every stage's
//! ciphertext and is the same whichever stage it runs as; `SEALED_STAGE` chooses at start-up. See
//! this example's README and `scripts/demo --stages`.

use lambda_runtime::{service_fn, Error, LambdaEvent};
use sealed_runtime::{sealed, Sealed};
use serde_json::Value;

/// In every stage: the build fails if one lacks it, naming the stage and the command that fills
/// it.
static GREETING: Sealed = sealed!(stages = "secrets/app.stages", name = "greeting");

/// Only in dev: prod's bundle need not hold it, and reading it as prod is an error
/// (`sealed.StageExcluded`), never another stage's value.
static DEBUG_TOKEN: Sealed = sealed!(
    stages = "secrets/app.stages",
    name = "debug_token",
    only = ["dev"]
);

/// Answers with the greeting, or with the debug token when the event is `{"debug": true}`.
async fn handler(event: LambdaEvent<Value>) -> Result<Value, sealed_runtime::Error> {
    let value = if event.payload["debug"] == Value::Bool(true) {
        &DEBUG_TOKEN
    } else {
        &GREETING
    };
    let secret = value.get().await?;
    Ok(Value::String(secret.expose_str()?.to_owned()))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    // INIT: the stage is chosen here (from SEALED_STAGE, once), then one Decrypt opens the
    // stage's bundle. A failure — no stage selected, an unknown one, a key the role may not use —
    // is printed and not fatal: each invocation's access tries again and reports it.
    if let Err(error) = sealed_runtime::prefetch().await {
        eprintln!("{error}");
    }
    lambda_runtime::run(service_fn(handler)).await
}
