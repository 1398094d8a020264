//! Finding L2 of issue 34: a KMS endpoint that is plain HTTP and not this machine is refused
//! before a request is sent (a `Decrypt` answer carries the plaintext). The endpoint here is a
//! listener on this machine's own non-loopback address, which must never see a connection.
//! Without the `emulator` feature, which allows plain HTTP for local KMS emulators anywhere.
#![cfg(not(feature = "emulator"))]

use std::net::{TcpListener, UdpSocket};

use aws_sdk_kms::config::{Credentials, Region};
use sealed_runtime::{set_client, ErrorKind, Sealed};

/// A ciphertext of AWS KMS's format (not an emulator's).
const AWS_CIPHERTEXT: &str = "AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=";
const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

#[tokio::test]
async fn plain_http_to_another_host_is_refused_before_any_connection() {
    // this machine's address on its default route (a UDP "connect" sends nothing)
    let probe = UdpSocket::bind("0.0.0.0:0").unwrap();
    probe.connect("192.0.2.1:9").unwrap();
    let ip = probe.local_addr().unwrap().ip();
    assert!(
        !ip.is_loopback() && !ip.is_unspecified(),
        "this test needs a non-loopback address (a network interface with a default route); found {ip}"
    );
    let listener = TcpListener::bind((ip, 0)).unwrap();
    listener.set_nonblocking(true).unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let config = aws_sdk_kms::Config::builder()
        .behavior_version_latest()
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .endpoint_url(&endpoint)
        .http_client(sealed_runtime::kms::http_client())
        .build();
    set_client(&aws_sdk_kms::Client::from_conf(config)).unwrap();

    let value = Sealed::builder(AWS_CIPHERTEXT).key(KEY).build().unwrap();
    let error = value.get().await.unwrap_err();
    assert_eq!(
        error.kind(),
        &ErrorKind::InsecureEndpoint {
            endpoint: format!("{endpoint}/")
        },
        "{error}"
    );
    let words = error.to_string();
    assert!(
        words.contains(&format!(
            "refused to send Decrypt over plain HTTP to `{endpoint}/`, which is not this machine"
        )) && words.contains("use an `https://` endpoint"),
        "{words}"
    );
    assert!(!error.is_transient());
    // nothing reached the endpoint
    assert_eq!(
        listener.accept().map(|_| ()).unwrap_err().kind(),
        std::io::ErrorKind::WouldBlock
    );
}
