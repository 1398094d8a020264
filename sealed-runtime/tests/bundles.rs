//! Bundles against the moto emulator: one `Decrypt` per bundle however many values and tasks,
//! and every tampering, move, wrong key or missing name an error, never a plaintext.
//! Needs `eval "$(scripts/dev-kms)"` and `--features emulator`.
#![cfg(feature = "emulator")]

use base64::Engine as _;
use sealed_format::{Bundle, ContextValue, Readers};
use sealed_runtime::{build::BuildErrorKind, prefetch_values, set_client, ErrorKind, Sealed};
use tokio::sync::OnceCell;

use sealed_test_support as support;

use support::{create_key, Sent};

/// A P-256 private key (PKCS#8) someone knows: `bench/secrets/hot.bundle`'s.
const KNOWN: &str = "308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420c3cc3811c3d0baafef4f3fcc0c810b8fe812a2080cd48a2221f0fda66f9f84ffa144034200040804372ad0390079253a71897394df6198ce3170110ba543211c2db3da5e860c44835f5e05a059cd5b0e9e1544a270fe5a89c338749acf6a37c9ccc93591fb9d";

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
            let config = sealed_runtime::kms::default_config().await;
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

/// A bundle as `cargo sealed bundle new` + `set` make it: a key pair from KMS
/// (`GenerateDataKeyPairWithoutPlaintext` under the context and `sealed:bundle` = the id), each
/// value sealed to its public key with the next generation.
async fn make_bundle(key: &str, context: &[(&str, &str)], names: &[String]) -> String {
    let h = harness().await;
    let id = sealed_runtime::__tools::new_bundle_id().unwrap();
    let mut request = h
        .client
        .generate_data_key_pair_without_plaintext()
        .key_id(key)
        .key_pair_spec(aws_sdk_kms::types::DataKeyPairSpec::EccNistP256)
        .encryption_context(sealed_format::BUNDLE_CONTEXT_KEY, hex::encode(id));
    for (k, v) in context {
        request = request.encryption_context(*k, *v);
    }
    let generated = request.send().await.unwrap();
    let mut bundle = Bundle::new(
        id,
        key.to_owned(),
        context
            .iter()
            .map(|(k, v)| ((*k).to_owned(), ContextValue::Literal((*v).to_owned())))
            .collect(),
        generated.public_key.unwrap().into_inner(),
        b64(generated.private_key_ciphertext_blob.unwrap().as_ref()),
    )
    .unwrap();
    for name in names {
        let generation = bundle.next_generation().unwrap();
        let sealed = sealed_runtime::__tools::seal_value(
            &bundle,
            name,
            generation,
            plaintext(name).as_bytes(),
        )
        .unwrap();
        bundle.set(name, generation, sealed).unwrap();
    }
    bundle.render()
}

/// The value `name` of the bundle `text`, pinned to the key the text names (the tampering tests
/// change everything else; a changed key is tried on its own).
fn value_of(text: &str, name: &str) -> Result<&'static Sealed, sealed_runtime::build::BuildError> {
    let key = Bundle::parse(text).map(|b| b.key).unwrap_or_default();
    Sealed::from_bundle(text, name)
        .expect_key(key)
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
        let text = make_bundle(&key, &[("app", "billing")], &names).await;
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

/// [`KNOWN`] wrapped with KMS `Encrypt` under `key` and `context`, base64: what anyone with
/// `kms:Encrypt` on the key can make.
async fn encrypt_known(key: &str, context: &[(&str, &str)]) -> String {
    let mut request =
        harness()
            .await
            .client
            .encrypt()
            .key_id(key)
            .plaintext(aws_sdk_kms::primitives::Blob::new(
                hex::decode(KNOWN).unwrap(),
            ));
    for (k, v) in context {
        request = request.encryption_context(*k, *v);
    }
    b64(request
        .send()
        .await
        .unwrap()
        .ciphertext_blob()
        .unwrap()
        .as_ref())
}

/// `bundle` with another public key, its values kept.
fn with_public_key(bundle: &Bundle, public_key: &[u8]) -> Bundle {
    let mut other = Bundle::new(
        bundle.id,
        bundle.key.clone(),
        bundle.context.clone(),
        public_key.to_vec(),
        bundle.private_key.clone(),
    )
    .unwrap();
    other.generation = bundle.generation;
    other.values.clone_from(&bundle.values);
    other
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
async fn every_flip_every_move_a_wrong_key_and_a_missing_name_fail() {
    let h = harness().await;
    let key = create_key(&h.client).await;
    let other_key = create_key(&h.client).await;
    let names = vec!["db_password".to_owned(), "api_token".to_owned()];
    let text = make_bundle(&key, &[("app", "billing")], &names).await;
    let other = make_bundle(&key, &[("app", "billing")], &names).await;
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

    // every byte of every value's encapsulated key, ciphertext and tag (one bit each, all eight
    // bit positions in turn), and every cut
    for (index, value) in bundle.values.iter().enumerate() {
        for byte in 0..value.sealed.len() {
            let bit = byte % 8;
            let text = edited(&text, |b| b.values[index].sealed[byte] ^= 1 << bit);
            let error = must_fail(&text, &value.name, &format!("{} byte {byte}", value.name)).await;
            assert_eq!(error.unwrap().kind(), &ErrorKind::BundleValueRejected);
            tries += 1;
        }
        for cut in 0..value.sealed.len() {
            let text = text.replacen(&b64(&value.sealed), &b64(&value.sealed[..cut]), 1);
            must_fail(&text, &value.name, &format!("{} cut to {cut}", value.name)).await;
            tries += 1;
        }
        // another generation: lower, or higher (the bundle's line raised to match)
        for generation in [0, value.generation + 1] {
            let text = edited(&text, |b| {
                b.values[index].generation = generation;
                b.generation = b.generation.max(generation);
            });
            let error = must_fail(
                &text,
                &value.name,
                &format!("{} generation {generation}", value.name),
            )
            .await;
            assert_eq!(error.unwrap().kind(), &ErrorKind::BundleValueRejected);
            tries += 1;
        }
    }
    // every bit of the bundle's id: KMS is sent another `sealed:bundle`, and refuses
    for bit in (0..16 * 8).step_by(7) {
        let text = edited(&text, |b| b.id[bit / 8] ^= 1 << (bit % 8));
        let error = must_fail(&text, "db_password", &format!("id bit {bit}")).await;
        assert_eq!(error.unwrap().kind(), &ErrorKind::InvalidCiphertext);
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
    // bits of the wrapped private key: KMS (or the offline check) refuses it
    let wrapped = base64::engine::general_purpose::STANDARD
        .decode(&bundle.private_key)
        .unwrap();
    for bit in (0..wrapped.len() * 8).step_by(5) {
        let mut flipped = wrapped.clone();
        flipped[bit / 8] ^= 1 << (bit % 8);
        let text = edited(&text, |b| b.private_key = b64(&flipped));
        if must_fail(&text, "db_password", &format!("private key bit {bit}"))
            .await
            .is_some_and(|e| e.code().is_some())
        {
            kms_rejected += 1;
        }
        tries += 1;
    }
    assert!(kms_rejected > 0, "some flips of the private key reach KMS");

    // moves: a value copied to another bundle (same key, same context), or to another name
    let moved = edited(&other, |b| {
        b.values[0].sealed = bundle.values[0].sealed.clone();
    });
    let error = must_fail(&moved, "db_password", "copied to another bundle")
        .await
        .unwrap();
    assert_eq!(error.kind(), &ErrorKind::BundleValueRejected);
    // a wrapped private key moved from another bundle: KMS refuses its `sealed:bundle`
    let other_bundle = Bundle::parse(&other).unwrap();
    let transplanted = edited(&text, |b| {
        b.private_key.clone_from(&other_bundle.private_key);
    });
    let error = must_fail(
        &transplanted,
        "db_password",
        "private key of another bundle",
    )
    .await
    .unwrap();
    assert_eq!(error.kind(), &ErrorKind::InvalidCiphertext);
    // and with its public key too: the values of this bundle do not open with it
    let both = edited(&transplanted, |b| {
        *b = with_public_key(b, other_bundle.public_key());
    });
    let error = must_fail(&both, "db_password", "key pair of another bundle")
        .await
        .unwrap();
    assert_eq!(error.kind(), &ErrorKind::InvalidCiphertext);
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
    // and a program that pinned the bundle's key refuses that file before any request
    let refused = Sealed::from_bundle(wrong_key, "db_password")
        .expect_key(key.clone())
        .build()
        .unwrap_err();
    assert!(
        matches!(refused.kind(), BuildErrorKind::BundleNotPinned { .. }),
        "{refused}"
    );
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
    tries += 9;
    eprintln!("{tries} tampered bundles, every one refused; {kms_rejected} by KMS");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_name_the_value_the_bundle_file_and_the_key() {
    let h = harness().await;
    let key = create_key(&h.client).await;
    let names = vec!["db_password".to_owned(), "api_token".to_owned()];
    let text = make_bundle(&key, &[("app", "billing")], &names).await;

    // a tampered value: its own name and file, and the next step
    let tampered = edited(&text, |b| b.values[1].sealed[70] ^= 1);
    let error = value_of(&tampered, "api_token")
        .unwrap()
        .get()
        .await
        .unwrap_err();
    let shown = error.to_string();
    assert!(
        shown.starts_with("the bundle value does not open with the bundle's private key for the sealed value at sealed-runtime/tests/bundles.rs:"),
        "{shown}"
    );
    assert!(
        shown.contains(&format!(
            "(value `api_token` of bundle `secrets/app.bundle`, key `{key}`"
        )),
        "{shown}"
    );
    assert!(shown.contains("help: the file was edited, or this value was copied from another name, generation or bundle (which never opens): restore `secrets/app.bundle` from version control, or set the value again with `cargo sealed bundle set secrets/app.bundle api_token`"), "{shown}");
    assert_eq!(error.bundle(), Some(("secrets/app.bundle", "api_token")));

    // the private key refused by KMS (another context): both values waiting on the one Decrypt
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
            shown.contains("the context keys sent were `app`, `sealed:bundle`"),
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
            .expect_readers([format!(
                "key {} _AHzKh-i-Adv2mWviT2leifB0O5hblYSh2Pu3mgFKUA",
                bundle.key
            )])
    };
    assert!(pinned().build().is_ok());
    // who can read is pinned too: another key pair under the same key and id (a fake rotation)
    // is refused, naming it, and so is a program that pins no readers
    let planted = text.replace(
        "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEOySe7loiV+d2s55ifJePZxsMKYx7s+xnm4SyhXNhXIdLu+Mp3t4smSY35TFE7GUhng27Okwn8FhUQycuhKhh9g==",
        "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE7zO7jsEL0a35UuT++jg81TNJLDsVpks+T/b/yucwOTyKbjET0kgn0BAr/eqiTocnVeu+IFJ0lPsHPni7NYpXRA==",
    );
    assert_ne!(planted, text);
    refused_as_planted(
        &planted,
        &bundle.key,
        vec![format!(
            "key {} _AHzKh-i-Adv2mWviT2leifB0O5hblYSh2Pu3mgFKUA",
            bundle.key
        )],
        "another key pair under a pinned key: key arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab (account 111122223333, public key 8r3FYyC5B5VQlKqTjNAZbRvRydYci-G2DJ3xB3wmGyo); code pins public key _AHzKh-i-Adv2mWviT2leifB0O5hblYSh2Pu3mgFKUA",
    );
    let error = Sealed::from_bundle(text.clone(), "db_password")
        .expect_key(bundle.key.clone())
        .build()
        .unwrap_err();
    assert!(
        matches!(error.kind(), BuildErrorKind::BundleReadersNotPinned { .. }),
        "{error}"
    );
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

/// The bundle `text`, its key and `readers` pinned, is refused for a key pair the pins do not
/// name, with `says` in the error.
fn refused_as_planted(text: &str, key: &str, readers: Vec<String>, says: &str) {
    let error = Sealed::from_bundle(text, "db_password")
        .expect_key(key)
        .expect_readers(readers)
        .build()
        .unwrap_err();
    assert!(
        matches!(error.kind(), BuildErrorKind::BundleReadersChanged { .. }),
        "{error}"
    );
    assert!(error.to_string().contains(says), "{error}");
}

/// A repository writer who swaps the public key (to read what honest writers seal next) gets a
/// function that refuses the whole bundle with its own error, before opening any value; the
/// error is not cached, and the right file opens afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_swapped_public_key_is_refused_by_the_key_check() {
    let h = harness().await;
    let key = create_key(&h.client).await;
    let names = vec!["db_password".to_owned()];
    let text = make_bundle(&key, &[("app", "billing")], &names).await;
    let attacker = Bundle::parse(&make_bundle(&key, &[("app", "billing")], &names).await).unwrap();
    let bundle = Bundle::parse(&text).unwrap();
    // the attacker's public key, and a value sealed to it, in the victim's file
    let swapped = edited(&text, |b| {
        let mut planted = with_public_key(b, attacker.public_key());
        let generation = planted.next_generation().unwrap();
        let sealed = sealed_runtime::__tools::seal_value(
            &planted,
            "db_password",
            generation,
            plaintext("db_password").as_bytes(),
        )
        .unwrap();
        planted.set("db_password", generation, sealed).unwrap();
        *b = planted;
    });
    let error = must_fail(&swapped, "db_password", "swapped public key")
        .await
        .unwrap();
    assert_eq!(error.kind(), &ErrorKind::BundleKeyMismatch);
    let shown = error.to_string();
    assert!(
        shown.starts_with("the bundle's private key (from KMS) is not the pair of the public key in the file for the sealed value at "),
        "{shown}"
    );
    assert!(
        shown.contains("value `db_password` of bundle `secrets/app.bundle`"),
        "{shown}"
    );
    assert!(
        shown.contains("help: the `public-key` line of `secrets/app.bundle` was changed"),
        "{shown}"
    );
    assert_eq!(bundle.values.len(), 1);
    assert!(value_of(&text, "db_password").unwrap().get().await.is_ok());
}

/// The ways around the bundle's binding in KMS: a private key planted with `Encrypt` (as format
/// 1's data key could be) is refused without `sealed:bundle`; with it, KMS wraps it (what only
/// the key policy can stop) and a program that pins no readers accepts it, one that pins them
/// (`readers = […]`, `expect_readers`) refuses it; and the wrapped private key pasted as a plain value never decrypts
/// (without `sealed:bundle`, which a plain value cannot send).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_planted_private_key_needs_the_key_policy_and_a_pasted_one_does_not_decrypt() {
    let h = harness().await;
    let key = create_key(&h.client).await;
    let names = vec!["db_password".to_owned()];
    let text = make_bundle(&key, &[("app", "billing")], &names).await;
    let bundle = Bundle::parse(&text).unwrap();
    // a PKCS#8 the attacker knows, wrapped with `Encrypt` under the key and the file's context
    // (what `cargo sealed encrypt` can do): the function sends `sealed:bundle`, KMS refuses
    let planted = encrypt_known(&key, &[("app", "billing")]).await;
    let text_planted = edited(&text, |b| b.private_key = planted);
    let error = must_fail(&text_planted, "db_password", "planted with Encrypt")
        .await
        .unwrap();
    assert_eq!(error.kind(), &ErrorKind::InvalidCiphertext);

    // the same with `sealed:bundle` sent too, and the known key's public half in the file: KMS
    // wraps it, and the function accepts the pair. Only the key policy stops this (`cargo sealed
    // policy --key-policy` denies `Encrypt` and the like on a bundle's key); moto enforces no
    // key policy, so this documents the gap the deny closes
    let id = hex::encode(bundle.id);
    let planted = encrypt_known(&key, &[("app", "billing"), ("sealed:bundle", &id)]).await;
    let hot = Bundle::parse(include_str!("../../bench/secrets/hot.bundle")).unwrap();
    let mut with_policy_gap = Bundle::new(
        bundle.id,
        bundle.key.clone(),
        bundle.context.clone(),
        hot.public_key().to_vec(),
        planted,
    )
    .unwrap();
    let generation = with_policy_gap.next_generation().unwrap();
    let sealed = sealed_runtime::__tools::seal_value(
        &with_policy_gap,
        "db_password",
        generation,
        b"sealed to a key someone knows",
    )
    .unwrap();
    with_policy_gap
        .set("db_password", generation, sealed)
        .unwrap();
    let opened = value_of(&with_policy_gap.render(), "db_password")
        .unwrap()
        .get()
        .await
        .unwrap();
    assert_eq!(opened.expose(), b"sealed to a key someone knows");
    // H2 of issue 34: the program that pins who can read (as `sealed!` requires, and
    // `expect_readers` for a bundle read at run time) refuses the plant before any request, naming
    // the new key pair; above, the emulator's data needed no pins, so it was accepted
    let readers = Readers::of_bundle(&bundle).pins();
    refused_as_planted(
        &with_policy_gap.render(),
        &bundle.key,
        readers,
        "another key pair under a pinned key",
    );

    // the wrapped private key pasted as a plain value: KMS needs the exact context
    let pasted = Sealed::builder(bundle.private_key.clone())
        .key(&key)
        .context("app", "billing")
        .build()
        .unwrap();
    let error = pasted.get().await.unwrap_err();
    assert_eq!(error.kind(), &ErrorKind::InvalidCiphertext);
    // and it cannot send the bundle's entry
    let refused = Sealed::builder(bundle.private_key.clone())
        .key(&key)
        .context("app", "billing")
        .context("sealed:bundle", hex::encode(bundle.id))
        .build()
        .unwrap_err();
    assert!(
        refused.to_string().contains("`sealed:bundle` is reserved"),
        "{refused}"
    );
}

/// `prefetch` unwraps a bundle's private key and opens no value: each opens on its first access,
/// in the caller's thread, `try_get` included; a value edited in the file fails there, with no
/// request of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prefetch_unwraps_the_key_and_each_value_opens_on_its_first_access() {
    let h = harness().await;
    let key = create_key(&h.client).await;
    let names: Vec<String> = (0..3).map(|i| format!("value_{i}")).collect();
    let text = make_bundle(&key, &[("app", "billing")], &names).await;
    let tampered = edited(&text, |b| b.values[2].sealed[70] ^= 1);
    let values: Vec<&'static Sealed> = names
        .iter()
        .map(|n| value_of(&tampered, n).unwrap())
        .collect();
    let before = h.calls(&key);
    assert_eq!(
        prefetch_values(values.iter().map(|v| **v)).await.unwrap(),
        3
    );
    assert_eq!(h.calls(&key) - before, 1, "one Decrypt, in prefetch");
    // the good values open from synchronous code, with no request
    for (value, name) in values.iter().zip(&names).take(2) {
        assert_eq!(
            value.try_get().unwrap().expose(),
            plaintext(name).as_bytes()
        );
    }
    // the edited one: nothing from try_get, the error from get, and no request
    assert!(values[2].try_get().is_none());
    let error = values[2].get().await.unwrap_err();
    assert_eq!(error.kind(), &ErrorKind::BundleValueRejected);
    assert_eq!(error.bundle(), Some(("secrets/app.bundle", "value_2")));
    assert_eq!(h.calls(&key) - before, 1, "opening asks KMS nothing");
}
