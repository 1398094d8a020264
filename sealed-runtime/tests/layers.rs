//! The modules of `sealed-runtime` import only downward, and this is the one copy of their
//! order (lib.rs points here): generic mechanisms first (the TLS stack's choice, the bundles'
//! key pair and HPKE, the single-flight cell, the worker thread), then what a sealed value declares and how KMS answers
//! are read, the client and the `Decrypt` call, bundles, and the public handle on top.

const LAYERS: &[&str] = &[
    "tls",
    "key_pair",
    "flight",
    "worker",
    "lifecycle",
    "declaration",
    "emulator",
    "credentials",
    "error_kind",
    "error_words",
    "error",
    "build_error",
    "kms_error",
    "secret",
    "client",
    "decrypt",
    "replica",
    "throttling",
    "bundle",
    "stage",
    "test_outcomes",
    "sealed",
    "readers",
    "builder",
    "prefetch",
    "snapstart",
    "lambda",
    "testing",
];

#[test]
fn every_module_imports_only_layers_below_it() {
    sealed_test_support::layers::check(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), LAYERS);
}
