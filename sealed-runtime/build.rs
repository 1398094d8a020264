//! Names the link-time list of sealed values after this crate's breaking version, and writes the
//! compiled-in root certificates as the one PEM bundle the SDK's trust store takes.
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
    write_roots_pem();
    println!("cargo:rerun-if-changed=build.rs");
}

/// `roots.pem` in `OUT_DIR`: every root of `webpki-root-certs` (Mozilla's list), PEM-encoded
/// here once rather than in each process at its first TLS connection (the SDK's trust store has
/// no door for DER: see `src/tls.rs`).
fn write_roots_pem() {
    use base64::Engine as _;
    let mut pem = String::new();
    for der in webpki_root_certs::TLS_SERVER_ROOT_CERTS {
        let body = base64::engine::general_purpose::STANDARD.encode(der);
        pem.push_str("-----BEGIN CERTIFICATE-----\n");
        for line in body.as_bytes().chunks(64) {
            pem.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
            pem.push('\n');
        }
        pem.push_str("-----END CERTIFICATE-----\n");
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it")).join("roots.pem");
    std::fs::write(out, pem).expect("OUT_DIR is writable");
}
