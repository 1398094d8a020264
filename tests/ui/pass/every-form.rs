//! Every accepted form of `sealed!`.

use sealed_runtime::{format::{Algorithm, BlobFamily, ContextValue, KeyKind}, sealed, Sealed};

static V2: Sealed = sealed!("AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=");
static V1: Sealed = sealed!("AQEBAHhZfaDM9nag/rJj14qS3jZ+uhrcVvAPT3gOpF4GL4TYAAAAAH4wfAYJKoZIhvcNAQcGoG8wbQIBADBoBgkqhkiG9w0BBwEwHgYJYIZIAWUDBAEuMBEEDO0S9xrGCJKPJdHpDQIBEIA7m12OymJ0sCDdru7RxWOQkbnZtR2XO5WMoFUZW1QL9oU31InZ2Gg+NLqYgT5TgZjz1JhPPXur3kku4CU=",);
static LEGACY: Sealed = sealed!(r"CiAUkK3nep3+LDfCjRPA5NDnd5NEXv5BWWjweqEySvaTLBKUAQEBAgB4FJCt53qd/iw3wo0TwOTQ53eTRF7+QVlo8HqhMkr2kywAAABrMGkGCSqGSIb3DQEHBqBcMFoCAQAwVQYJKoZIhvcNAQcBMB4GCWCGSAFlAwQBLjARBAxHrDshpbxSGRgMAXECARCAKHfUd1sJjxRX/7tq7twil6vaXjtPZsnr9AURI1gjR+RPL4WlQTvNDjE=");
static FOLDED: Sealed = sealed!(
    "AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAV
        O6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEH
        ATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvG
        jcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g="
);
static KEY_ID: Sealed = sealed!("AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=", key = "1234abcd-12ab-34cd-56ef-1234567890ab");
static MRK: Sealed = sealed!("AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=", key = "mrk-1234abcd12ab34cd56ef1234567890ab");
static KEY_ARN: Sealed = sealed!("AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=", key = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
static ALIAS: Sealed = sealed!("AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=", key = "alias/lambda");
static ALIAS_ARN: Sealed = sealed!("AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=", key = "arn:aws-cn:kms:cn-north-1:111122223333:alias/app");
static CONTEXT: Sealed = sealed!(
    "AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=",
    context = { "app": "billing", "LambdaFunctionName": env("AWS_LAMBDA_FUNCTION_NAME"), },
    key = "alias/lambda",
);
// a variable of the function's own, allowed in code: its value is logged with the context
static ALLOWED_ENV: Sealed = sealed!("AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=", context = { "tier": env("APP_TIER") }, allow_env = ["APP_TIER"]);
static EMPTY_CONTEXT: Sealed = sealed!("AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=", context = {});
static SYMMETRIC: Sealed = sealed!("AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=", algorithm = "SYMMETRIC_DEFAULT");
static RSA: Sealed = sealed!("N3Pdj9vsx3dzgtqWMC/Ng3mhncsvGHJNJBeJz+OxogqY+2X2c6e9naYonwPUhxAPCTDhPZkHx3ZTcJfXMoQ7o0t/AakVdadHaP+N/u7XFbVBUMI6g0kHEZDEG2Yb2EpiEfUE2K8ANjXt6Q14YPq1ZWsSkKEyx6xFVhZPVQP2aMLsHiI/tBkCD3fMfC2ujzBygjD8u8Qha6RiHWVr/TYARd34+c2XTf/iBTUvZP7amqSTGQr9JTZxQgLFnFTUS2ISExc1laI+A5leX590IPWWe9WTIt1iLqAnT+g60Zw/uTAovaHwjTKv82Phe5oUawwaGwmD9kE9vbRkQWvS55h9Sw==", key = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", algorithm = "RSAES_OAEP_SHA_256");
static RSA_SHA1: Sealed = sealed!("N3Pdj9vsx3dzgtqWMC/Ng3mhncsvGHJNJBeJz+OxogqY+2X2c6e9naYonwPUhxAPCTDhPZkHx3ZTcJfXMoQ7o0t/AakVdadHaP+N/u7XFbVBUMI6g0kHEZDEG2Yb2EpiEfUE2K8ANjXt6Q14YPq1ZWsSkKEyx6xFVhZPVQP2aMLsHiI/tBkCD3fMfC2ujzBygjD8u8Qha6RiHWVr/TYARd34+c2XTf/iBTUvZP7amqSTGQr9JTZxQgLFnFTUS2ISExc1laI+A5leX590IPWWe9WTIt1iLqAnT+g60Zw/uTAovaHwjTKv82Phe5oUawwaGwmD9kE9vbRkQWvS55h9Sw==", algorithm = "RSAES_OAEP_SHA_1", key = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
static SM2: Sealed = sealed!(
    "MG0CIEIWdlx9CBAdPUdTbU5OCSMbdXUaXwIIIjQ5HwcFFiQvAiBDSXwQCy4Rcjl9KlRdWEJKeRFLBHYCPHQtWSd7BAJMUQQgE3sRu09RIv8SE3OLXrwL5u+8vLQhy/bqV1oVr3nmE98EBdtq8coH",
    key = "arn:aws-cn:kms:cn-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    algorithm = "SM2PKE",
);
static UNCHECKED: Sealed = sealed!("Vd1/kgOfqWFhlQObEhQXox3+QeFqulRj77yxlHVwdtaKFYTAgwdPmRZ7BTr1shx/x52o63xB5QJeTSStnDOEK8DnV6jucX/kPVNnqkAyom7NzsHqM+E2YjiV61E1IiJ/Wdbl2Qq2EPP6RtIrHHN4Ruw21GlhoIV+rFC31tf7n3NSE9QIR9+bCq21R5JaT6bKkASkImd0MAbE1EQ8xyTLDPuhHXIboYmno85e9ROvMjPSeUEttgLBeIi2CS05RcdYirLyhYCd/8E=", unchecked);
const CONST: Sealed = sealed!("AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=", key = "alias/const");

fn main() {
    assert_eq!(V2.family(), BlobFamily::AwsV2);
    assert_eq!(V1.family(), BlobFamily::AwsV1);
    assert_eq!(LEGACY.family(), BlobFamily::AwsLegacy);
    assert_eq!(FOLDED.ciphertext(), V2.ciphertext());
    assert_eq!(KEY_ID.key().unwrap().kind(), KeyKind::KeyId);
    assert_eq!(MRK.key().unwrap().kind(), KeyKind::MultiRegionKeyId);
    assert_eq!(KEY_ARN.key().unwrap().region(), Some("eu-west-1"));
    assert_eq!(ALIAS.key().unwrap().kind(), KeyKind::AliasName);
    assert_eq!(ALIAS_ARN.key().unwrap().partition(), Some("aws-cn"));
    assert_eq!(
        CONTEXT.context(),
        &[
            ("app", ContextValue::Literal("billing")),
            ("LambdaFunctionName", ContextValue::Env("AWS_LAMBDA_FUNCTION_NAME")),
        ]
    );
    assert_eq!(ALLOWED_ENV.context(), &[("tier", ContextValue::Env("APP_TIER"))]);
    assert!(EMPTY_CONTEXT.context().is_empty());
    assert_eq!(SYMMETRIC.algorithm(), Algorithm::SymmetricDefault);
    assert_eq!((RSA.family(), RSA.algorithm()), (BlobFamily::Rsa, Algorithm::RsaesOaepSha256));
    assert_eq!(RSA_SHA1.algorithm(), Algorithm::RsaesOaepSha1);
    assert_eq!((SM2.family(), SM2.plaintext_len()), (BlobFamily::Sm2Pke, Some(5)));
    assert_eq!((UNCHECKED.family(), UNCHECKED.plaintext_len()), (BlobFamily::Unchecked, None));
    assert!(CONST.same_value(&CONST));
    assert_eq!(V2.location().line(), 5);
}
