//! The modules of `sealed-macro` import only downward (see `sealed_test_support::layers`): none
//! imports another; `lib.rs`, the macro's entry, runs them in turn (the runtime's path, then the
//! expansion or, on error, the fallback).

const LAYERS: &[&str] = &["runtime_path", "expand", "fallback"];

#[test]
fn every_module_imports_only_layers_below_it() {
    sealed_test_support::layers::check(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), LAYERS);
}
