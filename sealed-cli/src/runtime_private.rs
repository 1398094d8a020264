//! What `cargo sealed` takes from sealed-runtime's door for it (`sealed_runtime::__private`), all
//! re-exported here: a rename on that side changes this one file.

pub use sealed_runtime::__private::{bundle_seal, credentials_failure, random_bundle_id};
