//! A TLS-terminating proxy on loopback in front of a plain-HTTP server (the emulator), with a
//! certificate authority made for the test: what a client does over TLS, without AWS.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::io::copy_bidirectional;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

/// The proxy: its `https://localhost:PORT` URL and the PEM of the certificate authority that
/// signed its certificate. It runs on a thread of its own until the process ends.
pub struct TlsProxy {
    /// `https://localhost:PORT`.
    pub url: String,
    /// The test CA, written to a file: what `SSL_CERT_FILE` names to trust it.
    pub ca_file: PathBuf,
}

impl TlsProxy {
    /// A proxy forwarding every TLS connection's bytes to `upstream` (`host:port`), its CA
    /// written under `dir`.
    pub fn start(upstream: &str, dir: &Path) -> TlsProxy {
        let ca_params = {
            let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
            params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
            params
                .distinguished_name
                .push(rcgen::DnType::CommonName, "sealed test CA");
            params
        };
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let leaf_key = rcgen::KeyPair::generate().unwrap();
        let leaf = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
            .unwrap()
            .signed_by(&leaf_key, &ca, &ca_key)
            .unwrap();
        let ca_file = dir.join("test-ca.pem");
        std::fs::write(&ca_file, ca.pem()).unwrap();
        let config = ServerConfig::builder_with_provider(Arc::new(
            tokio_rustls::rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(leaf.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .unwrap();
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let upstream = upstream.to_owned();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = TcpListener::from_std(listener).unwrap();
                loop {
                    let Ok((client, _)) = listener.accept().await else {
                        continue;
                    };
                    let (acceptor, upstream) = (acceptor.clone(), upstream.clone());
                    tokio::spawn(async move {
                        // a client that refuses the certificate ends here
                        let Ok(mut client) = acceptor.accept(client).await else {
                            return;
                        };
                        if let Ok(mut server) = TcpStream::connect(&upstream).await {
                            let _ = copy_bidirectional(&mut client, &mut server).await;
                        }
                    });
                }
            });
        });
        TlsProxy {
            url: format!("https://localhost:{port}"),
            ca_file,
        }
    }
}
