//! What a sealed value declares, as every layer above reads it: where its `sealed!` is written,
//! its ciphertext, key and encryption context, and (for a value of a bundle) which one.

use core::fmt;

use sealed_format::{Algorithm, BlobFamily};

pub use sealed_format::ContextValue;

/// Where a `sealed!` is written: the file, line and column of the invocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    file: &'static str,
    line: u32,
    column: u32,
}

/// The location `file:line:column` (for the expansion of `sealed!` and the run-time builders).
#[doc(hidden)]
pub const fn location(file: &'static str, line: u32, column: u32) -> Location {
    Location { file, line, column }
}

impl Location {
    /// The source file, as `file!()` gives it.
    pub fn file(&self) -> &'static str {
        self.file
    }

    /// The line, from 1.
    pub fn line(&self) -> u32 {
        self.line
    }

    /// The column, from 1.
    pub fn column(&self) -> u32 {
        self.column
    }
}

impl fmt::Display for Location {
    /// `src/main.rs:12:25`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// What one `sealed!` declares (or a run-time builder checked): which kind of sealed value it is,
/// each kind with exactly what it needs.
#[doc(hidden)]
pub enum Declaration {
    /// A KMS ciphertext, sent to `Decrypt` as is.
    Ciphertext(Request),
    /// A value of a bundle: the request unwraps the bundle's private key (its context with its
    /// `sealed:bundle` entry), which opens the member.
    Bundled(Request, BundleMember),
    /// A value of a stage set (`sealed!(stages = …, name = …)`): every stage's declaration, one
    /// chosen at start-up; what is sent to KMS is the chosen stage's.
    Staged(Location, StagedValue),
    /// What a `sealed!` with errors declares beside its `compile_error!`s: the build fails, so
    /// it never runs.
    Invalid(Location),
}

/// What `Decrypt` is sent, and the facts the compile-time check learnt of it, at the `sealed!`
/// that declares it.
#[doc(hidden)]
pub struct Request {
    pub location: Location,
    pub ciphertext: &'static [u8],
    pub family: BlobFamily,
    pub key: Option<&'static str>,
    pub context: &'static [(&'static str, ContextValue)],
    pub algorithm: Algorithm,
    pub plaintext_len: Option<usize>,
    /// The 32-byte key-material id of an AWS symmetric ciphertext.
    pub key_material_id: Option<&'static [u8; 32]>,
    pub emulator_key_id: Option<&'static str>,
    /// The configuration of the client to send it with, where it is not the shared client's:
    /// `cargo sealed`'s other session (`stage add-key --from-profile`), through a hidden door of
    /// the bundle builder. `None` for every `sealed!`.
    pub config: Option<&'static aws_sdk_kms::Config>,
}

impl Declaration {
    /// Where its `sealed!` is written.
    pub fn location(&self) -> Location {
        match self {
            Declaration::Ciphertext(request) | Declaration::Bundled(request, _) => request.location,
            Declaration::Staged(location, _) | Declaration::Invalid(location) => *location,
        }
    }

    /// What `Decrypt` is sent for it: its ciphertext or its bundle's wrapped private key; `None`
    /// for a value of a stage set (its chosen stage's is sent) and an invalid `sealed!`.
    pub(crate) fn request(&self) -> Option<&Request> {
        match self {
            Declaration::Ciphertext(request) | Declaration::Bundled(request, _) => Some(request),
            Declaration::Staged(..) | Declaration::Invalid(_) => None,
        }
    }

    /// The bundle it is a value of, if it is one.
    pub(crate) fn bundle(&self) -> Option<&BundleMember> {
        match self {
            Declaration::Bundled(_, member) => Some(member),
            _ => None,
        }
    }
}

/// A value of a stage set, as `sealed!(stages = …, name = …)` emits it: every stage's bundle
/// value, checked at compile time, and the variable that chooses one.
#[doc(hidden)]
pub struct StagedValue {
    /// The stage set file, as written in `stages = "…"`.
    pub set: &'static str,
    /// The environment variable that names the stage.
    pub selector: &'static str,
    /// The value's name.
    pub name: &'static str,
    /// Every stage of the set, in the order the set writes them.
    pub stages: &'static [StageChoice],
}

/// One stage of a [`StagedValue`].
#[doc(hidden)]
pub struct StageChoice {
    /// The stage's name.
    pub name: &'static str,
    /// The regions it runs in, if the set names them.
    pub regions: &'static [&'static str],
    /// The value in this stage's bundle; `None` for a stage that `only = […]` leaves out.
    pub declared: Option<&'static Declaration>,
}

/// A value of a bundle file, as `sealed!(bundle = …, name = …)` emits it.
#[doc(hidden)]
pub struct BundleMember {
    /// The bundle file, as written in `bundle = "…"`.
    pub path: &'static str,
    /// The bundle's id.
    pub id: [u8; 16],
    /// The value's name.
    pub name: &'static str,
    /// The generation it was set with.
    pub generation: u64,
    /// The bundle's public key: an uncompressed P-256 point, which the private key KMS unwraps
    /// must match.
    pub public_point: [u8; 65],
    /// The value sealed to the public key: HPKE encapsulated key ‖ ciphertext ‖ tag.
    pub sealed: &'static [u8],
    /// The bundle's stage (`stage` line), bound into every value's sealing; empty for a bundle
    /// of no stage set.
    pub stage: &'static str,
    /// The recipients tried after this one (the declaration's key) when its region does not
    /// answer, in the order the trust anchor pins them: the stage set's `failover=` keys.
    pub failover: &'static [Failover],
}

/// Another recipient of a bundle, which the function tries when the first one's KMS does not
/// answer (`docs/design/bundle-recipients.md`).
#[doc(hidden)]
pub struct Failover {
    /// Its `Decrypt`: its wrapped private key, its key, the bundle's context.
    pub request: Request,
    /// Its public point, which the private key KMS unwraps must match.
    pub public_point: [u8; 65],
    /// The value sealed to it.
    pub sealed: &'static [u8],
}
