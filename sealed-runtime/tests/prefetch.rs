//! `prefetch()` decrypts every `sealed!` of the binary at once and reports each failure with its
//! value; a key ARN sends `Decrypt` to the ARN's region. Against `aws-smithy-mocks`.

use aws_sdk_kms::operation::decrypt::DecryptOutput;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::Client;
use aws_smithy_mocks::{mock, mock_client, RuleMode};
use sealed_runtime::{prefetch, registered, sealed, set_client, ErrorKind, Sealed};

const OK: &str = "arn:aws:kms:us-east-1:111122223333:key/0000000a-12ab-34cd-56ef-1234567890ab";
const DENIED: &str = "arn:aws:kms:us-east-1:111122223333:key/0000000d-12ab-34cd-56ef-1234567890ab";
const ELSEWHERE: &str =
    "arn:aws:kms:eu-west-1:111122223333:key/0000000e-12ab-34cd-56ef-1234567890ab";

static OK_0: Sealed = sealed!("AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=", key = "arn:aws:kms:us-east-1:111122223333:key/0000000a-12ab-34cd-56ef-1234567890ab");
static OK_1: Sealed = sealed!("AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=", key = "arn:aws:kms:us-east-1:111122223333:key/0000000a-12ab-34cd-56ef-1234567890ab");
static OK_2: Sealed = sealed!("AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=", key = "arn:aws:kms:us-east-1:111122223333:key/0000000a-12ab-34cd-56ef-1234567890ab");
static OK_3: Sealed = sealed!("AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=", key = "arn:aws:kms:us-east-1:111122223333:key/0000000a-12ab-34cd-56ef-1234567890ab");
static OK_4: Sealed = sealed!("AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=", key = "arn:aws:kms:us-east-1:111122223333:key/0000000a-12ab-34cd-56ef-1234567890ab");
static DENIED_VALUE: Sealed = sealed!("AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=", key = "arn:aws:kms:us-east-1:111122223333:key/0000000d-12ab-34cd-56ef-1234567890ab");
static IN_EU_WEST_1: Sealed = sealed!("AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=", key = "arn:aws:kms:eu-west-1:111122223333:key/0000000e-12ab-34cd-56ef-1234567890ab");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prefetch_decrypts_every_registered_value_and_names_each_failure() {
    let ok = mock!(Client::decrypt)
        .match_requests(|req| req.key_id() == Some(OK))
        .then_output(|| {
            DecryptOutput::builder()
                .key_id(OK)
                .plaintext(Blob::new(&b"prefetched"[..]))
                .build()
        });
    let denied = mock!(Client::decrypt)
        .match_requests(|req| req.key_id() == Some(DENIED))
        .sequence()
        .http_status(
            400,
            Some(r#"{"__type":"AccessDeniedException","message":"not authorized"}"#.into()),
        )
        .repeatedly()
        .build();
    let elsewhere = mock!(Client::decrypt)
        .match_requests(|req| req.key_id() == Some(ELSEWHERE))
        .sequence()
        .http_status(
            400,
            Some(r#"{"__type":"NotFoundException","message":"Key does not exist"}"#.into()),
        )
        .repeatedly()
        .build();
    set_client(&mock_client!(
        aws_sdk_kms,
        RuleMode::MatchAny,
        [&ok, &denied, &elsewhere]
    ))
    .unwrap();

    assert_eq!(registered().len(), 7);
    let error = prefetch().await.unwrap_err();
    assert_eq!(error.decrypted, 5);
    assert_eq!(ok.num_calls(), 5, "one Decrypt per value");
    assert_eq!(error.failures.len(), 2);
    for value in [OK_0, OK_1, OK_2, OK_3, OK_4] {
        assert_eq!(value.try_get().unwrap().expose(), b"prefetched");
    }
    let failed_for = |value: Sealed| {
        error
            .failures
            .iter()
            .find(|(v, _)| v.same_value(&value))
            .map(|(_, e)| e.clone())
            .unwrap()
    };
    let denied_error = failed_for(DENIED_VALUE);
    assert_eq!(denied_error.kind(), &ErrorKind::AccessDenied);
    assert_eq!(denied_error.location(), Some(DENIED_VALUE.location()));
    let not_found = failed_for(IN_EU_WEST_1);
    assert_eq!(not_found.kind(), &ErrorKind::KeyNotFound);
    assert_eq!(
        not_found.region(),
        Some("eu-west-1"),
        "the key ARN's region, not the client's"
    );
    let report = error.to_string();
    assert!(
        report.starts_with("prefetch: 2 of 7 sealed values failed to decrypt"),
        "{report}"
    );
    assert!(report.contains("tests/prefetch.rs:"), "{report}");

    // a second prefetch: the decrypted values are memory reads, the failed ones are tried again
    let again = prefetch().await.unwrap_err();
    assert_eq!((again.decrypted, again.failures.len()), (5, 2));
    assert_eq!(ok.num_calls(), 5);
    assert_eq!(denied.num_calls(), 2);
}
