//! What a checked invocation gives the expansion and `cargo sealed check`.

use std::path::PathBuf;

use sealed_format::{Algorithm, Inspection};
use syn::LitStr;

use crate::ast::ContextValue;

/// Everything checked, ready to expand.
pub struct Checked {
    /// The ciphertext and what it tells.
    pub blob: Inspection,
    /// `key = …`, checked.
    pub key: Option<String>,
    /// `context = { … }`, checked, in the order written.
    pub context: Vec<(String, ContextValue)>,
    /// `algorithm = …`, or the default.
    pub algorithm: Algorithm,
    /// The file read for `file = …`, which the build must depend on.
    pub file: Option<PathBuf>,
    /// The ciphertext's base64 as written: the literal's text, or the file's contents.
    pub text: String,
    /// The ciphertext literal as written (its span locates it in the source).
    pub literal: Option<LitStr>,
    /// `key = "…"` as written.
    pub key_literal: Option<LitStr>,
    /// `file = "…"` as written.
    pub file_literal: Option<LitStr>,
    /// For `sealed!(bundle = …, name = …)`: the value. `blob`, `key`, `context` and `text` are
    /// then the bundle's wrapped private key's (the context with `sealed:bundle`), and `file` is
    /// the bundle file.
    pub bundle: Option<CheckedBundle>,
}

/// A value of a bundle, checked.
pub struct CheckedBundle {
    /// The bundle file, as written in `bundle = "…"`.
    pub path: String,
    /// The bundle's id.
    pub id: [u8; 16],
    /// The value's name.
    pub name: String,
    /// The generation it was set with.
    pub generation: u64,
    /// The bundle's public key: its uncompressed P-256 point.
    pub public_point: [u8; 65],
    /// HPKE encapsulated key ‖ ciphertext ‖ tag.
    pub sealed: Vec<u8>,
    /// The plaintext's length.
    pub plaintext_len: usize,
    /// `bundle = "…"` as written.
    pub literal: LitStr,
    /// `name = "…"` as written.
    pub name_literal: LitStr,
}
