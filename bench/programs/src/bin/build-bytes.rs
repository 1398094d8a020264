//! Build cost: the same values as byte-string constants, what `sealed!` is measured against.
#![allow(dead_code)] // the values are what `cargo check` is timed on, not used
include!(concat!(env!("OUT_DIR"), "/build_bytes.rs"));

fn main() {
    let _ = S0;
}
