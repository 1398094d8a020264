//! Build cost: `SEALED_BENCH_BUILD_VALUES` values as `sealed!` (`scripts/bench` checks 1,000).
#![allow(dead_code)] // the values are what `cargo check` is timed on, not used
use sealed_runtime::{sealed, Sealed};

include!(concat!(env!("OUT_DIR"), "/build_sealed.rs"));

fn main() {
    let _ = &S0;
}
