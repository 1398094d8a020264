//! Any token text as the arguments of `sealed!`, through the macro's parser and checks
//! (`sealed-syntax`; the property: `fuzz/checks/syntax.rs`). Run in `fuzz/`:
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run syntax`.
#![no_main]

#[path = "../checks/syntax.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check(data));
