//! `Secret`: a decrypted plaintext, readable only through an explicit, greppable call.

use core::fmt;

use zeroize::Zeroizing;

use crate::declaration::Location;
use crate::error::{Error, ErrorKind};

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

/// With the `secrecy` feature: hand the plaintext to code that takes `secrecy`'s types. Each
/// conversion copies the plaintext into a buffer of `secrecy`'s, which zeroizes it when dropped;
/// the `Secret` keeps its own.
#[cfg(feature = "secrecy")]
#[cfg_attr(docsrs, doc(cfg(feature = "secrecy")))]
impl Secret {
    /// The plaintext as a [`secrecy::SecretString`]: an error, as
    /// [`expose_str`](Self::expose_str) gives it, when it is not UTF-8.
    pub fn to_secret_string(&self) -> Result<secrecy::SecretString, Error> {
        let text = self.expose_str()?;
        Ok(secrecy::SecretString::from(text))
    }

    /// The plaintext bytes as a [`secrecy::SecretBox<[u8]>`](secrecy::SecretBox).
    pub fn to_secret_box(&self) -> secrecy::SecretBox<[u8]> {
        secrecy::SecretBox::from(self.bytes.to_vec().into_boxed_slice())
    }
}

/// With the `secrecy` feature: a `&Secret` is an [`ExposeSecret<[u8]>`](secrecy::ExposeSecret),
/// for functions generic over it; no copy is made.
#[cfg(feature = "secrecy")]
#[cfg_attr(docsrs, doc(cfg(feature = "secrecy")))]
impl secrecy::ExposeSecret<[u8]> for Secret {
    fn expose_secret(&self) -> &[u8] {
        &self.bytes
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret([REDACTED; {} bytes])", self.bytes.len())
    }
}

#[cfg(all(test, feature = "secrecy"))]
mod secrecy_tests {
    use secrecy::ExposeSecret as _;

    use super::*;

    fn secret(bytes: &[u8]) -> Secret {
        Secret::new(
            Zeroizing::new(bytes.to_vec()),
            crate::declaration::location("src/main.rs", 3, 30),
        )
    }

    /// What a library that takes `secrecy`'s types sees: the same bytes, behind its own guard.
    fn length_seen_by_a_library(password: &impl secrecy::ExposeSecret<[u8]>) -> usize {
        password.expose_secret().len()
    }

    #[test]
    fn a_secret_hands_its_plaintext_to_secrecy_types() {
        let value = secret(b"hunter2");
        assert_eq!(value.to_secret_string().unwrap().expose_secret(), "hunter2");
        assert_eq!(value.to_secret_box().expose_secret(), b"hunter2");
        assert_eq!(length_seen_by_a_library(&value), 7);
        // secrecy's own Debug redacts too
        assert!(!format!("{:?}", value.to_secret_string().unwrap()).contains("hunter2"));
    }

    #[test]
    fn a_plaintext_that_is_not_utf8_is_an_error_without_the_bytes() {
        let error = secret(&[0x66, 0xff, 0x67]).to_secret_string().unwrap_err();
        assert_eq!(
            error.kind(),
            &ErrorKind::NotUtf8 {
                len: 3,
                valid_up_to: 1
            }
        );
        assert!(error.to_string().contains("src/main.rs:3:30"), "{error}");
    }
}
