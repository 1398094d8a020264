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

/// A crate in `dir` as `cargo sealed` meets one: a `Cargo.toml`, `src/main.rs` holding `main_rs`,
/// and the fixture bundle (`tests/tests/fixtures/app.bundle`, a structurally valid bundle whose
/// private key no KMS holds) at `secrets/app.bundle`, which it returns.
///
/// # Panics
/// When the files cannot be written.
pub fn crate_with_bundle(dir: &std::path::Path, main_rs: &str) -> PathBuf {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::create_dir_all(dir.join("secrets")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("src/main.rs"), main_rs).unwrap();
    let file = dir.join("secrets/app.bundle");
    std::fs::copy(root().join("tests/tests/fixtures/app.bundle"), &file).unwrap();
    file
}
