//! One shared KMS client per region, with explicit timeouts and retries.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_kms::Client;
use tokio::sync::OnceCell;

use crate::tls::http_client;
use crate::worker;

/// Timeouts and retries for `Decrypt`, set explicitly whatever the SDK's `BehaviorVersion`.
///
/// The defaults fit in Lambda's 10 s INIT phase: at most 3 attempts of 2 s each (1 s to
/// connect), and 6 s for the whole operation, retries and back-off included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KmsSettings {
    /// Time to establish a connection.
    pub connect_timeout: Duration,
    /// Time for one attempt.
    pub attempt_timeout: Duration,
    /// Time for the whole operation, retries included.
    pub operation_timeout: Duration,
    /// Attempts in all (standard retry mode: throttling, 5xx, timeouts and I/O errors).
    pub max_attempts: u32,
    /// First back-off before a retry (jittered, doubling).
    pub initial_backoff: Duration,
    /// The longest back-off between two attempts.
    pub max_backoff: Duration,
}

impl Default for KmsSettings {
    fn default() -> Self {
        KmsSettings {
            connect_timeout: Duration::from_secs(1),
            attempt_timeout: Duration::from_secs(2),
            operation_timeout: Duration::from_secs(6),
            max_attempts: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(20),
        }
    }
}

impl KmsSettings {
    /// The SDK timeout configuration these settings give.
    pub fn timeout_config(&self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(self.connect_timeout)
            .operation_attempt_timeout(self.attempt_timeout)
            .operation_timeout(self.operation_timeout)
            .build()
    }

    /// The SDK retry configuration these settings give.
    pub fn retry_config(&self) -> RetryConfig {
        RetryConfig::standard()
            .with_max_attempts(self.max_attempts)
            .with_initial_backoff(self.initial_backoff)
            .with_max_backoff(self.max_backoff)
    }
}

struct Clients {
    base: aws_sdk_kms::Config,
    by_region: HashMap<String, Client>,
}

static INSTALLED: OnceLock<aws_sdk_kms::Config> = OnceLock::new();
/// The configuration loaded from the environment, once per lifetime of the clients (a SnapStart
/// snapshot ends one: [`forget_clients`]).
static LOADED: Mutex<Option<Arc<OnceCell<aws_sdk_kms::Config>>>> = Mutex::new(None);
/// The clients in use: `Some` once the first one was built, from then on with one
/// configuration.
static CLIENTS: Mutex<Option<Clients>> = Mutex::new(None);
/// Set by the first access (or the first `client()`), before any client exists.
static IN_USE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Installs the KMS client to use instead of one built from the environment, once, before the
/// first access. Its configuration is used for every region (a key ARN's region replaces the
/// client's own). The client's own timeouts and retries are kept: set them as [`KmsSettings`]
/// does.
///
/// Fails, handing the client back, when a client was installed already or when the library's
/// clients are in use: a value was accessed, [`prefetch`](crate::prefetch) ran or [`client`]
/// was called, and every later `Decrypt` keeps the configuration those clients were built with.
/// Call it at the start of `main`.
pub fn set_client(client: &Client) -> Result<(), SetClientError> {
    let clients = CLIENTS.lock().unwrap_or_else(PoisonError::into_inner);
    let refused = |reason| {
        Err(SetClientError {
            client: client.clone(),
            reason,
        })
    };
    if clients.is_some() || IN_USE.load(std::sync::atomic::Ordering::SeqCst) {
        return refused(Refused::InUse);
    }
    if INSTALLED.set(client.config().clone()).is_err() {
        return refused(Refused::Installed);
    }
    Ok(())
}

/// Why [`set_client`] refused a client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refused {
    Installed,
    InUse,
}

/// [`set_client`] came too late: a client was installed already, or the library's clients are
/// in use. Holds the client it was given.
#[derive(Debug)]
pub struct SetClientError {
    client: Client,
    reason: Refused,
}

impl SetClientError {
    /// The client that was not installed.
    pub fn into_client(self) -> Client {
        self.client
    }

    /// Whether the refusal is because the library's clients are in use already (rather than
    /// because a client was installed before).
    pub fn in_use(&self) -> bool {
        self.reason == Refused::InUse
    }
}

impl std::fmt::Display for SetClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.reason {
            Refused::Installed => f.write_str("`set_client`: a KMS client was installed already; the first one stays in use; help: call `set_client` once per process"),
            Refused::InUse => f.write_str("`set_client`: the KMS clients are in use already (a sealed value was accessed, `prefetch` ran or `client()` was called) and keep the configuration they were built with; help: call `set_client` before the first access, at the start of `main`"),
        }
    }
}

impl std::error::Error for SetClientError {}

/// The configuration built from `aws-config` defaults (`AWS_ENDPOINT_URL_KMS`, `AWS_REGION`, the
/// credential chain), with [`KmsSettings::default`] applied and [`http_client`] for every
/// request, the credential providers' included.
pub async fn default_config() -> aws_sdk_kms::Config {
    let settings = KmsSettings::default();
    let shared = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client())
        .timeout_config(settings.timeout_config())
        .retry_config(settings.retry_config())
        .load()
        .await;
    aws_sdk_kms::Config::from(&shared)
}

/// The shared client `sealed-runtime` uses for `region` (`None`: the configuration's own
/// region): built once from [`set_client`]'s configuration or [`default_config`]. `cargo sealed`
/// uses it so that its `Encrypt` sees the same endpoint, region and credentials as decryption.
///
/// # Panics
/// When loading the configuration panicked (a credentials provider installed in the
/// environment's profile that panics): the panic is passed on.
pub async fn client(region: Option<&str>) -> Client {
    // Built on the library's runtime, like every client of this crate: the configuration load
    // (and the credential provider it starts) never belongs to the caller's runtime.
    let region = region.map(str::to_owned);
    worker::spawn(async move { client_for(region.as_deref()).await })
        .await
        .expect("building a client does not panic")
}

/// The region the process runs in, as Lambda sets it (`AWS_REGION`, else `AWS_DEFAULT_REGION`;
/// empty is unset): where a stage set's regions and a bundle's failover order look.
pub(crate) fn own_region() -> Option<String> {
    std::env::var("AWS_REGION")
        .or_else(|_| std::env::var("AWS_DEFAULT_REGION"))
        .ok()
        .filter(|r| !r.is_empty())
}

/// Marks the clients as in use: from the first access on, [`set_client`] is refused, even while
/// that access has not yet built a client (it may fail before, or be loading the configuration).
pub(crate) fn mark_in_use() {
    IN_USE.store(true, std::sync::atomic::Ordering::SeqCst);
}

/// The client a request is sent with: one of `config` (a request's own, `cargo sealed`'s other
/// session) in `region`, else the shared one ([`client_for`]).
pub(crate) async fn client_of(
    config: Option<&aws_sdk_kms::Config>,
    region: Option<&str>,
) -> Client {
    let Some(config) = config else {
        return client_for(region).await;
    };
    let mut builder = config.to_builder();
    if let Some(region) = region {
        builder = builder.region(Region::new(region.to_owned()));
    }
    Client::from_conf(builder.build())
}

pub(crate) async fn client_for(region: Option<&str>) -> Client {
    mark_in_use();
    // Loaded before the lock (it is async); an installed client, read under the lock, wins.
    let loaded = if INSTALLED.get().is_some() {
        None
    } else {
        let loaded = Arc::clone(
            LOADED
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get_or_insert_with(|| Arc::new(OnceCell::new())),
        );
        Some(loaded.get_or_init(default_config).await.clone())
    };
    let mut guard = CLIENTS.lock().unwrap_or_else(PoisonError::into_inner);
    let clients = guard.get_or_insert_with(|| Clients {
        base: INSTALLED
            .get()
            .cloned()
            .or(loaded)
            .expect("a configuration is installed or loaded"),
        by_region: HashMap::new(),
    });
    let region = region
        .map(str::to_owned)
        .or_else(|| clients.base.region().map(ToString::to_string))
        .unwrap_or_default();
    clients
        .by_region
        .entry(region.clone())
        .or_insert_with(|| {
            let mut builder = clients.base.to_builder();
            if !region.is_empty() {
                builder = builder.region(Region::new(region.clone()));
            }
            Client::from_conf(builder.build())
        })
        .clone()
}

/// Drops the library's clients and the configuration they were built from: their credentials
/// (the identity cache) and, with them, their hold on the connection pools. The next request
/// loads the configuration again, from the environment as it is then. What a client installed
/// with [`set_client`] holds is the program's and stays; whether there is one.
pub(crate) fn forget_clients() -> bool {
    *CLIENTS.lock().unwrap_or_else(PoisonError::into_inner) = None;
    *LOADED.lock().unwrap_or_else(PoisonError::into_inner) = None;
    INSTALLED.get().is_some()
}
