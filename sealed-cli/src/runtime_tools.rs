//! What `cargo sealed` takes from sealed-runtime's internals, through the door the runtime keeps
//! for its tools (`sealed_runtime::__tools`), all re-exported here: sealing bundle values, and
//! explaining credential failures as `Decrypt` errors do, reading an emulator's XML error.

pub use sealed_runtime::__tools::{explain_failure, new_bundle_id, seal_to, seal_value, xml_error};
