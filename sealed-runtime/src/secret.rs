//! `Secret`: a decrypted plaintext, readable only through an explicit, greppable call.

use core::fmt;

use zeroize::Zeroizing;

use crate::error::{Error, ErrorKind};
use crate::facts::Location;

/// The plaintext of a sealed value.
///
/// Read it with [`expose`](Self::expose) or [`expose_str`](Self::expose_str), which are easy to
/// find in a code review. It has no `Display`, `Clone`, `Serialize` or `Deref`; its `Debug` shows
/// only the length. The buffer is on the heap and zeroed when the `Secret` is freed.
///
/// # Copies out of reach
///
/// The library zeroes every plaintext buffer it owns: the one a `Secret` holds, and the one it
/// drops when KMS answers for another key than the pinned one (tested with a checking allocator,
/// `tests/zeroize.rs`). It cannot zero what it never owns: the SDK's HTTP response body, which
/// carries the plaintext base64-encoded in JSON and is freed by the SDK, buffers of the TLS stack,
/// and any copy the program makes after `expose()` (a `String`, a connection string). A
/// `Secret` of a sealed value lives as long as the process, like the `static` it belongs to.
pub struct Secret {
    bytes: Zeroizing<Vec<u8>>,
    location: Location,
}

impl Secret {
    pub(crate) fn new(bytes: Zeroizing<Vec<u8>>, location: Location) -> Self {
        Secret { bytes, location }
    }

    /// The plaintext bytes.
    #[inline]
    pub fn expose(&self) -> &[u8] {
        &self.bytes
    }

    /// The plaintext as UTF-8 text. A plaintext that is not UTF-8 is an error that gives only its
    /// length and the offset of the first invalid byte, never the bytes; [`expose`](Self::expose)
    /// still returns them.
    pub fn expose_str(&self) -> Result<&str, Error> {
        core::str::from_utf8(&self.bytes).map_err(|error| {
            Error::new(ErrorKind::NotUtf8 {
                len: self.bytes.len(),
                valid_up_to: error.valid_up_to(),
            })
            .at(self.location)
        })
    }

    /// The plaintext's length in bytes.
    #[inline]
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the plaintext is empty (KMS never returns an empty one).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret([REDACTED; {} bytes])", self.bytes.len())
    }
}
