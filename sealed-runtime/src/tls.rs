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
//! Both connectors are the SDK's own (`aws-smithy-http-client`), with the client's timeouts,
//! retries' error classes and connection pools: what changes is when they are made and which
//! roots the TLS one trusts. The roots are chosen and parsed once per process, on the first TLS
//! connection (with `native-roots`, reading the system's store then, inside that request's
//! connect timeout), and concurrent first requests wait for that one. Not passed on: a time
//! source installed in the client's configuration (the SDK's builder keeps that setting to
//! itself), so the connectors' telemetry uses the system clock. The compiled-in roots change
//! with the `webpki-root-certs` crate (`cargo update`), not with the system's distrust updates.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};
use std::time::Duration;

use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
use aws_smithy_http_client::Connector;
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
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

/// Where the root certificates of TLS connections come from (for errors: which ones a refused
/// certificate was checked against).
#[derive(Clone, Copy, Debug)]
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

/// The TLS context of every TLS connector: the roots [`roots`] chose, made once, on the first
/// TLS connection of the process.
fn tls_context() -> TlsContext {
    static CONTEXT: OnceLock<TlsContext> = OnceLock::new();
    CONTEXT
        .get_or_init(|| {
            let store = match roots() {
                Roots::Platform => TrustStore::default(),
                Roots::CompiledIn => TrustStore::empty().with_pem_certificate(compiled_in_pem()),
            };
            TlsContext::builder()
                .with_trust_store(store)
                .build()
                .expect("a trust store without server names is a valid TLS context")
        })
        .clone()
}

/// The compiled-in roots as one PEM bundle, the form the SDK's trust store takes (it has no
/// door for DER): encoded at build time (`build.rs`), so that a process only copies it.
fn compiled_in_pem() -> &'static [u8] {
    include_bytes!(concat!(env!("OUT_DIR"), "/roots.pem"))
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
///     .http_client(sealed_runtime::kms::http_client())
///     .load()
///     .await;
/// # let _ = config;
/// # }
/// ```
pub fn http_client() -> SharedHttpClient {
    static CLIENT: OnceLock<SharedHttpClient> = OnceLock::new();
    CLIENT
        .get_or_init(|| SharedHttpClient::new(Pools(Arc::clone(on_demand()))))
        .clone()
}

/// The connectors behind [`http_client`], every clone of it included.
fn on_demand() -> &'static Arc<OnDemand> {
    static CONNECTORS: OnceLock<Arc<OnDemand>> = OnceLock::new();
    CONNECTORS.get_or_init(Arc::default)
}

/// Forgets every connector [`http_client`] made, with its connection pool: the idle connections
/// close as the last request holding them ends, and the next request of any of its clones opens
/// a new one (the connections of a SnapStart INIT are dead in a restored environment).
pub(crate) fn forget_connections() {
    on_demand()
        .connectors
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .clear();
}

/// [`http_client`]: the one [`OnDemand`] every clone shares.
#[derive(Debug)]
struct Pools(Arc<OnDemand>);

impl HttpClient for Pools {
    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.0.connector_metadata()
    }

    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        self.0.http_connector(settings, components)
    }
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
    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        // as the SDK's own client says it, for the user agent
        Some(ConnectorMetadata::new("hyper", Some(Cow::Borrowed("1.x"))))
    }

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
        let tls = request
            .uri()
            .get(..6)
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https:"));
        let connector = if tls {
            self.https.get_or_init(|| {
                let connector = self
                    .builder()
                    .tls_provider(tls::Provider::Rustls(crypto_mode()))
                    .tls_context(tls_context())
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
    fn every_compiled_in_root_reaches_the_trust_store_as_a_trust_anchor() {
        use rustls_pki_types::pem::PemObject as _;
        let bundle = compiled_in_pem();
        let parsed: Vec<rustls_pki_types::CertificateDer<'static>> =
            rustls_pki_types::CertificateDer::pem_slice_iter(bundle)
                .collect::<Result<_, _>>()
                .unwrap();
        assert_eq!(parsed.len(), webpki_root_certs::TLS_SERVER_ROOT_CERTS.len());
        for (parsed, der) in parsed.iter().zip(webpki_root_certs::TLS_SERVER_ROOT_CERTS) {
            assert_eq!(parsed.as_ref(), der.as_ref());
        }
        // what the SDK's store does with each (it panics on one that is not a trust anchor)
        for certificate in &parsed {
            webpki::anchor_from_trusted_cert(certificate).unwrap();
        }
        assert!(parsed.len() > 100);
    }
}
