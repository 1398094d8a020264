//! Bundles against the moto emulator: one `Decrypt` per bundle however many values and tasks,
//! and every tampering, move, wrong key or missing name an error, never a plaintext.
//! Needs `eval "$(scripts/dev-kms)"` and `--features emulator`.
#![cfg(feature = "emulator")]

use base64::Engine as _;
use sealed_format::{Bundle, ContextValue};
use sealed_runtime::{prefetch_values, set_client, BuildErrorKind, ErrorKind, Sealed};
use tokio::sync::OnceCell;

use sealed_test_support as support;

use support::{create_key, Sent};

/// What every plaintext of this file starts with: no output may contain it.
const CANARY: &str = "canary-bundle-5e21";

struct Harness {
    /// The client the tests make keys and data keys with (not counted).
    client: aws_sdk_kms::Client,
    /// The requests of the library's client, by key (tests run at once).
    sent: Sent,
}

impl Harness {
    /// How many requests named `key` so far.
    fn calls(&self, key: &str) -> usize {
        self.sent.naming(key).len()
    }
}

static HARNESS: OnceCell<Harness> = OnceCell::const_new();

async fn harness() -> &'static Harness {
    HARNESS
        .get_or_init(|| async {
            assert!(
                std::env::var_os("AWS_ENDPOINT_URL_KMS").is_some(),
                "this test needs the KMS emulator: run `eval \"$(scripts/dev-kms)\"` first (scripts/test does)"
            );
            let sent = Sent::default();
            let config = sealed_runtime::default_config().await;
            set_client(&aws_sdk_kms::Client::from_conf(
                config.to_builder().interceptor(sent.clone()).build(),
            ))
            .unwrap();
            Harness {
                client: aws_sdk_kms::Client::from_conf(config),
                sent,
            }
        })
        .await
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn plaintext(name: &str) -> String {
    format!("{CANARY}-{name}")
}

/// A bundle as `cargo sealed bundle new` + `set` make it: a data key from KMS, each value
/// sealed under it. Its text, and the data key's plaintext (to seal more).
async fn make_bundle(key: &str, context: &[(&str, &str)], names: &[String]) -> (String, Vec<u8>) {
    let h = harness().await;
    let mut request = h
        .client
        .generate_data_key()
        .key_id(key)
        .key_spec(aws_sdk_kms::types::DataKeySpec::Aes256);
    for (k, v) in context {
        request = request.encryption_context(*k, *v);
    }
    let generated = request.send().await.unwrap();
    let data_key = generated.plaintext.unwrap().into_inner();
    let id = sealed_runtime::__tools::new_bundle_id().unwrap();
    let mut bundle = Bundle::new(
        id,
        key.to_owned(),
        context
            .iter()
            .map(|(k, v)| ((*k).to_owned(), ContextValue::Literal((*v).to_owned())))
            .collect(),
        b64(generated.ciphertext_blob.unwrap().as_ref()),
    );
    for name in names {
        let sealed =
            sealed_runtime::__tools::seal_value(&data_key, &id, name, plaintext(name).as_bytes())
                .unwrap();
        bundle.set(name, sealed).unwrap();
    }
    (bundle.render(), data_key)
}

fn value_of(text: &str, name: &str) -> Result<&'static Sealed, sealed_runtime::BuildError> {
    Sealed::from_bundle(text, name)
        .path("secrets/app.bundle")
        .build()
        .map(|v| &*Box::leak(Box::new(v)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_decrypt_per_bundle_however_many_values_and_tasks() {
    let h = harness().await;
    let key = create_key(&h.client).await;
    for count in [10, 32, 100] {
        let names: Vec<String> = (0..count).map(|i| format!("value_{i}")).collect();
        let (text, _) = make_bundle(&key, &[("app", "billing")], &names).await;
        let values: Vec<&'static Sealed> =
            names.iter().map(|n| value_of(&text, n).unwrap()).collect();
        let before = h.calls(&key);
        // every value asked by four tasks at once, and prefetched
        let mut tasks = Vec::new();
        for _ in 0..4 {
            for value in values.clone() {
                tasks.push(tokio::spawn(async move {
                    value.get().await.map(sealed_runtime::Secret::len)
                }));
            }
        }
        let prefetched = prefetch_values(values.iter().map(|v| **v)).await.unwrap();
        assert_eq!(prefetched, count);
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        for (value, name) in values.iter().zip(&names) {
            assert_eq!(
                value.try_get().unwrap().expose(),
                plaintext(name).as_bytes()
            );
        }
        assert_eq!(
            h.calls(&key) - before,
            1,
            "{count} values of one bundle, 4 tasks each: one Decrypt"
        );
    }
}

/// `text` with `edit` applied to the bundle it parses to.
fn edited(text: &str, edit: impl FnOnce(&mut Bundle)) -> String {
    let mut bundle = Bundle::parse(text).unwrap();
    edit(&mut bundle);
    bundle.render()
}

/// Asks for `name` in `text`: it must fail (offline or at first access), never give a byte.
/// The error of the access, or `None` when the bundle was rejected offline.
async fn must_fail(text: &str, name: &str, what: &str) -> Option<sealed_runtime::Error> {
    let value = match value_of(text, name) {
        Err(rejected) => {
            let shown = format!("{rejected} {rejected:?}");
            assert!(!shown.contains(CANARY), "{what}: {shown}");
            return None;
        }
        Ok(value) => value,
    };
    let error = match value.get().await {
        Ok(secret) => panic!(
            "{what}: a tampered bundle gave a plaintext of {} bytes",
            secret.len()
        ),
        Err(error) => error,
    };
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains(CANARY), "{what}: {shown}");
    Some(error)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[allow(clippy::too_many_lines)] // every kind of tampering, in turn
async fn every_bit_flip_every_move_a_wrong_key_and_a_missing_name_fail() {
    let h = harness().await;
    let key = create_key(&h.client).await;
    let other_key = create_key(&h.client).await;
    let names = vec!["db_password".to_owned(), "api_token".to_owned()];
    let (text, _) = make_bundle(&key, &[("app", "billing")], &names).await;
    let (other, _) = make_bundle(&key, &[("app", "billing")], &names).await;
    // the untouched bundle opens: the harness tells success from failure
    assert_eq!(
        value_of(&text, "db_password")
            .unwrap()
            .get()
            .await
            .unwrap()
            .expose(),
        plaintext("db_password").as_bytes()
    );
    let bundle = Bundle::parse(&text).unwrap();
    let mut tries = 0;
    let mut kms_rejected = 0;

    // every bit of every value's nonce, ciphertext and tag
    for (index, value) in bundle.values.iter().enumerate() {
        for bit in 0..value.sealed.len() * 8 {
            let text = edited(&text, |b| b.values[index].sealed[bit / 8] ^= 1 << (bit % 8));
            let error = must_fail(&text, &value.name, &format!("{} bit {bit}", value.name)).await;
            assert_eq!(error.unwrap().kind(), &ErrorKind::BundleValueRejected);
            tries += 1;
        }
        for cut in 0..value.sealed.len() {
            let text = text.replacen(&b64(&value.sealed), &b64(&value.sealed[..cut]), 1);
            must_fail(&text, &value.name, &format!("{} cut to {cut}", value.name)).await;
            tries += 1;
        }
    }
    // every bit of the bundle's id: the associated data changes
    for bit in 0..16 * 8 {
        let text = edited(&text, |b| b.id[bit / 8] ^= 1 << (bit % 8));
        let error = must_fail(&text, "db_password", &format!("id bit {bit}")).await;
        assert_eq!(error.unwrap().kind(), &ErrorKind::BundleValueRejected);
        tries += 1;
    }
    // every bit of every name: a name that is still valid no longer opens, and the old one is gone
    for value in &bundle.values {
        for bit in 0..value.name.len() * 8 {
            let mut flipped = value.name.clone().into_bytes();
            flipped[bit / 8] ^= 1 << (bit % 8);
            let Ok(flipped) = String::from_utf8(flipped) else {
                continue;
            };
            let renamed = text.replacen(
                &format!("value {} ", value.name),
                &format!("value {flipped} "),
                1,
            );
            must_fail(
                &renamed,
                &flipped,
                &format!("name {} bit {bit}", value.name),
            )
            .await;
            must_fail(
                &renamed,
                &value.name,
                &format!("name {} bit {bit}, old name", value.name),
            )
            .await;
            tries += 2;
        }
    }
    // every bit of the wrapped data key: KMS (or the offline check) refuses it
    let wrapped = base64::engine::general_purpose::STANDARD
        .decode(&bundle.data_key)
        .unwrap();
    for bit in 0..wrapped.len() * 8 {
        let mut flipped = wrapped.clone();
        flipped[bit / 8] ^= 1 << (bit % 8);
        let text = edited(&text, |b| b.data_key = b64(&flipped));
        if must_fail(&text, "db_password", &format!("data key bit {bit}"))
            .await
            .is_some_and(|e| e.code().is_some())
        {
            kms_rejected += 1;
        }
        tries += 1;
    }
    assert!(kms_rejected > 0, "some flips of the data key reach KMS");

    // moves: a value copied to another bundle (same key, same context), or to another name
    let moved = edited(&other, |b| {
        b.values[0].sealed = bundle.values[0].sealed.clone();
    });
    let error = must_fail(&moved, "db_password", "copied to another bundle")
        .await
        .unwrap();
    assert_eq!(error.kind(), &ErrorKind::BundleValueRejected);
    let swapped = edited(&text, |b| {
        let (first, second) = (b.values[0].sealed.clone(), b.values[1].sealed.clone());
        b.values[0].sealed = second;
        b.values[1].sealed = first;
    });
    for name in &names {
        let error = must_fail(&swapped, name, "swapped names").await.unwrap();
        assert_eq!(error.kind(), &ErrorKind::BundleValueRejected);
    }
    // the whole file pointed at another key, or without its context
    let wrong_key = edited(&text, |b| b.key.clone_from(&other_key));
    must_fail(&wrong_key, "db_password", "another key").await;
    let no_context = edited(&text, |b| b.context.clear());
    let error = must_fail(&no_context, "db_password", "no context")
        .await
        .unwrap();
    assert_eq!(error.kind(), &ErrorKind::InvalidCiphertext);
    // a name the bundle does not have: refused offline
    assert!(must_fail(&text, "db_pasword", "missing name")
        .await
        .is_none());
    let error = value_of(&text, "db_pasword").unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("no value `db_pasword` in the bundle; its values: `db_password`, `api_token` for the sealed value at "),
        "{error}"
    );
    tries += 7;
    eprintln!("{tries} tampered bundles, every one refused; {kms_rejected} by KMS");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_name_the_value_the_bundle_file_and_the_key() {
    let h = harness().await;
    let key = create_key(&h.client).await;
    let names = vec!["db_password".to_owned(), "api_token".to_owned()];
    let (text, _) = make_bundle(&key, &[("app", "billing")], &names).await;

    // a tampered value: its own name and file, and the next step
    let tampered = edited(&text, |b| b.values[1].sealed[20] ^= 1);
    let error = value_of(&tampered, "api_token")
        .unwrap()
        .get()
        .await
        .unwrap_err();
    let shown = error.to_string();
    assert!(
        shown.starts_with("the bundle value does not authenticate under the bundle's data key for the sealed value at sealed-runtime/tests/bundles.rs:"),
        "{shown}"
    );
    assert!(
        shown.contains(&format!(
            "(value `api_token` of bundle `secrets/app.bundle`, key `{key}`"
        )),
        "{shown}"
    );
    assert!(shown.contains("help: the file was edited, or this value was copied from another name or bundle (which never opens): restore `secrets/app.bundle` from version control, or set the value again with `cargo sealed bundle set secrets/app.bundle api_token`"), "{shown}");
    assert_eq!(error.bundle(), Some(("secrets/app.bundle", "api_token")));

    // the data key refused by KMS (another context): both values waiting on the one Decrypt
    // receive the error, each for itself
    let wrong_context = edited(&text, |b| {
        b.context = vec![("app".into(), ContextValue::Literal("payroll".into()))];
    });
    let first = value_of(&wrong_context, "db_password").unwrap();
    let second = value_of(&wrong_context, "api_token").unwrap();
    let before = h.calls(&key);
    let (a, b) = tokio::join!(first.get(), second.get());
    assert_eq!(h.calls(&key) - before, 1, "one Decrypt for both");
    for (error, name) in [
        (a.unwrap_err(), "db_password"),
        (b.unwrap_err(), "api_token"),
    ] {
        assert_eq!(error.kind(), &ErrorKind::InvalidCiphertext);
        assert_eq!(error.bundle(), Some(("secrets/app.bundle", name)));
        let shown = error.to_string();
        assert!(
            shown.contains(&format!(
                "value `{name}` of bundle `secrets/app.bundle`, key `{key}`, region us-east-1"
            )),
            "{shown}"
        );
        assert!(
            shown.contains("the context keys sent were `app`"),
            "{shown}"
        );
    }
    // a failure is not cached: with the right bundle the same names decrypt
    assert!(value_of(&text, "db_password").unwrap().get().await.is_ok());
}

/// A bundle read at run time is a file: pinned, the program refuses one that names another key,
/// another context or another id, before any request, and takes the one it expects.
#[test]
fn a_pinned_bundle_refuses_another_key_context_or_id() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/tests/fixtures/app.bundle"),
    )
    .unwrap();
    let bundle = Bundle::parse(&text).unwrap();
    let id = hex::encode(bundle.id);
    let pinned = || {
        Sealed::from_bundle(text.clone(), "db_password")
            .expect_key(bundle.key.clone())
            .expect_context("app", "billing")
            .expect_context_env("LambdaFunctionName", "AWS_LAMBDA_FUNCTION_NAME")
            .expect_id(id.clone())
    };
    assert!(pinned().build().is_ok());
    let refusals = [
        (
            pinned().expect_key("arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
            "the bundle's key is `arn:aws:kms:us-east-1:111122223333:key/",
        ),
        (pinned().expect_id("00000000000000000000000000000000"), "the bundle's id is `"),
        (pinned().expect_context("stage", "prod"), "the bundle's context is `LambdaFunctionName=env(AWS_LAMBDA_FUNCTION_NAME), app=billing`"),
    ];
    for (builder, message) in refusals {
        let error = builder.build().unwrap_err();
        assert!(
            matches!(error.kind(), BuildErrorKind::BundleNotPinned { .. }),
            "{error}"
        );
        assert!(error.to_string().starts_with(message), "{error}");
    }
    // a file pointed at another key is refused by a program that pinned the old one
    let moved = text.replace(&bundle.key, "alias/attacker");
    let error = Sealed::from_bundle(moved, "db_password")
        .expect_key(bundle.key.clone())
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("not the pinned"), "{error}");
}
