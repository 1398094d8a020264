//! Tests of `sealed` that span crates; see `tests/`.
