//! The facts of a sealed value that every layer shares: where it is written, its encryption
//! context, and what `sealed!` emits for it. The leaf of the crate: it imports nothing of it.

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

impl Location {
    #[doc(hidden)]
    pub const fn __new(file: &'static str, line: u32, column: u32) -> Self {
        Location { file, line, column }
    }

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

/// What `sealed!` emits for one invocation: a `static` in the user's crate.
#[doc(hidden)]
pub struct EntryParts {
    pub ciphertext: &'static [u8],
    pub family: BlobFamily,
    pub key: Option<&'static str>,
    pub context: &'static [(&'static str, ContextValue)],
    pub algorithm: Algorithm,
    pub plaintext_len: Option<usize>,
    pub fingerprint: Option<&'static [u8; 32]>,
    pub emulator_key_id: Option<&'static str>,
    pub location: Location,
    /// For a value of a bundle: which one. `ciphertext`, `key`, `context` and the facts of the
    /// blob are then those of the bundle's wrapped data key, what KMS `Decrypt` is sent.
    pub bundle: Option<BundleParts>,
}

/// A value of a bundle file, as `sealed!(bundle = …, name = …)` emits it.
#[doc(hidden)]
pub struct BundleParts {
    /// The bundle file, as written in `bundle = "…"`.
    pub path: &'static str,
    /// The bundle's id.
    pub id: [u8; 16],
    /// The value's name.
    pub name: &'static str,
    /// Nonce ‖ ciphertext ‖ tag.
    pub sealed: &'static [u8],
}

/// A decryption attempt panicked (the error each waiter gets instead).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Panicked;
