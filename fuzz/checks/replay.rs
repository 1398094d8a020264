//! Replays a committed, minimized corpus (`fuzz/corpus-min/TARGET`) through the property its
//! fuzz target checks; used by the `fuzz_corpus.rs` tests of `sealed-format` and `sealed-syntax`.

use std::path::Path;

/// Runs `check` on every input of the target's corpus; panics naming the first input that
/// breaks the property, or if the corpus has fewer than `at_least` inputs.
pub fn replay(target: &str, check: fn(&[u8]), at_least: usize) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus-min")
        .join(target);
    let mut inputs = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(outcome.is_ok(), "{} breaks the property", path.display());
        inputs += 1;
    }
    assert!(
        inputs >= at_least,
        "only {inputs} inputs in {}",
        dir.display()
    );
}
