//! A bundle with several recipients against moto: when the first recipient's KMS does not
//! answer, the value opens with the next one, tried in the function's own region first; a
//! refusal or a tampered file is never failed over. The library's client sends each region's
//! requests to its own endpoint, as AWS has one per region: the function's own region to a
//! closed port (an outage), `ap-southeast-2` to a server that accepts and never answers,
//! `eu-north-1` to a KMS that refuses every request (`SEALED_DENY_KMS_ENDPOINT`), every other region
//! to moto. The client waits up to 4 s per attempt and 20 s per operation (a client installed
//! with longer timeouts than the library's): the failover must still have its time. Its own
//! test binary: the process-wide client is installed once.
//! Needs `eval "$(scripts/dev-kms)"`, `SEALED_DENY_KMS_ENDPOINT` and `--features emulator`
//! (scripts/test provides them).
#![cfg(feature = "emulator")]

use aws_sdk_kms::config::endpoint::{Endpoint, EndpointFuture, Params, ResolveEndpoint};
use aws_sdk_kms::config::Region;
use base64::Engine as _;
use sealed_format::{Bundle, ContextValue, Recipient};
use sealed_runtime::{set_client, ErrorKind, Sealed};
use tokio::sync::OnceCell;

use sealed_test_support as support;

use support::{create_key, Sent};

const CANARY: &str = "canary-failover-7c1d";

/// The region whose KMS accepts connections and never answers.
const SILENT: &str = "ap-southeast-2";
/// The region whose KMS refuses every request.
const DENYING: &str = "eu-north-1";

/// Where the library's requests go: the region `out` to a port nobody listens on, [`SILENT`] to
/// `silent`, [`DENYING`] to `deny`, the others to moto.
#[derive(Debug)]
struct Regions {
    moto: String,
    out: String,
    silent: String,
    deny: String,
}

impl ResolveEndpoint for Regions {
    fn resolve_endpoint<'a>(&'a self, params: &'a Params) -> EndpointFuture<'a> {
        let url = match params.region() {
            // the discard port: refused on loopback, at once
            Some(region) if region == self.out => "http://127.0.0.1:9".to_owned(),
            Some(SILENT) => self.silent.clone(),
            Some(DENYING) => self.deny.clone(),
            _ => self.moto.clone(),
        };
        EndpointFuture::ready(Ok(Endpoint::builder().url(url).build()))
    }
}

/// A server that accepts every connection and never answers: its address.
fn silent_server() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    format!("http://{address}")
}

struct Harness {
    /// The function's own region (`AWS_REGION`), whose KMS is out for the library.
    own: String,
    /// Another region, whose KMS answers.
    other: String,
    config: aws_sdk_kms::Config,
    sent: Sent,
}

static HARNESS: OnceCell<Harness> = OnceCell::const_new();

async fn harness() -> &'static Harness {
    HARNESS
        .get_or_init(|| async {
            let moto = std::env::var("AWS_ENDPOINT_URL_KMS").expect(
                "this test needs the KMS emulator: run `eval \"$(scripts/dev-kms)\"` first (scripts/test does)",
            );
            let own = std::env::var("AWS_REGION").expect("scripts/dev-kms sets AWS_REGION");
            let other = if own == "eu-west-1" { "eu-central-1" } else { "eu-west-1" }.to_owned();
            let deny = std::env::var("SEALED_DENY_KMS_ENDPOINT").expect(
                "this test needs a KMS that denies every request: run `export SEALED_DENY_KMS_ENDPOINT=$(SEALED_DEV_KMS_STATE=target/dev-kms-deny scripts/dev-kms --iam 0 | sed -n 's/^export AWS_ENDPOINT_URL_KMS=//p')` (scripts/test does)",
            );
            let sent = Sent::default();
            let config = sealed_runtime::kms::default_config().await;
            let patient = aws_config::timeout::TimeoutConfig::builder()
                .connect_timeout(std::time::Duration::from_secs(1))
                .operation_attempt_timeout(std::time::Duration::from_secs(4))
                .operation_timeout(std::time::Duration::from_secs(20))
                .build();
            set_client(&aws_sdk_kms::Client::from_conf(
                config
                    .to_builder()
                    .endpoint_resolver(Regions {
                        moto,
                        out: own.clone(),
                        silent: silent_server(),
                        deny,
                    })
                    .timeout_config(patient)
                    .interceptor(sent.clone())
                    .build(),
            ))
            .unwrap();
            Harness {
                own,
                other,
                config,
                sent,
            }
        })
        .await
}

impl Harness {
    /// The test's own client (not the library's: it reaches moto in every region) in `region`.
    fn client(&self, region: &str) -> aws_sdk_kms::Client {
        aws_sdk_kms::Client::from_conf(
            self.config
                .to_builder()
                .region(Region::new(region.to_owned()))
                .build(),
        )
    }

    async fn key_in(&self, region: &str) -> String {
        create_key(&self.client(region)).await
    }

    fn calls(&self, key: &str) -> usize {
        self.sent.naming(key).len()
    }
}

/// A key pair KMS makes under `key` for the bundle `id`: (public key, wrapped private key).
async fn pair(h: &Harness, key: &str, id: [u8; 16]) -> (Vec<u8>, String) {
    let region = sealed_format::KeyRef::parse(key)
        .unwrap()
        .region()
        .unwrap()
        .to_owned();
    let generated = h
        .client(&region)
        .generate_data_key_pair_without_plaintext()
        .key_id(key)
        .key_pair_spec(aws_sdk_kms::types::DataKeyPairSpec::EccNistP256)
        .encryption_context("app", "billing")
        .encryption_context(sealed_format::BUNDLE_CONTEXT_KEY, hex::encode(id))
        .send()
        .await
        .unwrap();
    (
        generated.public_key.unwrap().into_inner(),
        base64::engine::general_purpose::STANDARD
            .encode(generated.private_key_ciphertext_blob.unwrap().as_ref()),
    )
}

/// A bundle as `stage add` + `stage add-key` + `stage set` make it: a key pair under each of
/// `keys` (the first the bundle's `key`, the others `recipient` lines), the values `a` and `b`
/// sealed to every one.
async fn make_bundle(h: &Harness, keys: &[&str]) -> String {
    let id = sealed_runtime::__tools::new_bundle_id().unwrap();
    let (public_key, private_key) = pair(h, keys[0], id).await;
    let mut bundle = Bundle::new(
        id,
        keys[0].to_owned(),
        vec![("app".into(), ContextValue::Literal("billing".into()))],
        public_key,
        private_key,
    )
    .unwrap();
    for key in &keys[1..] {
        let (public_key, private_key) = pair(h, key, id).await;
        let recipient = Recipient::new((*key).to_owned(), public_key, private_key).unwrap();
        bundle.add_recipient(recipient, Vec::new()).unwrap();
    }
    for name in ["a", "b"] {
        let generation = bundle.next_generation().unwrap();
        let plaintext = format!("{CANARY}-{name}");
        let sealings =
            sealed_runtime::__tools::seal_value(&bundle, name, generation, plaintext.as_bytes())
                .unwrap();
        bundle.set(name, generation, sealings).unwrap();
    }
    bundle.render()
}

fn value(text: &str, name: &str, key: &str, failover: &[&str]) -> &'static Sealed {
    let mut builder = Sealed::from_bundle(text, name)
        .expect_key(key)
        .path("secrets/app.prod.bundle");
    for other in failover {
        builder = builder.failover(*other);
    }
    Box::leak(Box::new(builder.build().unwrap()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bundle_fails_over_to_its_next_recipient_when_the_first_ones_kms_does_not_answer() {
    let h = harness().await;
    let first = h.key_in(&h.own).await;
    let second = h.key_in(&h.other).await;
    let text = make_bundle(h, &[&first, &second]).await;

    let a = value(&text, "a", &first, &[&second]);
    let secret = a.get().await.unwrap();
    assert_eq!(secret.expose(), format!("{CANARY}-a").as_bytes());
    assert!(h.calls(&first) >= 1, "the first recipient is tried first");
    assert_eq!(
        h.calls(&second),
        1,
        "one Decrypt of the second's private key"
    );

    // the bundle's other value opens with the key unwrapped already: no request at all
    let (before_first, before_second) = (h.calls(&first), h.calls(&second));
    let b = value(&text, "b", &first, &[&second]);
    assert_eq!(
        b.get().await.unwrap().expose(),
        format!("{CANARY}-b").as_bytes()
    );
    assert_eq!(
        (h.calls(&first), h.calls(&second)),
        (before_first, before_second)
    );

    // without the failover pinned, the same outage is the value's error
    let text = make_bundle(h, &[&first, &second]).await;
    let alone = value(&text, "a", &first, &[]);
    let error = alone.get().await.unwrap_err();
    assert_eq!(error.kind(), &ErrorKind::Unreachable, "{error}");
    assert!(!error.to_string().contains(CANARY));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_recipient_in_the_functions_own_region_is_tried_first() {
    let h = harness().await;
    let elsewhere = h.key_in(&h.other).await;
    let here = h.key_in(&h.own).await;
    // pinned second, tried first: it is in AWS_REGION (and out, so the other one answers)
    let text = make_bundle(h, &[&elsewhere, &here]).await;
    let a = value(&text, "a", &elsewhere, &[&here]);
    assert_eq!(
        a.get().await.unwrap().expose(),
        format!("{CANARY}-a").as_bytes()
    );
    assert!(h.calls(&here) >= 1, "the own region's recipient was tried");
    assert_eq!(h.calls(&elsewhere), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_file_is_not_failed_over() {
    let h = harness().await;
    let first = h.key_in(&h.other).await;
    let second = h.key_in(&h.other).await;
    let text = make_bundle(h, &[&first, &second]).await;
    // the first recipient's private key is another bundle's (another id in its context): KMS
    // answers InvalidCiphertext, which says the file was tampered with, not that KMS is out
    let other = Bundle::parse(&make_bundle(h, &[&first]).await).unwrap();
    let bundle = Bundle::parse(&text).unwrap();
    let tampered = text.replacen(&bundle.private_key, &other.private_key, 1);
    let a = value(&tampered, "a", &first, &[&second]);
    let error = a.get().await.unwrap_err();
    assert_eq!(error.kind(), &ErrorKind::InvalidCiphertext, "{error}");
    assert_eq!(h.calls(&second), 0, "the second recipient was never asked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_every_recipient_is_out_the_error_names_what_each_answered() {
    let h = harness().await;
    let first = h.key_in(&h.own).await;
    let second = h.key_in(&h.own).await;
    let text = make_bundle(h, &[&first, &second]).await;
    let a = value(&text, "a", &first, &[&second]);
    let error = a.get().await.unwrap_err();
    assert_eq!(error.kind(), &ErrorKind::Unreachable, "{error}");
    let message = error.to_string();
    assert!(
        message.contains(&format!(
            "the last recipient tried, after `{first}`: Unreachable"
        )),
        "{message}"
    );
    assert_eq!(error.key(), Some(second.as_str()), "{message}");
    assert!(!message.contains(CANARY));
}

#[test]
fn a_failover_recipient_must_be_one_of_the_bundles() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/tests/fixtures/app.bundle"
    ))
    .unwrap();
    let bundle = Bundle::parse(&text).unwrap();
    let error = Sealed::from_bundle(text, bundle.names().next().unwrap())
        .expect_key(bundle.key.clone())
        .failover("arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("failover recipient"), "{error}");
    assert!(
        matches!(
            error.kind(),
            sealed_runtime::build::BuildErrorKind::NotARecipient { .. }
        ),
        "{error:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kms_that_never_answers_leaves_the_failover_its_time() {
    let h = harness().await;
    // the silent region's first try would run for three 4 s attempts, past the 9 s deadline
    let silent = h.key_in(SILENT).await;
    let second = h.key_in(&h.other).await;
    let text = make_bundle(h, &[&silent, &second]).await;
    let a = value(&text, "a", &silent, &[&second]);
    let secret = a.get().await.unwrap();
    assert_eq!(secret.expose(), format!("{CANARY}-a").as_bytes());
    assert_eq!(h.calls(&second), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_is_not_failed_over() {
    let h = harness().await;
    // KMS answers, and says no (here: it knows no such credentials; `AccessDenied` and a disabled
    // key are refusals alike, `bundle.rs`'s unit test lists them): a misconfiguration, or incident
    // response cutting the function off, never a reason to ask another key
    let denied = h.key_in(DENYING).await;
    let second = h.key_in(&h.other).await;
    let text = make_bundle(h, &[&denied, &second]).await;
    let a = value(&text, "a", &denied, &[&second]);
    let error = a.get().await.unwrap_err();
    assert_eq!(error.kind(), &ErrorKind::Credentials, "{error}");
    assert_eq!(error.region(), Some(DENYING), "{error}");
    assert_eq!(h.calls(&second), 0, "the second recipient was never asked");
}
