//! Any text through the bundle parser (the property: `fuzz/checks/files.rs`). Run in
//! `fuzz/`: `RUSTC_BOOTSTRAP=1 cargo fuzz run bundle`.
#![no_main]

#[allow(dead_code)] // each target uses one of the two properties
#[path = "../checks/files.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::bundle(data));
