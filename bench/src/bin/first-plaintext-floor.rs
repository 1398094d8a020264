//! The floor of a cold start (issue 22): exactly the job and no more. One SigV4-signed KMS
//! `Decrypt` over one blocking connection (TLS with rustls on ring, the roots read from
//! `SSL_CERT_FILE` and nothing else, when the endpoint is `https`), no async runtime, no SDK, no
//! credential chain (`AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`), no
//! retries. Prints the plaintext's length, as the other programs do. `scripts/bench_cold.py
//! --floor` measures `sealed` against it; the figures are in BENCHMARKS.md.
//!
//! Started as a Lambda function (`AWS_LAMBDA_RUNTIME_API` set), it decrypts in INIT, then answers
//! each invocation with the plaintext's length over the runtime API: one blocking plain-HTTP
//! connection per request, nothing else (the floor of the Lambda path).

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

/// Reads one HTTP/1.1 response from `stream` and returns its head (lower case) and its body: as
/// many bytes as `Content-Length` says (without waiting for the peer to close), de-chunked if
/// chunked, else to the end.
fn read_response(stream: &mut impl Read) -> (String, Vec<u8>) {
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
            // header names lower-cased, values as sent (a request id is used verbatim)
            let head = String::from_utf8_lossy(&response[..split])
                .lines()
                .map(|line| match line.split_once(':') {
                    Some((name, value)) => format!("{}:{value}", name.to_ascii_lowercase()),
                    None => line.to_ascii_lowercase(),
                })
                .collect::<Vec<_>>()
                .join("\n");
            let body = &response[split + 4..];
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map(|n| n.trim().parse::<usize>().expect("a Content-Length"));
            match length {
                Some(length) if body.len() >= length => return (head, body[..length].to_vec()),
                None if head.contains("transfer-encoding: chunked")
                    && body.ends_with(b"0\r\n\r\n") =>
                {
                    return (head, dechunk(body));
                }
                None if read == 0 => return (head, body.to_vec()),
                _ => {}
            }
        }
        assert!(
            read > 0,
            "the connection closed before the response was whole"
        );
    }
}

/// The body of KMS's answer, which must be a success.
fn read_body(stream: &mut impl Read) -> Vec<u8> {
    let (head, body) = read_response(stream);
    assert_eq!(status(&head), 200, "KMS answered {head}");
    body
}

/// The status code of a response's head (`HTTP/1.0` or `HTTP/1.1`).
fn status(head: &str) -> u16 {
    head.strip_prefix("http/1.")
        .and_then(|rest| rest.get(2..5))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP/1.x response: {head}"))
}

/// One plain-HTTP request to the Lambda runtime API at `authority`, on its own connection: the
/// response's head and body.
fn runtime_api(authority: &str, method: &str, path: &str, body: &str) -> (String, Vec<u8>) {
    let mut stream = TcpStream::connect(authority).expect("the runtime API answers");
    stream.set_nodelay(true).expect("nodelay");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("sent");
    read_response(&mut stream)
}

/// Answers every invocation with `length` (the runtime API's loop, as `lambda_runtime` runs it;
/// `api` is `AWS_LAMBDA_RUNTIME_API`: `host:port`, as Lambda sets it, or a URL with a path, as
/// cargo-lambda's may be).
fn serve(api: &str, length: usize) -> ! {
    let api = api.strip_prefix("http://").unwrap_or(api);
    let (authority, base) = api.find('/').map_or((api, ""), |at| api.split_at(at));
    let base = base.trim_end_matches('/');
    loop {
        let next = format!("{base}/2018-06-01/runtime/invocation/next");
        let (head, _event) = runtime_api(authority, "GET", &next, "");
        let id = head
            .lines()
            .find_map(|l| l.strip_prefix("lambda-runtime-aws-request-id:"))
            .expect("an invocation's request id")
            .trim()
            .to_owned();
        let response = format!("{base}/2018-06-01/runtime/invocation/{id}/response");
        let (head, _) = runtime_api(authority, "POST", &response, &length.to_string());
        assert_eq!(status(&head), 202, "the runtime API answered {head}");
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
    if let Ok(api) = std::env::var("AWS_LAMBDA_RUNTIME_API") {
        serve(&api, plaintext.len());
    }
    // the length only: no plaintext on stdout
    println!("{}", plaintext.len());
}
