//! Where the tests run: the workspace's root and the cargo running them.

use std::path::PathBuf;

/// The workspace's root directory.
///
/// # Panics
/// When it cannot be resolved (the checkout moved).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("the workspace root exists")
}

/// The cargo running this test.
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}
