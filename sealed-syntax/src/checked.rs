//! What a checked invocation gives the expansion and `cargo sealed check`.

use std::path::PathBuf;

use sealed_format::{Algorithm, Inspection};
use syn::LitStr;

use crate::ast::ContextValue;

/// Everything checked, ready to expand: which kind of sealed value an invocation declares, each
/// with exactly what it needs.
pub enum Checked {
    /// `sealed!("…")` or `sealed!(file = "…")`: a KMS ciphertext, sent to `Decrypt` as is.
    Ciphertext(CheckedCiphertext),
    /// `sealed!(bundle = …, name = …)`: a value of a bundle.
    Bundled(Box<BundledValue>),
    /// `sealed!(stages = …, name = …)`: a value of a stage set, checked in every stage.
    Staged(CheckedStages),
}

/// A KMS ciphertext, checked: what `Decrypt` is sent and the facts the check learnt.
pub struct CheckedCiphertext {
    /// The ciphertext and what it tells.
    pub blob: Inspection,
    /// `key = …`, checked.
    pub key: Option<String>,
    /// `context = { … }`, checked, in the order written.
    pub context: Vec<(String, ContextValue)>,
    /// `algorithm = …`, or the default.
    pub algorithm: Algorithm,
    /// The file read for `file = …` (or the bundle file), which the build must depend on.
    pub file: Option<PathBuf>,
    /// The ciphertext's base64 as written: the literal's text, or the file's contents.
    pub text: String,
    /// The ciphertext literal as written (its span locates it in the source).
    pub literal: Option<LitStr>,
    /// `key = "…"` as written.
    pub key_literal: Option<LitStr>,
    /// `file = "…"` as written.
    pub file_literal: Option<LitStr>,
    /// The variables `allow_env = […]` allows beyond `sealed_format::CONTEXT_VARIABLES`.
    pub allow_env: Vec<String>,
}

/// A value of a bundle, checked: `sent` is the bundle's wrapped private key (what `Decrypt` is
/// sent, its context with `sealed:bundle`; its file the bundle file), `bundle` the value.
pub struct BundledValue {
    /// The bundle's wrapped private key, checked as a KMS ciphertext.
    pub sent: CheckedCiphertext,
    /// The value, and the bundle it belongs to.
    pub bundle: CheckedBundle,
}

impl Checked {
    /// What `Decrypt` is sent, for a value that is not a stage set's (a stage set's value sends
    /// its chosen stage's): the ciphertext, or the bundle's wrapped private key.
    pub fn sent(&self) -> Option<&CheckedCiphertext> {
        match self {
            Checked::Ciphertext(sent) => Some(sent),
            Checked::Bundled(value) => Some(&value.sent),
            Checked::Staged(_) => None,
        }
    }
}

/// A value of a stage set, checked in every stage.
pub struct CheckedStages {
    /// The stage set file, as written in `stages = "…"`.
    pub path: String,
    /// The environment variable that selects the stage.
    pub selector: String,
    /// The value's name.
    pub name: String,
    /// Every stage of the set, in its order.
    pub stages: Vec<CheckedStage>,
    /// Every file read (the set and each bundle), which the build must depend on.
    pub files: Vec<PathBuf>,
}

/// One stage of a [`CheckedStages`].
pub struct CheckedStage {
    /// The stage's name.
    pub name: String,
    /// The regions it runs in, if the set names them.
    pub regions: Vec<String>,
    /// The value in this stage's bundle, checked as `sealed!(bundle = …)` checks one; `None`
    /// for a stage that `only = […]` leaves out.
    pub value: Option<BundledValue>,
}

/// A value of a bundle, checked.
pub struct CheckedBundle {
    /// The bundle file, as written in `bundle = "…"`.
    pub path: String,
    /// The bundle's id.
    pub id: [u8; 16],
    /// The bundle's stage (its `stage` line), if it is a stage set's.
    pub stage: Option<String>,
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
    /// The recipients the function tries after the bundle's key when that key's KMS does not
    /// answer (a stage's `failover=` keys), in the order the set pins them.
    pub failover: Vec<CheckedFailover>,
    /// `bundle = "…"` as written.
    pub literal: LitStr,
    /// `name = "…"` as written.
    pub name_literal: LitStr,
}

/// A failover recipient of a bundle value, checked: its wrapped private key passes every check
/// of a KMS ciphertext, and the set pins it.
pub struct CheckedFailover {
    /// Its KMS key.
    pub key: String,
    /// Its wrapped private key and what it tells.
    pub blob: Inspection,
    /// Its public key's uncompressed P-256 point.
    pub public_point: [u8; 65],
    /// The value sealed to it.
    pub sealed: Vec<u8>,
}
