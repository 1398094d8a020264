//! The modules of `sealed-format` import only downward (see `sealed_test_support::layers`): the
//! shared words (sizes, families, algorithms, keys, contexts, errors) first, then decoding, the
//! blob's rooms up to `inspect`, and the bundle's rooms, which use `inspect`, last.

const LAYERS: &[&str] = &[
    "limits",
    "lines",
    "closest",
    "family",
    "algorithm",
    "key",
    "context",
    "error",
    "stripped",
    "encoding",
    "blob/layout",
    "blob/der",
    "blob/cms",
    "blob/aws",
    "blob/sm2",
    "blob/emulator",
    "blob/inspection",
    "blob/classify",
    "blob/inspect",
    "blob",
    "bundle/format",
    "bundle/binding",
    "bundle/error",
    "bundle/value",
    "bundle/public_key",
    "bundle/recipient",
    "bundle/percent_encoding",
    "bundle/contents",
    "bundle/render",
    "bundle/parse",
    "bundle/parse/tests",
    "bundle",
    "stages/model",
    "stages/error",
    "stages/check",
    "stages/parse",
    "stages/render",
    "stages",
    "readers",
];

#[test]
fn every_module_imports_only_layers_below_it() {
    sealed_test_support::layers::check(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), LAYERS);
}
