//! A Lambda function that answers with the plaintext of a sealed value: the original use case of
//! `sealed`, written the way we recommend. See this example's README.

use lambda_runtime::{service_fn, Error, LambdaEvent};
use sealed_runtime::{sealed, Sealed};
use serde_json::Value;

/// `hello, world!`, sealed with `cargo sealed encrypt --key alias/lambda --out secrets/hello.kms`
/// (`scripts/demo` does it against the local emulator). Only ciphertext is in the binary.
static HELLO: Sealed = sealed!(file = "secrets/hello.kms", key = "alias/lambda");

/// Answers every event with the secret. After `prefetch` this is a memory read; if INIT could not
/// decrypt it (say, `kms:Decrypt` was missing), this access tries again and its error — which
/// names the value, the key and the statement to add — is the invocation's error. Returned as
/// `sealed_runtime::Error` (the `lambda` feature), Lambda reports it with `errorType`
/// `sealed.AccessDenied` and the whole message as `errorMessage`.
async fn handler(_event: LambdaEvent<Value>) -> Result<Value, sealed_runtime::Error> {
    let secret = HELLO.get().await?;
    Ok(Value::String(secret.expose_str()?.to_owned()))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    // INIT: one client, one TLS handshake, every sealed value decrypted before the first event.
    // A failure is reported and not fatal: the handler's access tries again.
    if let Err(error) = sealed_runtime::prefetch().await {
        eprintln!("{error}");
    }
    lambda_runtime::run(service_fn(handler)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_kms::operation::decrypt::DecryptOutput;
    use aws_sdk_kms::primitives::Blob;
    use aws_smithy_mocks::{mock, mock_client, RuleMode};
    use lambda_runtime::Context;

    /// The handler answers with the plaintext, decrypting once however many events come; the
    /// key it pins is the one KMS is asked for.
    #[tokio::test]
    async fn the_handler_answers_with_the_secret_and_decrypts_once() {
        let arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        let rule = mock!(aws_sdk_kms::Client::decrypt)
            .match_requests(|req| req.key_id() == Some("alias/lambda"))
            .then_output(move || {
                DecryptOutput::builder()
                    .key_id(arn)
                    .plaintext(Blob::new(&b"hello, world!"[..]))
                    .build()
            });
        sealed_runtime::set_client(&mock_client!(aws_sdk_kms, RuleMode::MatchAny, [&rule]))
            .unwrap();
        for _ in 0..3 {
            let event = LambdaEvent::new(Value::Null, Context::default());
            assert_eq!(
                handler(event).await.unwrap(),
                Value::String("hello, world!".into())
            );
        }
        assert_eq!(rule.num_calls(), 1);
    }

    // Two tests, two outcomes for the same `static`: `sealed_runtime::testing::scope` gives
    // each test its own, whatever the others (and the process-wide cache) hold.
    use sealed_runtime::testing::{scope, Outcomes};
    use sealed_runtime::ErrorKind;

    #[tokio::test]
    async fn with_the_secret_the_handler_answers_with_it() {
        let outcomes = Outcomes::new().plaintext(&HELLO, "hello from a test");
        let event = LambdaEvent::new(Value::Null, Context::default());
        let answer = scope(outcomes, handler(event)).await.unwrap();
        assert_eq!(answer, Value::String("hello from a test".into()));
    }

    #[tokio::test]
    async fn without_kms_decrypt_the_handler_fails_naming_the_value() {
        let outcomes = Outcomes::new().error(&HELLO, ErrorKind::AccessDenied);
        let event = LambdaEvent::new(Value::Null, Context::default());
        let error = scope(outcomes, handler(event)).await.unwrap_err();
        let message = error.to_string();
        // as Lambda reports it: what happened, then the message
        let diagnostic = lambda_runtime::Diagnostic::from(error);
        assert_eq!(diagnostic.error_type, "sealed.AccessDenied");
        assert_eq!(diagnostic.error_message, message);
        assert!(message.starts_with("access denied to kms:Decrypt for the sealed value at examples/lambda-hello/src/main.rs:"), "{message}");
        assert!(message.contains("\"Action\": \"kms:Decrypt\""), "{message}");
    }
}
