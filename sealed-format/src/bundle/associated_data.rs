//! The associated data each value of a bundle is sealed with: what binds it to its bundle and
//! its name.

use crate::bundle::format::{BUNDLE_HEADER, BUNDLE_ID_LEN};

/// The associated data a bundle value is sealed with: the format version, the bundle's id and
/// the value's name, so that the tag fails for a value moved to another name or bundle.
pub fn associated_data(id: &[u8; BUNDLE_ID_LEN], name: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(BUNDLE_HEADER.len() + 2 + BUNDLE_ID_LEN + name.len());
    aad.extend_from_slice(BUNDLE_HEADER.as_bytes());
    aad.push(0);
    aad.extend_from_slice(id);
    aad.push(0);
    aad.extend_from_slice(name.as_bytes());
    aad
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_associated_data_binds_the_id_and_the_name() {
        let a = associated_data(&[1; 16], "a");
        assert_ne!(a, associated_data(&[2; 16], "a"));
        assert_ne!(a, associated_data(&[1; 16], "b"));
        assert!(a.starts_with(b"sealed-bundle 1\0"));
    }
}
