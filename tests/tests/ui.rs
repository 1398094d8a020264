//! Compile-fail tests: one mistake per file under `ui/fail/`, with the exact diagnostic in the
//! `.stderr` beside it; and every accepted form under `ui/pass/`.
//!
//! Regenerate the expected output with `TRYBUILD=overwrite cargo test -p sealed-tests --test ui`
//! and read the diff.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/fail/*.rs");
    cases.pass("ui/pass/*.rs");
}
