//! The outcomes a `testing::scope` gives sealed values, per task; below `sealed`, which asks
//! here before anything else (with the `testing` feature only).

use std::future::Future;
use std::sync::Arc;

use crate::error::Error;
use crate::secret::Secret;

/// An outcome per value, the value named by its entry's address.
pub(crate) type Outcomes = Vec<(usize, Result<&'static Secret, Error>)>;

tokio::task_local! {
    static OUTCOMES: Arc<Outcomes>;
}

/// Runs `future` with `outcomes` in force.
pub(crate) async fn scope<F: Future>(outcomes: Outcomes, future: F) -> F::Output {
    OUTCOMES.scope(Arc::new(outcomes), future).await
}

/// The outcome the current scope gives the value at `address`, if it names it.
pub(crate) fn outcome(address: usize) -> Option<Result<&'static Secret, Error>> {
    OUTCOMES
        .try_with(|outcomes| {
            outcomes
                .iter()
                .find(|(named, _)| *named == address)
                .map(|(_, outcome)| outcome.clone())
        })
        .ok()
        .flatten()
}
