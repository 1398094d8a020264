//! Replays the committed, minimized corpus of the `syntax` fuzz target (`fuzz/corpus-min/syntax`)
//! through the same property the fuzzer checks (`fuzz/checks/syntax.rs`), so every input that
//! once found new coverage keeps being checked by `cargo test`.

#[path = "../../fuzz/checks/syntax.rs"]
mod checks;
#[path = "../../fuzz/checks/replay.rs"]
mod replay;

#[test]
fn every_input_of_the_minimized_corpus_keeps_the_property() {
    replay::replay("syntax", checks::check, 100);
}
