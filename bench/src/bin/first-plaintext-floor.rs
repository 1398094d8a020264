//! The floor of a cold start (issue 22): exactly the job and no more. One SigV4-signed KMS
//! `Decrypt` over one blocking connection (TLS with rustls on ring, the roots read from
//! `SSL_CERT_FILE` and nothing else, when the endpoint is `https`), no async runtime, no SDK, no
//! credential chain (`AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`), no
//! retries. Prints the plaintext's length, as the other programs do. `scripts/bench_cold.py
//! --floor` measures `sealed` against it; the figures are in BENCHMARKS.md.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use base64::Engine as _;
use rustls::pki_types::pem::PemObject as _;

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run scripts/bench"))
}

/// The signed request, as bytes on the wire.
fn request(host: &str, url: &str, body: &[u8]) -> Vec<u8> {
    let identity = Credentials::new(
        var("AWS_ACCESS_KEY_ID"),
        var("AWS_SECRET_ACCESS_KEY"),
        std::env::var("AWS_SESSION_TOKEN").ok(),
        None,
        "environment",
    )
    .into();
    let region = var("AWS_REGION");
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&region)
        .name("kms")
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .expect("signing parameters")
        .into();
    let headers = [
        ("host", host),
        ("content-type", "application/x-amz-json-1.1"),
        ("x-amz-target", "TrentService.Decrypt"),
    ];
    let signable = SignableRequest::new(
        "POST",
        url,
        headers.iter().copied(),
        SignableBody::Bytes(body),
    )
    .expect("a signable request");
    let (instructions, _) = sign(signable, &params).expect("signed").into_parts();
    let mut head = format!(
        "POST / HTTP/1.1\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers.into_iter().chain(instructions.headers()) {
        head.extend([name, ": ", value, "\r\n"]);
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// Reads one HTTP/1.1 response from `stream` and returns its body: as many bytes as
/// `Content-Length` says (without waiting for the peer to close), de-chunked if chunked, else to
/// the end.
fn read_body(stream: &mut impl Read) -> Vec<u8> {
    let mut response = Vec::new();
    let mut buffer = [0; 16 * 1024];
    loop {
        let read = match stream.read(&mut buffer) {
            Ok(read) => read,
            // a TLS peer that closes without close_notify ends the response too
            Err(error) if error.kind() == std::io::ErrorKind::UnexpectedEof => 0,
            Err(error) => panic!("reading the response: {error}"),
        };
        response.extend_from_slice(&buffer[..read]);
        if let Some(split) = response.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&response[..split]).to_ascii_lowercase();
            assert!(head.starts_with("http/1.1 200"), "KMS answered {head}");
            let body = &response[split + 4..];
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map(|n| n.trim().parse::<usize>().expect("a Content-Length"));
            match length {
                Some(length) if body.len() >= length => return body[..length].to_vec(),
                None if head.contains("transfer-encoding: chunked")
                    && body.ends_with(b"0\r\n\r\n") =>
                {
                    return dechunk(body)
                }
                None if read == 0 => return body.to_vec(),
                _ => {}
            }
        }
        assert!(
            read > 0,
            "the connection closed before the response was whole"
        );
    }
}

/// A chunked body, de-chunked.
fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line = rest.windows(2).position(|w| w == b"\r\n").expect("a chunk");
        let size = usize::from_str_radix(String::from_utf8_lossy(&rest[..line]).trim(), 16)
            .expect("a chunk size");
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&rest[line + 2..line + 2 + size]);
        rest = &rest[line + 4 + size..];
    }
}

fn main() {
    // as `sealed_bench::target()` reads them; this file is built on its own too (bench_cold.py)
    let (ciphertext, key) = (var("SEALED_BENCH_CIPHERTEXT"), var("SEALED_BENCH_KEY"));
    let endpoint = var("AWS_ENDPOINT_URL_KMS");
    let (tls, authority) = match endpoint.split_once("://") {
        Some(("https", rest)) => (true, rest.trim_end_matches('/')),
        Some(("http", rest)) => (false, rest.trim_end_matches('/')),
        _ => panic!("AWS_ENDPOINT_URL_KMS is not an http(s) URL: {endpoint}"),
    };
    let (host, port) = authority
        .rsplit_once(':')
        .map_or((authority, if tls { 443 } else { 80 }), |(h, p)| {
            (h, p.parse().expect("a port"))
        });
    let json = format!(r#"{{"CiphertextBlob":"{ciphertext}","KeyId":"{key}"}}"#);
    let request = request(authority, &format!("{endpoint}/"), json.as_bytes());
    let mut tcp = TcpStream::connect((host, port)).expect("connected");
    tcp.set_nodelay(true).expect("nodelay");
    let body = if tls {
        let mut roots = rustls::RootCertStore::empty();
        let file = var("SSL_CERT_FILE");
        let pems = std::fs::read(&file).expect("SSL_CERT_FILE is readable");
        for cert in rustls::pki_types::CertificateDer::pem_slice_iter(&pems) {
            roots.add(cert.expect("a PEM certificate")).expect("a root");
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
        let name = rustls::pki_types::ServerName::try_from(host.to_owned()).expect("a host name");
        let connection = rustls::ClientConnection::new(Arc::new(config), name).expect("TLS");
        let mut stream = rustls::StreamOwned::new(connection, tcp);
        stream.write_all(&request).expect("sent");
        read_body(&mut stream)
    } else {
        tcp.write_all(&request).expect("sent");
        read_body(&mut tcp)
    };
    let answer: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    let plaintext = base64::engine::general_purpose::STANDARD
        .decode(answer["Plaintext"].as_str().expect("a Plaintext"))
        .expect("base64");
    // the length only: no plaintext on stdout
    println!("{}", plaintext.len());
}
