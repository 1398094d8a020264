//! With the `emulator` feature, `sealed!` accepts emulator ciphertexts and names their key.
//! (Without it they are a compile error: `tests/ui/fail/emulator-without-feature.rs`.)
//! Run with `cargo test -p sealed-runtime --features emulator`.
#![cfg(feature = "emulator")]

// Only `sealed` and `Sealed` in scope: the expansion must name everything else itself.
use sealed_runtime::{sealed, Sealed};

static MOTO: Sealed = sealed!(
    "NzM2ZWMzMTgtZjA3Yy00MzkxLTgyM2UtOGYxODAwMWFkOTBmLO1KGbMBRuGiL8ie7G1dO3hC3YBci5dceWxCZY0siuvSsJEtGtS+S/I="
);

#[test]
fn an_emulator_ciphertext_compiles_and_keeps_its_key_id() {
    assert_eq!(
        MOTO.family(),
        sealed_runtime::format::BlobFamily::Emulator(sealed_runtime::format::Emulator::Moto)
    );
    assert_eq!(
        MOTO.emulator_key_id(),
        Some("736ec318-f07c-4391-823e-8f18001ad90f")
    );
    assert_eq!(MOTO.plaintext_len(), Some(13));
    assert_eq!(MOTO.key_material_id(), None);
}
