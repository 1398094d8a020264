//! The percent-encoding of a bundle's context fields: a key or value with a space, `%`, `#`, a
//! control or a non-ASCII character still makes one field of its line.

/// Percent-encodes what would break a line's fields: space, `%`, `#`, controls, non-ASCII.
pub(crate) fn encode_field(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_graphic() && !matches!(byte, b'%' | b'#') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push_str(&hex::encode_upper([byte]));
        }
    }
    if out.is_empty() {
        // an empty field would vanish between the spaces
        out.push_str("%00");
    }
    out
}

/// Why a field does not decode.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum FieldError {
    /// A `%` not followed by two hex digits.
    NotHex(String),
    /// Bytes that are not UTF-8.
    NotUtf8(String),
}

impl core::fmt::Display for FieldError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            FieldError::NotHex(field) => {
                write!(f, "`{field}` has a `%` not followed by two hex digits")
            }
            FieldError::NotUtf8(field) => write!(f, "`{field}` does not decode to UTF-8"),
        }
    }
}

/// Decodes a field that [`encode_field`] wrote; the error says why it does not decode.
pub(crate) fn decode_field(field: &str) -> Result<String, FieldError> {
    if field == "%00" {
        return Ok(String::new());
    }
    let mut bytes = Vec::with_capacity(field.len());
    let mut rest = field.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        if byte == b'%' {
            let pair = tail
                .get(..2)
                .and_then(|pair| hex::decode(pair).ok())
                .ok_or_else(|| FieldError::NotHex(field.to_owned()))?;
            bytes.extend_from_slice(&pair);
            rest = &tail[2..];
        } else {
            bytes.push(byte);
            rest = tail;
        }
    }
    String::from_utf8(bytes).map_err(|_| FieldError::NotUtf8(field.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_would_break_a_line_is_encoded_and_decodes_back() {
        for text in ["billing team #2 %", "ünï", "", "plain", "tab\there"] {
            let field = encode_field(text);
            assert!(!field.contains([' ', '#', '\t']), "{field}");
            assert_eq!(decode_field(&field).as_deref(), Ok(text));
        }
        assert_eq!(encode_field(""), "%00");
        assert_eq!(encode_field("a b"), "a%20b");
    }

    #[test]
    fn a_broken_field_says_why() {
        assert_eq!(
            decode_field("app%2").unwrap_err().to_string(),
            "`app%2` has a `%` not followed by two hex digits"
        );
        assert_eq!(
            decode_field("%FF").unwrap_err().to_string(),
            "`%FF` does not decode to UTF-8"
        );
    }
}
