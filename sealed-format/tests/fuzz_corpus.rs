//! Replays the committed, minimized corpus of the `classify` fuzz target (`fuzz/corpus-min/classify`)
//! through the same property the fuzzer checks (`fuzz/checks/classify.rs`), so every input that
//! once found new coverage keeps being checked by `cargo test`.

#[path = "../../fuzz/checks/classify.rs"]
mod checks;
#[path = "../../fuzz/checks/replay.rs"]
mod replay;

#[test]
fn every_input_of_the_minimized_corpus_keeps_the_property() {
    replay::replay("classify", checks::check, 100);
}
