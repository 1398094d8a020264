//! The TLS stack the `tls-*` features choose, chosen in this one place: the rustls crypto
//! provider of the HTTPS client every KMS request and credential provider uses. FIPS over
//! AWS-LC over ring, when several features are on.

use std::sync::OnceLock;

use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

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

/// The HTTP client of `sealed-runtime`'s KMS clients and of the credential providers its
/// configuration loader starts: rustls with the TLS stack the `tls-*` features choose (`ring`
/// by default, the fastest cold start at a fraction of a CPU), the system's root certificates
/// (`SSL_CERT_FILE` is honoured).
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
        .get_or_init(|| {
            aws_smithy_http_client::Builder::new()
                .tls_provider(tls::Provider::Rustls(crypto_mode()))
                .build_https()
        })
        .clone()
}
