//! The expansion as a user meets it: `static` and `const`, `file = …`, registration, lints.
#![deny(clippy::pedantic, unused_qualifications)]

use sealed_runtime::{format::BlobFamily, registered, sealed, Sealed};

static FROM_FILE: Sealed = sealed!(file = "tests/fixtures/pagerduty.kms", key = "alias/lambda");
static IN_PLACE: Sealed = sealed!("AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=");
const THROUGH_CONST: Sealed = sealed!(
    "AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=",
    context = { "app": "billing" },
);
// the key and the readers pinned, as every bundle value's are: the build fails if the file
// names another key or another reader
static BUNDLED: Sealed = sealed!(
    bundle = "tests/fixtures/app.bundle",
    name = "db_password",
    key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    readers = ["key arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab _AHzKh-i-Adv2mWviT2leifB0O5hblYSh2Pu3mgFKUA"],
);
// the README's shape: the user's own macro hands the readers on as an `expr` fragment
macro_rules! app_secret {
    ($name:literal, $readers:expr) => {
        sealed!(
            bundle = "tests/fixtures/app.bundle",
            name = $name,
            key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            readers = $readers,
        )
    };
}
static ALSO_BUNDLED: Sealed = app_secret!(
    "api_token",
    ["key arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab _AHzKh-i-Adv2mWviT2leifB0O5hblYSh2Pu3mgFKUA"]
);
// a value named twice is two sealed values of one bundle; the id pinned too
static PINNED: Sealed = sealed!(
    key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    name = "db_password",
    bundle = "tests/fixtures/app.bundle",
    id = "5B0E8F7C2D4A4E1B9C3F6A8D7E2B1C0F",
    readers = ["key arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab _AHzKh-i-Adv2mWviT2leifB0O5hblYSh2Pu3mgFKUA"],
);

#[test]
fn file_holds_the_folded_base64() {
    assert_eq!(FROM_FILE.ciphertext(), IN_PLACE.ciphertext());
    assert_eq!(FROM_FILE.family(), BlobFamily::AwsV2);
    assert_eq!(FROM_FILE.key().unwrap().as_str(), "alias/lambda");
    assert!(FROM_FILE.location().file().ends_with("macro_forms.rs"));
    assert_eq!(FROM_FILE.location().line(), 6);
}

#[test]
fn a_const_refers_to_one_value_however_often_it_is_used() {
    let first = THROUGH_CONST;
    let second = THROUGH_CONST;
    assert!(first.same_value(&second));
    assert!(!first.same_value(&IN_PLACE));
    // equal ciphertexts are still separate sealed values
    assert_eq!(first.ciphertext(), IN_PLACE.ciphertext());
}

#[test]
fn every_invocation_is_registered_once() {
    for value in [
        FROM_FILE,
        IN_PLACE,
        THROUGH_CONST,
        BUNDLED,
        ALSO_BUNDLED,
        PINNED,
    ] {
        let count = registered().filter(|r| r.same_value(&value)).count();
        assert_eq!(count, 1, "{value:?}");
    }
    // this test binary holds the six above and nothing else
    assert_eq!(registered().len(), 6);
}

#[test]
fn a_bundle_value_is_its_wrapped_private_key_with_its_name() {
    assert_eq!(
        BUNDLED.bundle(),
        Some(("tests/fixtures/app.bundle", "db_password"))
    );
    assert_eq!(
        ALSO_BUNDLED.bundle(),
        Some(("tests/fixtures/app.bundle", "api_token"))
    );
    // what `Decrypt` is sent: the wrapped private key, under the bundle's key and context, to
    // which sealed adds the bundle's id
    assert_eq!(BUNDLED.ciphertext(), ALSO_BUNDLED.ciphertext());
    assert_eq!(PINNED.ciphertext(), BUNDLED.ciphertext());
    assert_eq!(PINNED.key(), BUNDLED.key());
    assert_eq!(BUNDLED.family(), BlobFamily::AwsV2);
    assert_eq!(
        BUNDLED.key().unwrap().as_str(),
        "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    );
    assert_eq!(
        BUNDLED.context(),
        &[
            (
                "app",
                sealed_runtime::format::ContextValue::Literal("billing")
            ),
            (
                "LambdaFunctionName",
                sealed_runtime::format::ContextValue::Env("AWS_LAMBDA_FUNCTION_NAME")
            ),
            (
                "sealed:bundle",
                sealed_runtime::format::ContextValue::Literal("5b0e8f7c2d4a4e1b9c3f6a8d7e2b1c0f")
            ),
        ]
    );
    // the value's own length, not the private key's
    assert_eq!(BUNDLED.plaintext_len(), Some(16));
    assert_eq!(ALSO_BUNDLED.plaintext_len(), Some(40));
    assert!(!BUNDLED.same_value(&ALSO_BUNDLED));
    assert_eq!(IN_PLACE.bundle(), None);
}

#[test]
fn debug_names_the_value_not_its_bytes() {
    let text = format!("{THROUGH_CONST:?}");
    assert!(text.contains("macro_forms.rs:8:"), "{text}");
    assert!(text.contains("context_keys: [\"app\"]"), "{text}");
    assert!(text.contains("ciphertext_len: 164"), "{text}");
}
