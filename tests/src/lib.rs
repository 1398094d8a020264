//! Tests of `sealed` that span crates: see `tests/` (UI cases under `ui/`). What they share
//! with every other crate's tests lives in `sealed-test-support`.
