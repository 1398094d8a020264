//! Build cost: the same byte strings, each registered with linkme as `sealed!` registers its value.
#![allow(dead_code)] // the values are what `cargo check` is timed on, not used
#![allow(unsafe_code)] // linkme places the registrations with `link_section`, as `sealed!` does
use sealed_runtime::__private::linkme;

#[linkme::distributed_slice]
#[linkme(crate = sealed_runtime::__private::linkme)]
static ALL: [&'static [u8]];

include!(concat!(env!("OUT_DIR"), "/build_linkme.rs"));

fn main() {
    let _ = ALL.len();
}
