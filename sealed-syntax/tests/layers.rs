//! The modules of `sealed-syntax` import only downward (see `sealed_test_support::layers`): the
//! arguments as written, errors and tokens, then parse, then the checked result and what
//! validation needs (files, typos, bundle values), validation last.

const LAYERS: &[&str] = &[
    "ast",
    "errors",
    "tokens",
    "parse",
    "checked",
    "crate_file",
    "readers_pin",
    "bundle_value",
    "stage_value",
    "valid",
];

#[test]
fn every_module_imports_only_layers_below_it() {
    sealed_test_support::layers::check(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), LAYERS);
}
