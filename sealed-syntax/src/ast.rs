//! The arguments of `sealed!(…)` as written, before any check of their values.

use syn::{Ident, LitStr};

/// The argument names, in the order the messages list them.
pub const ARGUMENTS: [&str; 12] = [
    "key",
    "context",
    "algorithm",
    "file",
    "unchecked",
    "bundle",
    "name",
    "id",
    "stages",
    "only",
    "readers",
    "allow_env",
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
    /// `stages = "…"`: the stage set file.
    pub stages: Option<LitStr>,
    /// `only = ["dev", …]`: the stages a value of a stage set is in, when not all.
    pub only: Option<StringList>,
    /// `readers = ["prod key arn:… FINGERPRINT", …]`: the readers of a bundle or stage set,
    /// pinned.
    pub readers: Option<StringList>,
    /// `allow_env = ["APP_STAGE", …]`: variables an encryption context may read beyond
    /// Lambda's own (`sealed_format::CONTEXT_VARIABLES`), allowed in code.
    pub allow_env: Option<StringList>,
}

impl Invocation {
    /// The variables `allow_env = […]` allows, as written.
    pub fn allowed_env(&self) -> Vec<String> {
        self.allow_env
            .iter()
            .flat_map(|list| list.items.iter().map(LitStr::value))
            .collect()
    }

    /// Each argument that a value of a file (a bundle's, a stage set's) may not be given, as
    /// messages name it, with where it is written if it is: the literal, `file`, `key`, `bundle`,
    /// `id`, `algorithm`, `context` (its first entry) and `unchecked`.
    pub fn given(&self) -> [(&'static str, Option<proc_macro2::Span>); 8] {
        let span = |lit: &Option<LitStr>| lit.as_ref().map(LitStr::span);
        [
            ("a ciphertext literal", span(&self.literal)),
            ("`file = …`", span(&self.file)),
            ("`key = …`", span(&self.key)),
            ("`bundle = …`", span(&self.bundle)),
            ("`id = …`", span(&self.id)),
            ("`algorithm = …`", span(&self.algorithm)),
            (
                "`context = …`",
                self.context
                    .as_ref()
                    .and_then(|c| c.entries.first())
                    .map(|e| e.key.span()),
            ),
            ("`unchecked`", self.unchecked.as_ref().map(Ident::span)),
        ]
    }
}

/// `only = ["dev", "staging"]`, `readers = ["…", …]`: a bracketed list of string literals.
pub struct StringList {
    /// The strings, in the order written.
    pub items: Vec<LitStr>,
    /// The whole list, for errors about it.
    pub span: proc_macro2::Span,
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
