//! An endpoint where nothing listens: the connection is refused at once, every attempt. With the
//! library's own client (its default `KmsSettings`: 3 attempts, 6 s per operation) the first
//! access fails `Unreachable` well within the deadline, names the endpoint, the attempts and the
//! elapsed time, caches nothing, and the next access tries again. Needs no emulator: nothing
//! answers, by design. Its own test binary, so that the process-wide client is built here.

use std::time::{Duration, Instant};

use sealed_runtime::{ErrorKind, KmsSettings, Sealed};

/// A valid AWS ciphertext (a sample of `shared/samples`); it never reaches a server.
const PAGERDUTY: &str = "AQICAHhh7Ku/BWdSbCqos9k49Vnk1+WytvoesgX+1bOvLAlyegHa210D93pgytNnThR9qVVxAAAAmjCBlwYJKoZIhvcNAQcGoIGJMIGGAgEAMIGABgkqhkiG9w0BBwEwHgYJYIZIAWUDBAEuMBEEDKkH9le72xKmMsgjTQIBEIBT/7MbIV2sG6Hh+fb8BJQ9a6VNOZ1rhPAgvSET6IUdiki92fMZ6dDBOpmSSuaa3t8KIF9KtrlbQAYQNtPVHUvFl1GpyM0k8bD7jLSsUPeRjFNoI+Q=";

#[tokio::test]
async fn a_refused_connection_is_unreachable_within_the_deadline_after_three_attempts() {
    // a loopback port that was free a moment ago and has no listener now
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = format!("http://127.0.0.1:{port}");
    std::env::set_var("AWS_ENDPOINT_URL_KMS", &endpoint);
    std::env::set_var("AWS_REGION", "us-east-1");
    std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
    let value = Sealed::builder(PAGERDUTY)
        .key("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
        .build()
        .unwrap();

    let started = Instant::now();
    let error = value.get().await.unwrap_err();
    let elapsed = started.elapsed();
    println!("refused: error after {} ms: {error}", elapsed.as_millis());
    assert_eq!(error.kind(), &ErrorKind::Unreachable, "{error}");
    assert_eq!(error.attempts(), Some(3), "{error}");
    // three refusals and two backoffs (at most 0.5 s and 1 s with jitter): far below the 6 s
    // operation timeout, and not instant either
    let settings = KmsSettings::default();
    assert!(elapsed < settings.operation_timeout, "{elapsed:?}");
    let message = error.to_string();
    assert!(message.contains("KMS is unreachable"), "{message}");
    assert!(message.contains(&endpoint), "{message}");
    assert!(message.contains("3 attempts in"), "{message}");
    assert!(message.contains("us-east-1"), "{message}");
    assert!(value.try_get().is_none(), "nothing cached");

    // nothing is remembered: the next access goes back to the network
    let again = value.get().await.unwrap_err();
    assert_eq!(again.kind(), &ErrorKind::Unreachable);
    assert_eq!(again.attempts(), Some(3));
    assert!(started.elapsed() < Duration::from_secs(12));
}
