//! Where the process stands in Lambda SnapStart's lifecycle: an INIT whose memory becomes a
//! snapshot (every environment restored from it starts with a copy), or not.
//!
//! Lambda runs a SnapStart function's INIT with `AWS_LAMBDA_INITIALIZATION_TYPE=snap-start` and
//! snapshots the process once INIT and the before-snapshot hooks are done; the variable stays set
//! in every restored environment, so the restore is known from the after-restore hook only
//! ([`mark_restored`], which `crate::snapstart::after_restore` calls).

use std::sync::atomic::{AtomicBool, Ordering};

/// The variable Lambda sets to `snap-start` for the INIT of a SnapStart function.
const INITIALIZATION_TYPE: &str = "AWS_LAMBDA_INITIALIZATION_TYPE";

static RESTORED: AtomicBool = AtomicBool::new(false);
static PLAINTEXT_IN_SNAPSHOT: AtomicBool = AtomicBool::new(false);

/// Whether this process is a SnapStart INIT not restored yet: what it holds now goes into the
/// snapshot.
pub(crate) fn before_snapshot() -> bool {
    !RESTORED.load(Ordering::SeqCst)
        && std::env::var_os(INITIALIZATION_TYPE).is_some_and(|v| v == "snap-start")
}

/// Whether decrypting now would put a plaintext into the snapshot that the program did not
/// accept there ([`allow_plaintext_in_snapshot`]).
pub(crate) fn plaintext_would_enter_snapshot() -> bool {
    before_snapshot() && !PLAINTEXT_IN_SNAPSHOT.load(Ordering::SeqCst)
}

/// The program accepts plaintexts in the snapshot.
pub(crate) fn allow_plaintext_in_snapshot() {
    PLAINTEXT_IN_SNAPSHOT.store(true, Ordering::SeqCst);
}

/// Whether the program accepted plaintexts in the snapshot.
pub(crate) fn plaintext_allowed_in_snapshot() -> bool {
    PLAINTEXT_IN_SNAPSHOT.load(Ordering::SeqCst)
}

/// The process runs restored from a snapshot (or was never going to be one).
pub(crate) fn mark_restored() {
    RESTORED.store(true, Ordering::SeqCst);
}
