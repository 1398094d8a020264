//! Names the link-time list of sealed values after this crate's breaking version.
//!
//! Every `sealed!` registers its value in a `linkme` distributed slice, whose link section is
//! named after the slice. Two semver-incompatible versions of `sealed-runtime` in one binary (a
//! dependency on 0.1, the application on 0.2) must not share a section: linkme's duplicate check
//! would abort both at start-up, and each version's `registered()` must list only its own
//! values. So the slice is `SEALED_VALUES_<breaking version>`: `0_1` for 0.1.x, `1` for 1.x.

use std::path::PathBuf;

fn main() {
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").expect("cargo sets it");
    let minor = std::env::var("CARGO_PKG_VERSION_MINOR").expect("cargo sets it");
    let breaking = if major == "0" {
        format!("0_{minor}")
    } else {
        major
    };
    let name = format!("SEALED_VALUES_{breaking}");
    let code = format!(
        "/// Every `sealed!` of this version of `sealed-runtime` registers its value here (the name\n\
         /// carries the breaking version: see `build.rs`).\n\
         #[linkme::distributed_slice]\n\
         pub static {name}: [&'static ValueCell];\n\n\
         pub use {name} as SEALED_VALUES;\n"
    );
    let out =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it")).join("registry.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
    println!("cargo:rerun-if-changed=build.rs");
}
