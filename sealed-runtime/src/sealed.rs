//! `Sealed`: a ciphertext checked at compile time, with what the check learnt about it.

use core::fmt;

use sealed_format::{Algorithm, BlobFamily, KeyRef};

/// A value of an encryption-context entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContextValue {
    /// `"value"`: sent as written.
    Literal(&'static str),
    /// `env("NAME")`: the environment variable's value at the moment of `Decrypt`.
    Env(&'static str),
}

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
}

/// One sealed value: its checked facts (and, once decrypted, its plaintext cell).
#[doc(hidden)]
pub struct Entry {
    parts: EntryParts,
}

impl Entry {
    #[doc(hidden)]
    pub const fn new(parts: EntryParts) -> Self {
        Entry { parts }
    }
}

/// A KMS ciphertext checked at compile time by [`sealed!`](crate::sealed).
///
/// A `Sealed` is a handle to one `static` that the macro emits where it is invoked: copies of it,
/// and a `Sealed` reached through a `const`, all refer to that one value, so it is decrypted once
/// however it is reached. Every `Sealed` in a binary is also listed by [`registered`].
///
/// The accessors tell what was checked; none of them touches KMS.
///
/// ```
/// use sealed_runtime::{sealed, BlobFamily, Sealed};
///
/// static DB_PASSWORD: Sealed = sealed!(
///     "AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=",
///     key = "alias/billing",
///     context = { "app": "billing" },
/// );
///
/// assert_eq!(DB_PASSWORD.family(), BlobFamily::AwsV2);
/// assert_eq!(DB_PASSWORD.plaintext_len(), Some(12));
/// assert_eq!(DB_PASSWORD.key().unwrap().as_str(), "alias/billing");
/// assert_eq!(DB_PASSWORD.ciphertext().len(), 164);
/// ```
#[derive(Clone, Copy)]
pub struct Sealed {
    entry: &'static Entry,
}

impl Sealed {
    #[doc(hidden)]
    pub const fn __from_entry(entry: &'static Entry) -> Self {
        Sealed { entry }
    }

    fn parts(self) -> &'static EntryParts {
        &self.entry.parts
    }

    /// The ciphertext bytes, as `Decrypt` receives them.
    pub fn ciphertext(&self) -> &'static [u8] {
        self.parts().ciphertext
    }

    /// The layout the ciphertext was recognised as.
    pub fn family(&self) -> BlobFamily {
        self.parts().family
    }

    /// The key declared with `key = …`, if any.
    pub fn key(&self) -> Option<KeyRef<'static>> {
        // Checked by the macro with the same parser; a failure here cannot happen.
        self.parts().key.and_then(|key| KeyRef::parse(key).ok())
    }

    /// The encryption context declared with `context = { … }`, in the order written.
    pub fn context(&self) -> &'static [(&'static str, ContextValue)] {
        self.parts().context
    }

    /// The encryption algorithm (`SYMMETRIC_DEFAULT` unless declared).
    pub fn algorithm(&self) -> Algorithm {
        self.parts().algorithm
    }

    /// How many bytes the plaintext has, where the layout tells.
    pub fn plaintext_len(&self) -> Option<usize> {
        self.parts().plaintext_len
    }

    /// The 32-byte key-material id of an AWS symmetric ciphertext (not the key id: it changes when
    /// the key rotates, and nothing maps it to a key offline).
    pub fn key_material_id(&self) -> Option<&'static [u8; 32]> {
        self.parts().fingerprint
    }

    /// [`Self::key_material_id`] in lowercase hex.
    pub fn fingerprint(&self) -> Option<String> {
        self.key_material_id().map(|id| {
            id.iter()
                .fold(String::new(), |out, b| out + &format!("{b:02x}"))
        })
    }

    /// The key id a local emulator wrote in clear (builds with the `emulator` feature only).
    pub fn emulator_key_id(&self) -> Option<&'static str> {
        self.parts().emulator_key_id
    }

    /// Where the `sealed!` is written.
    pub fn location(&self) -> Location {
        self.parts().location
    }

    /// Whether two handles refer to the same sealed value.
    pub fn same_value(&self, other: &Sealed) -> bool {
        core::ptr::eq(self.entry, other.entry)
    }
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let context_keys: Vec<&str> = self.context().iter().map(|(k, _)| *k).collect();
        f.debug_struct("Sealed")
            .field("location", &format_args!("{}", self.location()))
            .field("family", &self.family())
            .field("key", &self.parts().key)
            .field("context_keys", &context_keys)
            .field("algorithm", &self.algorithm())
            .field("ciphertext_len", &self.ciphertext().len())
            .finish_non_exhaustive()
    }
}

/// Every sealed value in the binary, in no particular order: each `sealed!` invocation once,
/// whichever crate it is in.
///
/// ```
/// use sealed_runtime::{registered, sealed, Sealed};
///
/// static TOKEN: Sealed = sealed!("AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=");
///
/// assert!(registered().any(|value| value.same_value(&TOKEN)));
/// ```
pub fn registered() -> impl ExactSizeIterator<Item = Sealed> {
    crate::__private::SEALED_ENTRIES
        .iter()
        .map(|entry| Sealed::__from_entry(entry))
}
