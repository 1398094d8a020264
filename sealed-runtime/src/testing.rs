//! Testing code that reads sealed values: each test decides what each value gives.
//!
//! Sealed values are `static`s, decrypted once per process, and the KMS client is installed once
//! per process: without help, two tests of one handler cannot see two outcomes. Inside
//! [`scope`], the values named in its [`Outcomes`] give what the test says — a plaintext or an
//! error — without KMS and without filling the value; every other value behaves as usual.
//! Scopes are per task, so tests running in parallel each see their own.
//!
//! Enable the `testing` feature in `[dev-dependencies]` only:
//!
//! ```toml
//! [dev-dependencies]
//! sealed-runtime = { version = "0.1", features = ["testing"] }
//! ```
//!
//! Cargo enables a dev-dependency's features for tests and examples, never for `cargo build` of
//! the program itself. And nothing changes outside a scope, so a build that did enable it would
//! still decrypt with KMS.
//!
//! ```
//! use sealed_runtime::testing::{scope, Outcomes};
//! use sealed_runtime::{sealed, ErrorKind, Sealed};
//!
//! static DB_PASSWORD: Sealed = sealed!("AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=");
//!
//! async fn connect() -> Result<usize, sealed_runtime::Error> {
//!     Ok(DB_PASSWORD.get().await?.len())
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let ok = scope(Outcomes::new().plaintext(&DB_PASSWORD, "hunter2"), connect()).await;
//! assert_eq!(ok.unwrap(), 7);
//!
//! let denied = scope(Outcomes::new().error(&DB_PASSWORD, ErrorKind::AccessDenied), connect()).await;
//! assert_eq!(denied.unwrap_err().kind(), &ErrorKind::AccessDenied);
//! # }
//! ```
//!
//! Outcomes apply to [`get`](crate::Sealed::get), [`try_get`](crate::Sealed::try_get) and
//! [`get_blocking`](crate::Sealed::get_blocking); [`verify`](crate::Sealed::verify) and
//! [`prefetch`](crate::prefetch) always ask KMS. Tasks spawned inside a scope do not inherit
//! it: wrap their futures in [`scope`] too. To test
//! the KMS calls themselves (request shape, retries), install an `aws-smithy-mocks` client with
//! [`set_client`](crate::set_client) instead.

use std::future::Future;

use crate::error::{Error, ErrorKind};
use crate::sealed::Sealed;
use crate::secret::Secret;
use crate::test_outcomes;

/// What each named value gives inside a [`scope`].
#[derive(Default)]
#[must_use]
pub struct Outcomes {
    entries: Vec<(usize, Result<&'static Secret, Error>)>,
}

impl Outcomes {
    /// No value named yet.
    pub fn new() -> Self {
        Outcomes::default()
    }

    /// `value` decrypts to `plaintext`. (The plaintext is kept for the rest of the process,
    /// as a decrypted value is: a test's made-up value, never a real secret.)
    pub fn plaintext(mut self, value: &Sealed, plaintext: impl AsRef<[u8]>) -> Self {
        let secret = Secret::new(
            zeroize::Zeroizing::new(plaintext.as_ref().to_vec()),
            value.location(),
        );
        self.entries
            .push((value.address(), Ok(Box::leak(Box::new(secret)))));
        self
    }

    /// `value` fails with an error of `kind`, at the value's location.
    pub fn error(mut self, value: &Sealed, kind: ErrorKind) -> Self {
        self.entries
            .push((value.address(), Err(Error::new(kind).at(value.location()))));
        self
    }
}

/// Runs `future` with `outcomes` in force for it (and the synchronous code it calls).
pub async fn scope<F: Future>(outcomes: Outcomes, future: F) -> F::Output {
    test_outcomes::scope(outcomes.entries, future).await
}
