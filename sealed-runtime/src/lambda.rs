//! `lambda_runtime`'s side of the library (feature `lambda`): SnapStart's hooks.

use lambda_runtime::{BoxFuture, SnapStartResource};

use crate::snapstart;

/// The library's SnapStart hooks for `lambda_runtime` (1.5 or later): no plaintext, key,
/// credential or connection in the snapshot, and `prefetch()`'s values decrypted after the
/// restore ([`snapstart`] says what each hook does).
///
/// `lambda_runtime::run` takes no hooks: build the runtime and register it.
///
/// ```no_run
/// use std::sync::Arc;
///
/// use lambda_runtime::{service_fn, Error, LambdaEvent, Runtime};
///
/// async fn handler(_event: LambdaEvent<String>) -> Result<(), Error> {
///     Ok(())
/// }
///
/// #[tokio::main]
/// async fn main() -> Result<(), Error> {
///     // under SnapStart, decrypted after the restore; elsewhere, now
///     sealed_runtime::prefetch().await?;
///     Runtime::new(service_fn(handler))
///         .register_snapstart_resource(Arc::new(sealed_runtime::lambda::SnapStart::default()))
///         .run()
///         .await
/// }
/// ```
///
/// Without SnapStart (`AWS_LAMBDA_INITIALIZATION_TYPE` other than `snap-start`) `lambda_runtime`
/// never calls it: registering it always is harmless.
#[derive(Clone, Copy, Debug, Default)]
pub struct SnapStart {
    _private: (),
}

impl SnapStartResource for SnapStart {
    fn before_snapshot(&self) -> BoxFuture<'_, Result<(), lambda_runtime::Error>> {
        Box::pin(async {
            snapstart::before_snapshot();
            Ok(())
        })
    }

    fn after_restore(&self) -> BoxFuture<'_, Result<(), lambda_runtime::Error>> {
        Box::pin(async {
            snapstart::after_restore()
                .await
                .map(|_| ())
                .map_err(lambda_runtime::Error::from)
        })
    }
}
