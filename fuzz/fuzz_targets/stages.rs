//! Any text through the stage-set parser (the property: `fuzz/checks/files.rs`). Run in
//! `fuzz/`: `RUSTC_BOOTSTRAP=1 cargo fuzz run stages`.
#![no_main]

#[allow(dead_code)] // each target uses one of the two properties
#[path = "../checks/files.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::stages(data));
