//! Any text, with every combination of options, through `sealed_format::inspect` (the property:
//! `fuzz/checks/classify.rs`). Run in `fuzz/`: `RUSTC_BOOTSTRAP=1 cargo fuzz run classify`.
#![no_main]

#[path = "../checks/classify.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check(data));
