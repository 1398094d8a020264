//! What the compiled-in root certificates cost a process at its first TLS connection (issue 22),
//! step by step, as the SDK's trust store takes them (one PEM bundle, decoded and parsed into a
//! rustls `RootCertStore`, as `aws-smithy-http-client` does):
//!
//! * encoding the DER roots as PEM (what `sealed-runtime` did in each process before its
//!   `build.rs` did it once);
//! * the SDK's PEM decoding (constant-time base64);
//! * the trust anchors' parsing (`RootCertStore::add`).
//!
//! `cargo run --release -p sealed-bench --bin roots-cost`: the first round (cold caches, as a
//! process meets it) and the median of 51.

use std::time::{Duration, Instant};

use base64::Engine as _;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::CertificateDer;

/// The three steps' times.
fn round() -> [Duration; 3] {
    let started = Instant::now();
    let mut pem = Vec::with_capacity(webpki_root_certs::TLS_SERVER_ROOT_CERTS.len() * 2048);
    for der in webpki_root_certs::TLS_SERVER_ROOT_CERTS {
        let body = base64::engine::general_purpose::STANDARD.encode(der);
        pem.extend_from_slice(b"-----BEGIN CERTIFICATE-----\n");
        for line in body.as_bytes().chunks(64) {
            pem.extend_from_slice(line);
            pem.push(b'\n');
        }
        pem.extend_from_slice(b"-----END CERTIFICATE-----\n");
    }
    let encoded = Instant::now();
    let ders = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .expect("PEM");
    let decoded = Instant::now();
    let mut roots = rustls::RootCertStore::empty();
    for der in ders {
        roots.add(der).expect("a trust anchor");
    }
    let parsed = Instant::now();
    assert_eq!(
        roots.len(),
        webpki_root_certs::TLS_SERVER_ROOT_CERTS.len(),
        "every root is a trust anchor"
    );
    [encoded - started, decoded - encoded, parsed - decoded]
}

fn main() {
    let first = round();
    let mut rounds: Vec<[Duration; 3]> = (0..51).map(|_| round()).collect();
    let mut median = |step: usize| {
        rounds.sort_by_key(|r| r[step]);
        rounds[rounds.len() / 2][step]
    };
    let medians = [median(0), median(1), median(2)];
    println!(
        "{} roots | step | first round | median of 51",
        webpki_root_certs::TLS_SERVER_ROOT_CERTS.len()
    );
    let steps = [
        "PEM encoding (build time since issue 22)",
        "the SDK's PEM decoding",
        "parsing the trust anchors",
    ];
    for (i, step) in steps.iter().enumerate() {
        println!("{step} | {:?} | {:?}", first[i], medians[i]);
    }
}
