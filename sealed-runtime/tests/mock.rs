//! Request shape, response checks, retries and error mapping, at the SDK boundary with
//! `aws-smithy-mocks` (RELIABILITY.md S1, S2, S3, S5, S6, S7, S9). Every scenario pins its own
//! key, and one mock rule per key answers it, so each rule's `num_calls()` counts that
//! scenario's HTTP attempts. End-to-end behaviour against a real server is in `moto.rs`.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Duration;

use aws_sdk_kms::operation::decrypt::DecryptOutput;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::EncryptionAlgorithmSpec;
use aws_sdk_kms::Client;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use sealed_runtime::{sealed, set_client, ErrorKind, KmsSettings, Sealed};

use sealed_test_support as support;

const CANARY: &[u8] = b"canary-4be1d0-s3cr3t";

fn key(n: u32) -> String {
    format!("arn:aws:kms:us-east-1:111122223333:key/{n:08x}-12ab-34cd-56ef-1234567890ab")
}

fn plaintext_for(key: &str) -> DecryptOutput {
    DecryptOutput::builder()
        .key_id(key)
        .plaintext(Blob::new(CANARY))
        .encryption_algorithm(EncryptionAlgorithmSpec::SymmetricDefault)
        .build()
}

fn kms_error(status: u16, code: &str, message: &str) -> (u16, Option<String>) {
    (
        status,
        Some(format!(r#"{{"__type":"{code}","message":"{message}"}}"#)),
    )
}

/// Rules keyed by scenario number.
struct Mocks {
    rules: HashMap<u32, Rule>,
    sent: support::Sent,
}

/// A multi-Region key's ARN in `region`.
fn mrk(n: u32, region: &str) -> String {
    format!("arn:aws:kms:{region}:111122223333:key/mrk-{n:032x}")
}

fn rule_for(
    n: u32,
) -> aws_smithy_mocks::RuleBuilder<
    aws_sdk_kms::operation::decrypt::DecryptInput,
    DecryptOutput,
    aws_sdk_kms::operation::decrypt::DecryptError,
> {
    let key = key(n);
    mock!(Client::decrypt).match_requests(move |req| req.key_id() == Some(key.as_str()))
}

fn http(
    builder: aws_smithy_mocks::RuleBuilder<
        aws_sdk_kms::operation::decrypt::DecryptInput,
        DecryptOutput,
        aws_sdk_kms::operation::decrypt::DecryptError,
    >,
    (status, body): (u16, Option<String>),
    times: usize,
    then_ok: Option<u32>,
) -> Rule {
    let sequence = builder.sequence().http_status(status, body).times(times);
    match then_ok {
        Some(n) => sequence
            .output(move || plaintext_for(&key(n)))
            .repeatedly()
            .build(),
        None => sequence.build(),
    }
}

fn mocks() -> &'static Mocks {
    static MOCKS: OnceLock<Mocks> = OnceLock::new();
    MOCKS.get_or_init(|| {
        let mut rules = HashMap::new();
        // 1: S1 — only the exact request shape gets the plaintext
        rules.insert(
            1,
            mock!(Client::decrypt)
                .match_requests(|req| {
                    let context: HashMap<String, String> = [
                        ("app".to_owned(), "billing".to_owned()),
                        ("fn".to_owned(), "fn-from-env".to_owned()),
                    ]
                    .into();
                    req.key_id() == Some(key(1).as_str())
                        && req.encryption_context() == Some(&context)
                        && req.encryption_algorithm().is_none()
                        && req.ciphertext_blob().map(Blob::as_ref) == Some(SHAPE.ciphertext())
                })
                .then_output(|| plaintext_for(&key(1))),
        );
        // 2: asymmetric — KeyId and EncryptionAlgorithm sent
        rules.insert(
            2,
            mock!(Client::decrypt)
                .match_requests(|req| {
                    req.key_id() == Some(key(2).as_str())
                        && req.encryption_algorithm() == Some(&EncryptionAlgorithmSpec::RsaesOaepSha256)
                        && req.encryption_context().is_none()
                })
                .then_output(|| plaintext_for(&key(2))),
        );
        // 3: S2 — KMS answers for another key
        rules.insert(3, rule_for(3).then_output(|| plaintext_for(&key(99))));
        // 4: throttled twice, then the plaintext
        rules.insert(4, http(rule_for(4), kms_error(400, "ThrottlingException", "Rate exceeded"), 2, Some(4)));
        // 5: 500 on every attempt
        rules.insert(5, http(rule_for(5), kms_error(500, "KMSInternalException", "internal"), 5, None));
        // 6: invalid ciphertext: not retried
        rules.insert(6, http(rule_for(6), kms_error(400, "InvalidCiphertextException", ""), 5, None));
        // 7: disabled, then re-enabled
        rules.insert(7, http(rule_for(7), kms_error(400, "DisabledException", "arn is disabled."), 1, Some(7)));
        // 8: pending deletion
        rules.insert(8, http(rule_for(8), kms_error(400, "KMSInvalidStateException", "arn is pending deletion."), 5, None));
        // 9: not found
        rules.insert(9, http(rule_for(9), kms_error(400, "NotFoundException", "Key 'arn' does not exist"), 5, None));
        // 10: access denied, as AWS says it
        rules.insert(10, http(rule_for(10), kms_error(400, "AccessDeniedException", "User: arn:aws:sts::111122223333:assumed-role/fn is not authorized to perform: kms:Decrypt"), 5, None));
        // 11: access denied, as moto says it (403, XML, no JSON code)
        rules.insert(11, http(rule_for(11), (403, Some("<ErrorResponse><Error><Code>AccessDenied</Code></Error></ErrorResponse>".into())), 5, None));
        // 12: incorrect key
        rules.insert(12, http(rule_for(12), kms_error(400, "IncorrectKeyException", "The key ID in the request does not identify a CMK that can perform this operation."), 5, None));
        // 13: an outage met by 100 waiting tasks: throttled (retried after a back-off), then a
        // non-retryable error — one attempt cycle of 2 calls, whatever the number of waiters
        rules.insert(
            13,
            rule_for(13)
                .sequence()
                .http_status(400, kms_error(400, "ThrottlingException", "slow down").1)
                .http_status(400, kms_error(400, "InvalidCiphertextException", "").1)
                .output(|| plaintext_for(&key(13)))
                .repeatedly()
                .build(),
        );
        // 14: cancellation: the first attempt is throttled (so it waits out a back-off), then ok
        rules.insert(14, http(rule_for(14), kms_error(400, "ThrottlingException", "slow down"), 1, Some(14)));

        // 15: verify: a dry run that AWS answers with DryRunOperationException
        rules.insert(
            15,
            mock!(Client::decrypt)
                .match_requests(|req| req.key_id() == Some(key(15).as_str()) && req.dry_run() == Some(true))
                .sequence()
                .http_status(412, kms_error(412, "DryRunOperationException", "The request would have succeeded").1)
                .repeatedly()
                .build(),
        );
        // 16..: permanent answers that are not KMS's side, each once
        for (n, status, code, message) in PERMANENT {
            rules.insert(n, http(rule_for(n), kms_error(status, code, message), 5, None));
        }
        // 30..: multi-Region keys written with their eu-west-1 ARN, in a function in us-east-1
        // (the client's region). 30: the replica answers.
        let replica = |n: u32| mrk(n, "us-east-1");
        rules.insert(30, mock!(Client::decrypt).match_requests(move |req| req.key_id() == Some(replica(30).as_str())).then_output(move || plaintext_for(&replica(30))));
        // 31: no replica in us-east-1; the key's own region answers
        rules.insert(31, mock!(Client::decrypt).match_requests(move |req| req.key_id() == Some(replica(31).as_str())).sequence().http_status(400, kms_error(400, "NotFoundException", "Key 'arn' does not exist").1).repeatedly().build());
        rules.insert(131, mock!(Client::decrypt).match_requests(|req| req.key_id() == Some(mrk(31, "eu-west-1").as_str())).then_output(|| plaintext_for(&mrk(31, "eu-west-1"))));
        // 32: the replica answers for the same key id in another account
        rules.insert(32, mock!(Client::decrypt).match_requests(move |req| req.key_id() == Some(replica(32).as_str())).then_output(|| plaintext_for("arn:aws:kms:us-east-1:444455556666:key/mrk-00000000000000000000000000000020")));
        // 34: the replica's key policy denies; the primary's allows
        rules.insert(34, mock!(Client::decrypt).match_requests(move |req| req.key_id() == Some(replica(34).as_str())).sequence().http_status(400, kms_error(400, "AccessDeniedException", "not authorized").1).repeatedly().build());
        rules.insert(134, mock!(Client::decrypt).match_requests(|req| req.key_id() == Some(mrk(34, "eu-west-1").as_str())).then_output(|| plaintext_for(&mrk(34, "eu-west-1"))));
        // 33: a single-Region key in eu-west-1 goes to eu-west-1, as written
        let single = "arn:aws:kms:eu-west-1:111122223333:key/00000021-12ab-34cd-56ef-1234567890ab";
        rules.insert(33, mock!(Client::decrypt).match_requests(move |req| req.key_id() == Some(single)).then_output(move || plaintext_for(single)));
        let all: Vec<&Rule> = rules.values().collect();
        let sent = support::Sent::default();
        let recorder = sent.clone();
        let settings = KmsSettings {
            initial_backoff: Duration::from_millis(200),
            ..KmsSettings::default()
        };
        let client = mock_client!(aws_sdk_kms, RuleMode::MatchAny, all.as_slice(), |config| config
            .retry_config(settings.retry_config())
            .timeout_config(settings.timeout_config())
            .interceptor(recorder.clone()));
        set_client(&client).expect("installed once");

        support::captured_logs();
        Mocks { rules, sent }
    })
}

/// Scenario, HTTP status, KMS code, message: answers that no retry changes.
const PERMANENT: [(u32, u16, &str, &str); 8] = [
    (
        16,
        400,
        "ValidationException",
        "1 validation error detected",
    ),
    (
        17,
        400,
        "InvalidKeyUsageException",
        "KeyUsage SIGN_VERIFY cannot Decrypt",
    ),
    (
        18,
        400,
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    ),
    (
        19,
        400,
        "InvalidSignatureException",
        "Signature expired: 20260101T000000Z is now earlier than 20260101T000500Z",
    ),
    (
        20,
        400,
        "ExpiredTokenException",
        "The security token included in the request is expired",
    ),
    (
        21,
        400,
        "KMSInvalidStateException",
        "arn is in a custom key store that is disconnected",
    ),
    (
        22,
        400,
        "SomeFutureException",
        "a 4xx this version does not name",
    ),
    (23, 409, "ConflictException", "conflict"),
];

fn calls(n: u32) -> usize {
    mocks().rules[&n].num_calls()
}

fn assert_no_canary(text: &str) {
    support::assert_no_canary(CANARY, text);
}

const PAGERDUTY: &str = "AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=";

fn pinned(n: u32) -> Sealed {
    Sealed::builder(PAGERDUTY).key(key(n)).build().unwrap()
}

static SHAPE: Sealed = sealed!(
    "AQICAHhh7Ku/BWdSbCqos9k49Vnk1+WytvoesgX+1bOvLAlyegHa210D93pgytNnThR9qVVxAAAAmjCBlwYJKoZIhvcNAQcGoIGJMIGGAgEAMIGABgkqhkiG9w0BBwEwHgYJYIZIAWUDBAEuMBEEDKkH9le72xKmMsgjTQIBEIBT/7MbIV2sG6Hh+fb8BJQ9a6VNOZ1rhPAgvSET6IUdiki92fMZ6dDBOpmSSuaa3t8KIF9KtrlbQAYQNtPVHUvFl1GpyM0k8bD7jLSsUPeRjFNoI+Q=",
    key = "arn:aws:kms:us-east-1:111122223333:key/00000001-12ab-34cd-56ef-1234567890ab",
    context = { "app": "billing", "fn": env("SEALED_MOCK_FN") },
    allow_env = ["SEALED_MOCK_FN"],
);

#[tokio::test]
async fn s1_every_decrypt_pins_the_key_and_sends_exactly_the_context() {
    mocks();
    std::env::set_var("SEALED_MOCK_FN", "fn-from-env");
    let secret = SHAPE.get().await.unwrap();
    assert_eq!(secret.expose(), CANARY);
    assert_eq!(calls(1), 1);
    assert_eq!(
        format!("{secret:?}"),
        format!("Secret([REDACTED; {} bytes])", CANARY.len())
    );
    assert_no_canary(&format!("{secret:?}"));
}

#[tokio::test]
async fn asymmetric_values_send_key_and_algorithm() {
    mocks();
    let rsa = Sealed::builder("NwABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj9AQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVpbXF1eX2BhYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ent8fX5/gIGCg4SFhoeIiYqLjI2Oj5CRkpOUlZaXmJmam5ydnp+goaKjpKWmp6ipqqusra6vsLGys7S1tre4ubq7vL2+v8DBwsPExcbHyMnKy8zNzs/Q0dLT1NXW19jZ2tvc3d7f4OHi4+Tl5ufo6err7O3u7/Dx8vP09fb3+Pn6+/z9/g==")
        .key(key(2))
        .algorithm(sealed_runtime::format::Algorithm::RsaesOaepSha256)
        .build()
        .unwrap();
    assert_eq!(rsa.get().await.unwrap().expose(), CANARY);
    assert_eq!(calls(2), 1);
}

#[tokio::test]
async fn s2_a_response_for_another_key_is_rejected() {
    mocks();
    let value = pinned(3);
    let error = value.get().await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::KeyMismatch { returned } if *returned == key(99)),
        "{error}"
    );
    assert!(value.try_get().is_none());
    assert_eq!(calls(3), 1);
    assert_no_canary(&format!("{error} {error:?}"));
}

#[tokio::test]
async fn s9_throttled_twice_then_success_takes_three_attempts() {
    mocks();
    let value = pinned(4);
    assert_eq!(value.get().await.unwrap().expose(), CANARY);
    assert_eq!(calls(4), 3);
}

#[tokio::test]
async fn s9_internal_errors_are_retried_three_times_then_reported() {
    mocks();
    let error = pinned(5).get().await.unwrap_err();
    assert_eq!(error.kind(), &ErrorKind::Service);
    assert_eq!(error.code(), Some("KMSInternalException"));
    assert_eq!(calls(5), 3);
    assert_eq!(error.attempts(), Some(3));
    assert!(error.to_string().contains("3 attempts in"), "{error}");
    // only 5xx is KMS's side, and transient
    assert!(error.is_transient());
    assert!(
        error
            .to_string()
            .contains("; help: KMS reported an error on its side"),
        "{error}"
    );
}

#[tokio::test]
async fn s9_invalid_ciphertext_is_not_retried_and_lists_the_context_sent() {
    mocks();
    let value = Sealed::builder(PAGERDUTY)
        .key(key(6))
        .context("tenant", "acme")
        .build()
        .unwrap();
    let error = value.get().await.unwrap_err();
    assert_eq!(error.kind(), &ErrorKind::InvalidCiphertext);
    assert_eq!(calls(6), 1);
    let text = error.to_string();
    assert!(
        text.contains("the context keys sent were `tenant`"),
        "{text}"
    );
    assert!(text.contains("LambdaFunctionName"), "{text}");
    assert!(!text.contains("service error"), "{text}");
}

#[tokio::test]
async fn s5_a_disabled_key_is_not_cached_once_re_enabled() {
    mocks();
    let value = pinned(7);
    let error = value.get().await.unwrap_err();
    assert_eq!(error.kind(), &ErrorKind::KeyDisabled);
    assert!(error.help().contains("aws kms enable-key"), "{error}");
    assert_eq!(calls(7), 1);
    assert_eq!(value.get().await.unwrap().expose(), CANARY);
    assert_eq!(calls(7), 2);
}

#[tokio::test]
async fn error_mapping_names_value_key_region_code_and_help() {
    mocks();
    let cases: [(u32, ErrorKind, &str); 5] = [
        (8, ErrorKind::KeyInvalidState, "cancel-key-deletion"),
        (9, ErrorKind::KeyNotFound, "region us-east-1"),
        (10, ErrorKind::AccessDenied, "\"Action\": \"kms:Decrypt\", \"Resource\": \"arn:aws:kms:us-east-1:111122223333:key/0000000a-12ab-34cd-56ef-1234567890ab\""),
        (11, ErrorKind::AccessDenied, "\"Action\": \"kms:Decrypt\""),
        (12, ErrorKind::IncorrectKey, "cargo sealed encrypt --key"),
    ];
    for (n, kind, help) in cases {
        let value = pinned(n);
        let error = value.get().await.unwrap_err();
        assert_eq!(error.kind(), &kind, "{error}");
        let text = error.to_string();
        assert!(text.contains(help), "{text}");
        assert!(text.contains(&key(n)), "{text}");
        assert!(text.contains("region us-east-1"), "{text}");
        assert!(text.contains("tests/mock.rs:"), "{text}");
        assert!(!text.contains("service error"), "{text}");
        assert_eq!(calls(n), 1, "{kind:?} is not retried");
        assert_no_canary(&format!("{text} {error:?}"));
    }
    // AWS's own words are kept
    let denied = pinned(10).get().await.unwrap_err();
    assert!(denied
        .to_string()
        .contains("is not authorized to perform: kms:Decrypt"));
    assert_eq!(denied.code(), Some("AccessDeniedException"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s6_waiters_on_a_failed_attempt_share_its_error() {
    mocks();
    let value: &'static Sealed = Box::leak(Box::new(pinned(13)));
    let waiters: Vec<_> = (0..100)
        .map(|_| {
            tokio::spawn(async move { value.get().await.map(|_| ()).map_err(|e| e.kind().clone()) })
        })
        .collect();
    for waiter in waiters {
        assert_eq!(waiter.await.unwrap(), Err(ErrorKind::InvalidCiphertext));
    }
    assert_eq!(
        calls(13),
        2,
        "one attempt cycle (throttled, then invalid) for 100 waiters"
    );
    // a new access afterwards starts a new attempt
    assert_eq!(value.get().await.unwrap().expose(), CANARY);
    assert_eq!(calls(13), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s7_a_cancelled_first_access_leaves_the_value_empty_and_usable() {
    mocks();
    let value: &'static Sealed = Box::leak(Box::new(pinned(14)));
    let first = tokio::spawn(async move { value.get().await.map(|_| ()) });
    // the first attempt is throttled and waits out its back-off (≥ 100 ms with jitter)
    while calls(14) == 0 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    first.abort();
    assert!(first.await.unwrap_err().is_cancelled());
    assert!(value.try_get().is_none());
    // the dropped attempt does not go on in the background
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(calls(14), 1);
    assert_eq!(value.get().await.unwrap().expose(), CANARY);
    assert_eq!(calls(14), 2);
}

#[test]
fn the_library_defaults_fit_lambda_init() {
    let settings = KmsSettings::default();
    let total = settings.operation_timeout;
    assert!(total < Duration::from_secs(10), "INIT is 10 s");
    assert!(settings.attempt_timeout * settings.max_attempts >= total);
    let timeouts = settings.timeout_config();
    assert_eq!(timeouts.operation_timeout(), Some(Duration::from_secs(6)));
    assert_eq!(
        timeouts.operation_attempt_timeout(),
        Some(Duration::from_secs(2))
    );
    assert_eq!(timeouts.connect_timeout(), Some(Duration::from_secs(1)));
    let retries = settings.retry_config();
    assert_eq!(retries.max_attempts(), 3);
    assert_eq!(retries.mode(), aws_config::retry::RetryMode::Standard);
}

#[tokio::test]
async fn default_config_applies_the_settings_whatever_the_behavior_version() {
    std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    let config = sealed_runtime::kms::default_config().await;
    let settings = KmsSettings::default();
    let timeouts = config.timeout_config().unwrap();
    assert_eq!(
        timeouts.operation_timeout(),
        Some(settings.operation_timeout)
    );
    assert_eq!(
        timeouts.operation_attempt_timeout(),
        Some(settings.attempt_timeout)
    );
    assert_eq!(timeouts.connect_timeout(), Some(settings.connect_timeout));
    let retries = config.retry_config().unwrap();
    assert_eq!(retries.max_attempts(), 3);
    assert_eq!(retries.mode(), aws_config::retry::RetryMode::Standard);
    assert_eq!(retries.initial_backoff(), settings.initial_backoff);
}

#[tokio::test]
async fn verify_uses_a_dry_run_and_keeps_no_plaintext() {
    mocks();
    let value = pinned(15);
    assert_eq!(
        value.verify().await.unwrap(),
        sealed_runtime::kms::Verified::DryRun
    );
    assert_eq!(calls(15), 1);
    assert!(value.try_get().is_none());
}

/// Permanent is not transient: each of these fails once, is never retried, is not
/// `is_transient()`, and is not reported as KMS's side; each gets the help that fits it.
#[tokio::test]
async fn permanent_answers_are_not_transient_and_say_what_to_change() {
    mocks();
    let expected: [(ErrorKind, &str); 8] = [
        (ErrorKind::InvalidRequest, "not transient"),
        (ErrorKind::InvalidKeyUsage, "`KeyUsage`"),
        (ErrorKind::Credentials, "does not know the access key id"),
        (ErrorKind::Credentials, "clock skew"),
        (ErrorKind::Credentials, "session token has expired"),
        (ErrorKind::KeyInvalidState, "custom key store"),
        (ErrorKind::InvalidRequest, "not transient"),
        (ErrorKind::InvalidRequest, "not transient"),
    ];
    for ((n, _, code, message), (kind, help)) in PERMANENT.into_iter().zip(expected) {
        let error = pinned(n).get().await.unwrap_err();
        assert_eq!(error.kind(), &kind, "{code}: {error}");
        assert!(!error.is_transient(), "{code} is not transient");
        assert_eq!(calls(n), 1, "{code} is not retried");
        assert_eq!(error.code(), Some(code));
        let text = error.to_string();
        assert!(error.help().contains(help), "{code}: {}", error.help());
        assert!(text.contains(message), "AWS's words are kept: {text}");
        assert!(!text.contains("on its side"), "{text}");
        // KMS's answer is said whole by the message: no source repeats AWS's words
        assert!(
            std::error::Error::source(&error).is_none(),
            "{code}: the message says all of KMS's answer"
        );
        assert_no_canary(&format!("{text} {error:?}"));
    }
    // a disconnected key store is not told it is pending deletion only
    let state = pinned(21).get().await.unwrap_err();
    assert!(
        state.help().contains("cancel-key-deletion")
            && state.help().contains("connect-custom-key-store")
    );
}

/// Multi-Region keys are decrypted in the function's region with the replica's ARN, fall back
/// to the key's own region where there is no replica, and accept a response key that differs
/// only in region — not one of another account.
#[tokio::test]
async fn multi_region_keys_decrypt_with_the_local_replica() {
    mocks();
    let sent = &mocks().sent;
    let value = |n| {
        Sealed::builder(PAGERDUTY)
            .key(mrk(n, "eu-west-1"))
            .build()
            .unwrap()
    };

    assert_eq!(value(30).get().await.unwrap().expose(), CANARY);
    assert_eq!(calls(30), 1);
    assert_eq!(
        sent.naming(&format!("mrk-{:032x}", 30)),
        [("us-east-1".to_owned(), mrk(30, "us-east-1"))]
    );

    assert_eq!(value(31).get().await.unwrap().expose(), CANARY);
    assert_eq!((calls(31), calls(131)), (1, 1));
    assert_eq!(
        sent.naming(&format!("mrk-{:032x}", 31)),
        [
            ("us-east-1".to_owned(), mrk(31, "us-east-1")),
            ("eu-west-1".to_owned(), mrk(31, "eu-west-1"))
        ]
    );

    // a second value on the same key goes to the key's own region at once
    assert_eq!(value(31).get().await.unwrap().expose(), CANARY);
    assert_eq!((calls(31), calls(131)), (1, 2));

    assert_eq!(value(34).get().await.unwrap().expose(), CANARY);
    assert_eq!((calls(34), calls(134)), (1, 1));

    let error = value(32).get().await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::KeyMismatch { .. }),
        "{error}"
    );
    assert_eq!(error.region(), Some("us-east-1"));
    assert_eq!(error.key(), Some(mrk(32, "us-east-1").as_str()));

    let single = "arn:aws:kms:eu-west-1:111122223333:key/00000021-12ab-34cd-56ef-1234567890ab";
    let value = Sealed::builder(PAGERDUTY).key(single).build().unwrap();
    assert_eq!(value.get().await.unwrap().expose(), CANARY);
    assert_eq!(
        sent.naming("00000021-"),
        [("eu-west-1".to_owned(), single.to_owned())]
    );
}
