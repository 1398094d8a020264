//! Compile-fail tests: one mistake per file under `ui/fail/`, with the exact diagnostic in the
//! `.stderr` beside it; and every accepted form under `ui/pass/`.
//!
//! Regenerate the expected output with `TRYBUILD=overwrite cargo test -p sealed-tests --test ui`
//! and read the diff.

use std::path::PathBuf;

/// trybuild builds the cases as a crate of its own, in `<target>/tests/trybuild/sealed-tests`,
/// which is the `CARGO_MANIFEST_DIR` that `bundle = "…"` resolves against: the bundle fixtures
/// (and stage sets) the cases name are copied there, under the same relative paths as in this crate.
fn copy_bundle_fixtures() {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| sealed_test_support::root().join("target"), PathBuf::from);
    let to = target.join("tests/trybuild/sealed-tests/tests/fixtures");
    std::fs::create_dir_all(&to).unwrap();
    let from = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    copy_files(&from, &to, &["bundle"]);
    for sets in ["stages", "recipients", "readers", "context"] {
        std::fs::create_dir_all(to.join(sets)).unwrap();
        copy_files(&from.join(sets), &to.join(sets), &["bundle", "stages"]);
    }
}

/// The files of `from` with one of `extensions`, copied into `to`.
fn copy_files(from: &std::path::Path, to: &std::path::Path, extensions: &[&str]) {
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        if path
            .extension()
            .is_some_and(|e| extensions.iter().any(|x| e == *x))
        {
            std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
        }
    }
}

#[test]
fn ui() {
    copy_bundle_fixtures();
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/fail/*.rs");
    cases.pass("ui/pass/*.rs");
}
