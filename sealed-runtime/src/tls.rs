//! The HTTPS client of every KMS request and credential provider: rustls with the crypto provider
//! the `tls-*` features choose (FIPS over AWS-LC over ring, when several are on), and root
//! certificates that cost nothing until a TLS connection needs them.
//!
//! The SDK's own client builds a TLS configuration, with every root certificate parsed, for each
//! connector it makes (once when the client is chosen, once per timeout setting), and loads the
//! system's certificate store to do so, even for a plain-HTTP endpoint. Here each connector is
//! made on the first request that needs it: a plain-HTTP request makes a plain connector and no
//! roots at all; the first HTTPS request makes the TLS one, with the roots [`roots`] chooses:
//!
//! * by default, the roots compiled into the binary (`webpki-root-certs`: Mozilla's list, which
//!   covers every AWS endpoint), so that nothing is read from the file system;
//! * with `SSL_CERT_FILE` or `SSL_CERT_DIR` set, those (only), as the platform loader reads them;
//! * with the `native-roots` feature, the platform's store (for a network behind a
//!   TLS-inspecting proxy whose certificate authority the system trusts).
//!
//! Both connectors are the SDK's own (`aws-smithy-http-client`), with the client's timeouts:
//! what changes is when they are made and which roots the TLS one trusts.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};
use std::time::Duration;

use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
use aws_smithy_http_client::Connector;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::shared::IntoShared as _;

#[cfg(not(any(feature = "tls-ring", feature = "tls-aws-lc", feature = "tls-fips")))]
compile_error!(
    "sealed-runtime needs a TLS stack: enable one of its features `tls-ring` (the default), `tls-aws-lc` or `tls-fips`"
);

/// The TLS stack the features chose.
fn crypto_mode() -> CryptoMode {
    #[cfg(feature = "tls-fips")]
    return CryptoMode::AwsLcFips;
    #[cfg(all(feature = "tls-aws-lc", not(feature = "tls-fips")))]
    return CryptoMode::AwsLc;
    #[cfg(all(
        feature = "tls-ring",
        not(any(feature = "tls-aws-lc", feature = "tls-fips"))
    ))]
    return CryptoMode::Ring;
}

/// Where the root certificates of TLS connections come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Roots {
    /// The roots compiled into the binary.
    CompiledIn,
    /// The platform's loader: the files `SSL_CERT_FILE` / `SSL_CERT_DIR` name, else the
    /// system's store.
    Platform,
}

/// The roots to trust: the platform's when `SSL_CERT_FILE` or `SSL_CERT_DIR` is set (the
/// platform loader reads only those then) or with the `native-roots` feature, else the ones
/// compiled in. Read when the first TLS connector is made.
pub(crate) fn roots() -> Roots {
    let named = ["SSL_CERT_FILE", "SSL_CERT_DIR"]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()));
    if named || cfg!(feature = "native-roots") {
        Roots::Platform
    } else {
        Roots::CompiledIn
    }
}

/// The trust store of `roots`.
fn trust_store(roots: Roots) -> TrustStore {
    match roots {
        Roots::Platform => TrustStore::default(),
        Roots::CompiledIn => {
            let mut store = TrustStore::empty();
            for certificate in webpki_root_certs::TLS_SERVER_ROOT_CERTS {
                store.add_pem_certificate(pem(certificate));
            }
            store
        }
    }
}

/// A DER certificate as PEM, the form the SDK's trust store takes.
fn pem(der: &[u8]) -> Vec<u8> {
    use base64::Engine as _;
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = b"-----BEGIN CERTIFICATE-----\n".to_vec();
    for line in body.as_bytes().chunks(64) {
        pem.extend_from_slice(line);
        pem.push(b'\n');
    }
    pem.extend_from_slice(b"-----END CERTIFICATE-----\n");
    pem
}

/// The HTTP client of `sealed-runtime`'s KMS clients and of the credential providers its
/// configuration loader starts: rustls with the TLS stack the `tls-*` features choose (`ring`
/// by default, the fastest cold start at a fraction of a CPU), the roots compiled in (or
/// `SSL_CERT_FILE` / `SSL_CERT_DIR` when set, or the platform's with the `native-roots`
/// feature), each connector made on its first request: a plain-HTTP endpoint loads no roots.
///
/// Give it to the other AWS SDK clients of the program so that they share its stack (and skip
/// the SDK default's cold-start cost) — a `SharedHttpClient` is cheap to clone:
///
/// ```no_run
/// # async fn example() {
/// let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
///     .http_client(sealed_runtime::http_client())
///     .load()
///     .await;
/// # let _ = config;
/// # }
/// ```
pub fn http_client() -> SharedHttpClient {
    static CLIENT: OnceLock<SharedHttpClient> = OnceLock::new();
    CLIENT
        .get_or_init(|| SharedHttpClient::new(OnDemand::default()))
        .clone()
}

/// A connector's timeouts: to connect, to read.
type Timeouts = (Option<Duration>, Option<Duration>);

/// The connectors made so far, one per timeout setting (as the SDK's client keeps them: each
/// holds its own connection pool).
#[derive(Debug, Default)]
struct OnDemand {
    connectors: RwLock<HashMap<Timeouts, SharedHttpConnector>>,
}

impl HttpClient for OnDemand {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        let key = (settings.connect_timeout(), settings.read_timeout());
        if let Some(connector) = self
            .connectors
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
        {
            return connector.clone();
        }
        self.connectors
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key)
            .or_insert_with(|| {
                ByScheme {
                    settings: settings.clone(),
                    sleep: components.sleep_impl(),
                    http: OnceLock::new(),
                    https: OnceLock::new(),
                }
                .into_shared()
            })
            .clone()
    }
}

/// A plain connector and a TLS one, each made on the first request of its scheme.
#[derive(Debug)]
struct ByScheme {
    settings: HttpConnectorSettings,
    sleep: Option<aws_smithy_async::rt::sleep::SharedAsyncSleep>,
    http: OnceLock<Arc<Connector>>,
    https: OnceLock<Arc<Connector>>,
}

impl ByScheme {
    fn builder(&self) -> aws_smithy_http_client::ConnectorBuilder {
        let mut builder = Connector::builder().connector_settings(self.settings.clone());
        builder.set_sleep_impl(self.sleep.clone());
        builder
    }
}

impl HttpConnector for ByScheme {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let tls = request.uri().starts_with("https:");
        let connector = if tls {
            self.https.get_or_init(|| {
                let context = TlsContext::builder()
                    .with_trust_store(trust_store(roots()))
                    .build()
                    .expect("a trust store without server names is a valid TLS context");
                let connector = self
                    .builder()
                    .tls_provider(tls::Provider::Rustls(crypto_mode()))
                    .tls_context(context)
                    .build();
                Arc::new(connector)
            })
        } else {
            self.http
                .get_or_init(|| Arc::new(self.builder().build_http()))
        };
        connector.call(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiled_in_roots_are_pem_the_trust_store_reads() {
        let first = webpki_root_certs::TLS_SERVER_ROOT_CERTS[0].as_ref();
        let text = pem(first);
        let parsed = rustls_pki_types::pem::PemObject::from_pem_slice(&text);
        let parsed: rustls_pki_types::CertificateDer<'_> = parsed.unwrap();
        assert_eq!(parsed.as_ref(), first);
        assert!(webpki_root_certs::TLS_SERVER_ROOT_CERTS.len() > 100);
    }
}
