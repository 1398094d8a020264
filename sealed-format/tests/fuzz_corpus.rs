//! Replays the committed, minimized corpora of the `classify`, `bundle` and `stages` fuzz targets
//! (`fuzz/corpus-min/TARGET`) through the same properties the fuzzer checks
//! (`fuzz/checks/classify.rs`, `fuzz/checks/files.rs`), so every input that once found new
//! coverage keeps being checked by `cargo test`.

#[path = "../../fuzz/checks/classify.rs"]
mod checks;
#[path = "../../fuzz/checks/files.rs"]
mod files;
#[path = "../../fuzz/checks/replay.rs"]
mod replay;

#[test]
fn every_input_of_the_minimized_corpus_keeps_the_property() {
    replay::replay("classify", checks::check, 100);
}

#[test]
fn every_bundle_of_the_minimized_corpus_keeps_the_property() {
    replay::replay("bundle", files::bundle, 20);
}

#[test]
fn every_stage_set_of_the_minimized_corpus_keeps_the_property() {
    replay::replay("stages", files::stages, 20);
}
