//! The arguments of `sealed!(…)` as written, before any check of their values.

use syn::{Ident, LitStr};

/// The argument names, in the order the messages list them.
pub const ARGUMENTS: [&str; 8] = [
    "key",
    "context",
    "algorithm",
    "file",
    "unchecked",
    "bundle",
    "name",
    "id",
];

/// `sealed!(…)` as written, before any check of the values.
#[derive(Default)]
pub struct Invocation {
    /// The ciphertext literal.
    pub literal: Option<LitStr>,
    /// `file = "…"`.
    pub file: Option<LitStr>,
    /// `key = "…"`.
    pub key: Option<LitStr>,
    /// `context = { … }`.
    pub context: Option<Context>,
    /// `algorithm = "…"`.
    pub algorithm: Option<LitStr>,
    /// `unchecked`.
    pub unchecked: Option<Ident>,
    /// `bundle = "…"`: the bundle file.
    pub bundle: Option<LitStr>,
    /// `name = "…"`: the value's name in the bundle.
    pub name: Option<LitStr>,
    /// `id = "…"`: the bundle's id, pinned (32 hex digits).
    pub id: Option<LitStr>,
}

/// `context = { "k": "v", "k2": env("VAR") }`.
pub struct Context {
    /// The entries in the order written.
    pub entries: Vec<ContextEntry>,
}

/// One context entry.
pub struct ContextEntry {
    /// The key.
    pub key: LitStr,
    /// The value.
    pub value: ContextValue,
}

/// A context value as written: its literal, or the literal naming the variable of `env(…)`.
pub type ContextValue = sealed_format::ContextValue<LitStr>;
