//! Which region a `Decrypt` goes to: a multi-Region key's replica in the function's own region
//! first, else the region of the key's ARN (or the configuration's, for a key id or alias).

use std::sync::{Mutex, PoisonError};

use sealed_format::KeyRef;

use crate::client::client_of;
use crate::declaration::Request;
use crate::decrypt::{self, Attempts, Fallback, KeyId, Mode, Outcome};
use crate::error::{Error, ErrorKind};

/// Replica ARNs that answered `NotFoundException` or `AccessDeniedException`: later values on
/// the same key go to the key's own region at once.
static NO_LOCAL_REPLICA: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Forgets which replicas answered as absent (before a SnapStart snapshot: the restored
/// environments ask again).
pub(crate) fn forget_absent_replicas() {
    NO_LOCAL_REPLICA
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clear();
}

fn known_absent(replica: &String) -> bool {
    NO_LOCAL_REPLICA
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .contains(replica)
}

/// One `Decrypt` of `declared` (or its dry run), in the region that should answer it; its
/// attempts are counted in `attempts`.
///
/// A multi-Region key ARN (`…:key/mrk-…`) of another region is decrypted in the function's own
/// region (`AWS_REGION`) with its replica there: the local replica's latency and resilience,
/// and it works from a VPC with only a regional KMS endpoint. Where the region has no replica
/// (`NotFoundException`), or the replica's key policy does not grant the caller what the
/// primary's does (`AccessDeniedException`), the ARN's own region is asked, and asked first for
/// the rest of the process.
pub(crate) async fn call(
    declared: &Request,
    mode: Mode,
    attempts: &Attempts,
) -> Result<Outcome, Error> {
    let key = declared.key.and_then(|k| KeyRef::parse(k).ok());
    let context = decrypt::context_now(declared)?;
    if let Some(key) = key.filter(KeyRef::is_multi_region) {
        let local = client_of(declared.config, None).await;
        let replica = local
            .config()
            .region()
            .and_then(|region| key.replica_in(region.as_ref()));
        if let Some(replica) = replica.filter(|r| !known_absent(r)) {
            let key_id = KeyId {
                key: Some(key),
                sent: Some(&replica),
            };
            match decrypt::send(
                declared,
                key_id,
                &context,
                &local,
                mode,
                Fallback::Follows,
                attempts,
            )
            .await
            {
                Err(error)
                    if matches!(
                        error.kind(),
                        ErrorKind::KeyNotFound | ErrorKind::AccessDenied
                    ) =>
                {
                    tracing::debug!(replica = %replica, error = %error, "sealed: the local replica did not decrypt; asking the key's own region");
                    NO_LOCAL_REPLICA
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(replica);
                }
                done => return done,
            }
        }
    }
    let home = client_of(declared.config, key.and_then(|k| k.region())).await;
    let key_id = KeyId {
        key,
        sent: declared.key,
    };
    decrypt::send(
        declared,
        key_id,
        &context,
        &home,
        mode,
        Fallback::None,
        attempts,
    )
    .await
}
