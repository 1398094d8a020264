//! What the tests of every `sealed` crate share. One home for test machinery (STYLE.md 17):
//! [`layers`] keeps each crate's modules importing only downward.
#![forbid(unsafe_code)]

pub mod layers;
