//! S13: the plaintext type has no way out but `expose`: not `Clone`, `Copy`, `Display`, `Deref`,
//! `AsRef`, `Borrow` or `Into` bytes (and no `Serialize`: `sealed-runtime` does not depend on
//! serde). Printing it with `{}` is a compile error (`tests/ui/fail/secret-display.rs`).
//! The handles and errors can cross threads and tasks.

use static_assertions::{assert_impl_all, assert_not_impl_any};

use sealed_runtime::{Error, Sealed, Secret};

assert_not_impl_any!(
    Secret: Clone,
    Copy,
    std::fmt::Display,
    std::ops::Deref<Target = [u8]>,
    AsRef<[u8]>,
    std::borrow::Borrow<[u8]>,
    Into<Vec<u8>>,
    Into<String>,
    PartialEq,
    std::hash::Hash,
);
assert_impl_all!(Secret: Send, Sync, std::fmt::Debug);
assert_impl_all!(Sealed: Send, Sync, Copy, std::fmt::Debug);
assert_impl_all!(Error: Send, Sync, Clone, std::error::Error);

#[test]
fn the_assertions_above_are_compiled() {
    // The checks are compile-time; this test exists so the file is built and listed.
    assert_eq!(size_of::<Sealed>(), size_of::<usize>());
}
