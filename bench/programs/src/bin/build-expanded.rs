//! Build cost: what `sealed!` expands to, written out (unregistered): the cost of the expansion
//! without the macro's own work. A change to the expansion's types breaks this program, and so
//! `cargo check --workspace --all-targets`, not the benchmark.
#![allow(dead_code)] // the values are what `cargo check` is timed on, not used
use sealed_runtime::__private::format::{Algorithm, BlobFamily};
use sealed_runtime::__private::{location, sealed_of, Declaration, Request, ValueCell};
use sealed_runtime::Sealed;

include!(concat!(env!("OUT_DIR"), "/build_expanded.rs"));

fn main() {
    let _ = &S0;
}
