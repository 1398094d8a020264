//! One execution environment of the storm (`scripts/bench_storm.py`), its values in one bundle:
//! INIT is `prefetch()` of every value.
#![allow(dead_code)] // each value is used: `prefetch()` decrypts every registered one
use sealed_runtime::{sealed, Sealed};

include!(concat!(env!("OUT_DIR"), "/storm_bundle.rs"));

#[tokio::main]
async fn main() {
    sealed_bench_programs::storm_init().await;
}
