//! Bundles: many values sealed locally under one KMS data key, in one text file.
//!
//! A bundle costs one KMS `Decrypt` per process (its data key) however many values it holds;
//! each value is sealed with AES-256-GCM under that data key, with a fresh random nonce and
//! associated data that binds the format version, the bundle's id and the value's name
//! ([`associated_data`]), so a value cannot be moved to another name or another bundle.
//!
//! This module only reads and writes the file and checks what can be checked offline; the
//! cryptography is `sealed-runtime`'s (an AEAD from ring or aws-lc-rs, whichever its TLS stack
//! brings). The file, one directive per line, values last:
//!
//! ```text
//! # A sealed bundle: edit it with `cargo sealed bundle`, never by hand.
//! sealed-bundle 1
//! id 0f1e2d3c4b5a69788796a5b4c3d2e1f0
//! key arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
//! context app billing
//! context-env LambdaFunctionName AWS_LAMBDA_FUNCTION_NAME
//! data-key AQIDAHh…
//! value api_token 5Q2m…
//! value db_password q9Zr…
//! ```
//!
//! * `id`: 16 random bytes in hex, made when the bundle is created; part of every value's
//!   associated data.
//! * `key`: the KMS key the data key is wrapped under. `context` and `context-env`: its
//!   encryption context (a literal value, or the environment variable that holds it at run time),
//!   percent-encoded where a key or value has a space, `%`, `#`, a control or a non-ASCII
//!   character.
//! * `data-key`: the data key as KMS `GenerateDataKeyWithoutPlaintext` returned it, base64: a
//!   genuine KMS ciphertext of 32 bytes, checked like any other ([`Bundle::inspect_data_key`]).
//! * `value NAME SEALED`: the value's name in clear (a review diff shows which secret changed),
//!   and base64 of nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes).
//!
//! ```
//! use sealed_format::{Bundle, Options};
//!
//! let text = "sealed-bundle 1\n\
//!     id 0f1e2d3c4b5a69788796a5b4c3d2e1f0\n\
//!     key alias/app\n\
//!     context app billing\n\
//!     data-key AQIDAHh0DdonDMJJ3Zr8dpKyoPcWm9dlLHlh5Wy+tfrFm4vJ1wG2duQQ8ROeKvrtAGDumbR3AAAAfjB8BgkqhkiG9w0BBwagbzBtAgEAMGgGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQM1uzn4qmjQp8QUB1fAgEQgDvFE6DpF9gufiZ0iFBc6T4JrDidd75aYuuda7vWE6eenq8+3wt9Y40kzs9Q2PLftimO0+ooJCr9aMjPCg==\n\
//!     value db_password AAAAAAAAAAAAAAAAbXlzZWNyZXR2YWx1ZTEyMzQ1Njc4OTA=\n";
//! let bundle = Bundle::parse(text).unwrap();
//! assert_eq!(bundle.names().collect::<Vec<_>>(), ["db_password"]);
//! assert_eq!(bundle.value("db_password").unwrap().plaintext_len(), 7);
//! assert!(Bundle::parse(&bundle.render()).is_ok());
//! assert_eq!(bundle.inspect_data_key(&Options::default()).unwrap().plaintext_len(), Some(32));
//! ```

use core::fmt;

use base64::Engine as _;

use crate::blob::inspect::inspect;
use crate::blob::inspection::{Inspection, Options};
use crate::context::{check_context_keys, check_env_name, ContextValue};
use crate::error::FormatError;
use crate::key::KeyRef;

/// The first line of every bundle file (the format's version is its number).
pub const BUNDLE_HEADER: &str = "sealed-bundle 1";
/// The bytes of a bundle's id.
pub const BUNDLE_ID_LEN: usize = 16;
/// The data key's length: AES-256.
pub const DATA_KEY_LEN: usize = 32;
/// The AEAD nonce's length (AES-GCM, 96 bits).
pub const NONCE_LEN: usize = 12;
/// The AEAD tag's length.
pub const TAG_LEN: usize = 16;
/// The largest plaintext a bundle value may have.
pub const MAX_BUNDLE_VALUE: usize = 64 * 1024;
/// The longest value name.
pub const MAX_NAME_LEN: usize = 128;

const COMMENT: &str =
    "# A sealed bundle: edit it with `cargo sealed bundle` (set, rm, ls), never by hand.";

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

/// A bundle file, parsed and checked (but its data key: [`Bundle::inspect_data_key`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    /// The bundle's id.
    pub id: [u8; BUNDLE_ID_LEN],
    /// The KMS key the data key is wrapped under, as written.
    pub key: String,
    /// The data key's encryption context, in the order written.
    pub context: Vec<(String, ContextValue<String>)>,
    /// The wrapped data key, base64 as written.
    pub data_key: String,
    /// The line of `data-key` (from 1), for messages; 0 for a bundle built in memory.
    pub data_key_line: usize,
    /// The values, in the order written.
    pub values: Vec<BundleValue>,
}

/// One value of a bundle.
#[derive(Clone, PartialEq, Eq)]
pub struct BundleValue {
    /// Its name.
    pub name: String,
    /// Nonce ‖ ciphertext ‖ tag.
    pub sealed: Vec<u8>,
    /// Its line (from 1); 0 for a value set in memory.
    pub line: usize,
}

impl fmt::Debug for BundleValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BundleValue")
            .field("name", &self.name)
            .field("sealed_len", &self.sealed.len())
            .field("line", &self.line)
            .finish()
    }
}

impl BundleValue {
    /// The plaintext's length: the sealed bytes less nonce and tag.
    pub fn plaintext_len(&self) -> usize {
        self.sealed.len().saturating_sub(NONCE_LEN + TAG_LEN)
    }
}

/// What is wrong with a bundle file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleError {
    /// The line (from 1), if the problem is on one.
    pub line: Option<usize>,
    /// What is wrong.
    pub kind: BundleErrorKind,
}

/// The rule a bundle file breaks.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BundleErrorKind {
    /// The first line is not `sealed-bundle 1`.
    NotABundle,
    /// `sealed-bundle N` of a later format version.
    UnknownVersion(String),
    /// A directive this version does not know.
    UnknownDirective(String),
    /// A directive with the wrong number of fields.
    Fields {
        /// The directive.
        directive: &'static str,
        /// What it takes.
        expected: &'static str,
    },
    /// `id`, `key` or `data-key` given twice.
    Duplicate(&'static str),
    /// `id`, `key` or `data-key` missing.
    Missing(&'static str),
    /// `id` is not 32 hex digits.
    BadId,
    /// The key is not a key reference.
    BadKey(String),
    /// A context key or value that does not decode, or breaks a rule of the context.
    BadContext(String),
    /// A value name outside `[A-Za-z0-9_.-]{1,128}`.
    BadName(String),
    /// Two values with one name.
    DuplicateName(String),
    /// A value that is not base64.
    BadBase64(String),
    /// A value whose sealed bytes cannot hold a plaintext of 1 to [`MAX_BUNDLE_VALUE`] bytes.
    BadLength {
        /// The value's name.
        name: String,
        /// Its sealed bytes.
        len: usize,
    },
    /// `data-key` is not a valid KMS ciphertext.
    DataKey(FormatError),
    /// `data-key` decrypts to another length than 32 bytes.
    DataKeyLength(usize),
    /// A directive after the first `value` line that is not a `value`.
    HeaderAfterValues(&'static str),
}

impl fmt::Display for BundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        match &self.kind {
            BundleErrorKind::NotABundle => write!(f, "not a sealed bundle: the first line must be `{BUNDLE_HEADER}`"),
            BundleErrorKind::UnknownVersion(v) => write!(f, "bundle format `{v}` is newer than this version of sealed reads (`{BUNDLE_HEADER}`)"),
            BundleErrorKind::UnknownDirective(d) => write!(f, "unknown directive `{d}`; expected `id`, `key`, `context`, `context-env`, `data-key` or `value`"),
            BundleErrorKind::Fields { directive, expected } => write!(f, "`{directive}` takes {expected}"),
            BundleErrorKind::Duplicate(d) => write!(f, "`{d}` given twice"),
            BundleErrorKind::Missing(d) => write!(f, "no `{d}` line"),
            BundleErrorKind::BadId => write!(f, "`id` must be {} hex digits", BUNDLE_ID_LEN * 2),
            BundleErrorKind::BadKey(e) => write!(f, "invalid key: {e}"),
            BundleErrorKind::BadContext(e) => write!(f, "invalid encryption context: {e}"),
            BundleErrorKind::BadName(n) => write!(f, "invalid value name `{n}`: names are 1 to {MAX_NAME_LEN} of `A-Z a-z 0-9 _ . -`"),
            BundleErrorKind::DuplicateName(n) => write!(f, "the value `{n}` is given twice"),
            BundleErrorKind::BadBase64(n) => write!(f, "the value `{n}` is not standard base64"),
            BundleErrorKind::BadLength { name, len } => write!(
                f,
                "the value `{name}` is {len} sealed bytes; a sealed value is {} to {} bytes (nonce, 1 to {MAX_BUNDLE_VALUE} bytes of ciphertext, tag): it was cut or edited",
                NONCE_LEN + TAG_LEN + 1,
                NONCE_LEN + TAG_LEN + MAX_BUNDLE_VALUE
            ),
            BundleErrorKind::DataKey(e) => write!(f, "the data key: {e}"),
            BundleErrorKind::DataKeyLength(n) => write!(f, "the data key decrypts to {n} bytes; a bundle's data key is {DATA_KEY_LEN} (AES-256)"),
            BundleErrorKind::HeaderAfterValues(d) => write!(f, "`{d}` after the values; the header comes first"),
        }
    }
}

impl std::error::Error for BundleError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            BundleErrorKind::DataKey(error) => Some(error),
            _ => None,
        }
    }
}

impl BundleError {
    fn at(line: usize, kind: BundleErrorKind) -> Self {
        BundleError {
            line: Some(line),
            kind,
        }
    }

    /// The next step.
    pub fn help(&self) -> String {
        match &self.kind {
            BundleErrorKind::DataKey(error) => error.help(),
            BundleErrorKind::UnknownVersion(_) => {
                "upgrade sealed-runtime and cargo sealed to read it".to_owned()
            }
            BundleErrorKind::NotABundle => {
                "create one with `cargo sealed bundle new FILE --key KEY`".to_owned()
            }
            _ => "a bundle is written by `cargo sealed bundle`: restore the file from version control, or set the value again with `cargo sealed bundle set FILE NAME`".to_owned(),
        }
    }
}

/// Checks a value name: 1 to [`MAX_NAME_LEN`] of `A-Z a-z 0-9 _ . -`.
pub fn check_value_name(name: &str) -> Result<(), BundleErrorKind> {
    let valid = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    if valid {
        Ok(())
    } else {
        Err(BundleErrorKind::BadName(
            name.chars().take(MAX_NAME_LEN).collect(),
        ))
    }
}

/// Percent-encodes what would break a line's fields: space, `%`, `#`, controls, non-ASCII.
fn encode_field(text: &str) -> String {
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

fn decode_field(field: &str) -> Result<String, String> {
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
                .ok_or_else(|| format!("`{field}` has a `%` not followed by two hex digits"))?;
            bytes.extend_from_slice(&pair);
            rest = &tail[2..];
        } else {
            bytes.push(byte);
            rest = tail;
        }
    }
    String::from_utf8(bytes).map_err(|_| format!("`{field}` does not decode to UTF-8"))
}

fn base64_engine() -> &'static base64::engine::GeneralPurpose {
    &base64::engine::general_purpose::STANDARD
}

/// The header's directives, gathered while reading.
#[derive(Default)]
struct Header {
    id: Option<[u8; BUNDLE_ID_LEN]>,
    key: Option<String>,
    context: Vec<(String, ContextValue<String>)>,
    context_lines: Vec<usize>,
    data_key: Option<(String, usize)>,
}

impl Header {
    /// Reads one line (`number`, from 1) into the header or the values.
    fn read(
        &mut self,
        number: usize,
        line: &str,
        values: &mut Vec<BundleValue>,
    ) -> Result<(), BundleError> {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let at = |kind| BundleError::at(number, kind);
        let directive = fields[0];
        if !values.is_empty() && directive != "value" {
            let known = ["id", "key", "context", "context-env", "data-key"];
            if let Some(d) = known.into_iter().find(|d| *d == directive) {
                return Err(at(BundleErrorKind::HeaderAfterValues(d)));
            }
        }
        match directive {
            "id" => {
                let [_, id] = fields[..] else {
                    return Err(at(fields_error("id", "one field: 32 hex digits")));
                };
                let mut bytes = [0; BUNDLE_ID_LEN];
                hex::decode_to_slice(id, &mut bytes).map_err(|_| at(BundleErrorKind::BadId))?;
                once(&mut self.id, bytes, "id", number)?;
            }
            "key" => {
                let [_, key] = fields[..] else {
                    return Err(at(fields_error("key", "one field: the KMS key")));
                };
                KeyRef::parse(key).map_err(|e| at(BundleErrorKind::BadKey(e.to_string())))?;
                once(&mut self.key, key.to_owned(), "key", number)?;
            }
            "context" | "context-env" => {
                let [_, key, value] = fields[..] else {
                    return Err(at(fields_error(
                        if directive == "context" {
                            "context"
                        } else {
                            "context-env"
                        },
                        "two fields: the key and the value (percent-encoded)",
                    )));
                };
                let key = decode_field(key).map_err(|e| at(BundleErrorKind::BadContext(e)))?;
                let value = decode_field(value).map_err(|e| at(BundleErrorKind::BadContext(e)))?;
                let value = if directive == "context" {
                    ContextValue::Literal(value)
                } else {
                    check_env_name(&value)
                        .map_err(|e| at(BundleErrorKind::BadContext(e.to_string())))?;
                    ContextValue::Env(value)
                };
                self.context.push((key, value));
                self.context_lines.push(number);
            }
            "data-key" => {
                let [_, data_key] = fields[..] else {
                    return Err(at(fields_error(
                        "data-key",
                        "one field: the wrapped data key in base64",
                    )));
                };
                once(
                    &mut self.data_key,
                    (data_key.to_owned(), number),
                    "data-key",
                    number,
                )?;
            }
            "value" => {
                let [_, name, sealed] = fields[..] else {
                    return Err(at(fields_error(
                        "value",
                        "two fields: the name and the sealed value in base64",
                    )));
                };
                check_value_name(name).map_err(at)?;
                if values.iter().any(|v| v.name == name) {
                    return Err(at(BundleErrorKind::DuplicateName(name.to_owned())));
                }
                let sealed = base64_engine()
                    .decode(sealed)
                    .map_err(|_| at(BundleErrorKind::BadBase64(name.to_owned())))?;
                check_sealed_len(name, sealed.len()).map_err(at)?;
                values.push(BundleValue {
                    name: name.to_owned(),
                    sealed,
                    line: number,
                });
            }
            other => {
                return Err(at(BundleErrorKind::UnknownDirective(
                    other.chars().take(40).collect(),
                )))
            }
        }
        Ok(())
    }
}

impl Bundle {
    /// A new bundle with no values.
    pub fn new(
        id: [u8; BUNDLE_ID_LEN],
        key: String,
        context: Vec<(String, ContextValue<String>)>,
        data_key: String,
    ) -> Bundle {
        Bundle {
            id,
            key,
            context,
            data_key,
            data_key_line: 0,
            values: Vec::new(),
        }
    }

    /// Reads a bundle file and checks everything but the data key's layout.
    pub fn parse(text: &str) -> Result<Bundle, BundleError> {
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, line)| (i + 1, line.trim()))
            .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'));
        match lines.next() {
            Some((_, BUNDLE_HEADER)) => {}
            Some((line, first)) if first.starts_with("sealed-bundle ") => {
                return Err(BundleError::at(
                    line,
                    BundleErrorKind::UnknownVersion(first.to_owned()),
                ))
            }
            Some((line, _)) => return Err(BundleError::at(line, BundleErrorKind::NotABundle)),
            None => {
                return Err(BundleError {
                    line: None,
                    kind: BundleErrorKind::NotABundle,
                })
            }
        }
        let mut header = Header::default();
        let mut values: Vec<BundleValue> = Vec::new();
        for (number, line) in lines {
            header.read(number, line, &mut values)?;
        }
        let missing = |what| BundleError {
            line: None,
            kind: BundleErrorKind::Missing(what),
        };
        let id = header.id.ok_or_else(|| missing("id"))?;
        let key = header.key.ok_or_else(|| missing("key"))?;
        let (data_key, data_key_line) = header.data_key.ok_or_else(|| missing("data-key"))?;
        if let Some((index, error)) =
            check_context_keys(header.context.iter().map(|(k, _)| k.as_str()))
                .into_iter()
                .next()
        {
            return Err(BundleError::at(
                header.context_lines[index],
                BundleErrorKind::BadContext(error.to_string()),
            ));
        }
        Ok(Bundle {
            id,
            key,
            context: header.context,
            data_key,
            data_key_line,
            values,
        })
    }

    /// Checks the data key as `sealed!` checks a ciphertext, and that it holds 32 bytes.
    pub fn inspect_data_key(&self, options: &Options) -> Result<Inspection, BundleError> {
        let line = (self.data_key_line > 0).then_some(self.data_key_line);
        let inspection = inspect(&self.data_key, options).map_err(|e| BundleError {
            line,
            kind: BundleErrorKind::DataKey(e),
        })?;
        match inspection.plaintext_len() {
            Some(len) if len != DATA_KEY_LEN => Err(BundleError {
                line,
                kind: BundleErrorKind::DataKeyLength(len),
            }),
            _ => Ok(inspection),
        }
    }

    /// The value called `name`.
    pub fn value(&self, name: &str) -> Option<&BundleValue> {
        self.values.iter().find(|v| v.name == name)
    }

    /// The values' names, in the order written.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(|v| v.name.as_str())
    }

    /// Sets `name` to `sealed`: replaced in place, or added at the end. Returns whether it
    /// replaced a value.
    pub fn set(&mut self, name: &str, sealed: Vec<u8>) -> Result<bool, BundleErrorKind> {
        check_value_name(name)?;
        check_sealed_len(name, sealed.len())?;
        if let Some(value) = self.values.iter_mut().find(|v| v.name == name) {
            value.sealed = sealed;
            return Ok(true);
        }
        self.values.push(BundleValue {
            name: name.to_owned(),
            sealed,
            line: 0,
        });
        Ok(false)
    }

    /// Removes `name`; whether it was there.
    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.values.len();
        self.values.retain(|v| v.name != name);
        self.values.len() != before
    }

    /// The file's text.
    pub fn render(&self) -> String {
        use core::fmt::Write as _;
        let mut out = String::new();
        // writing to a `String` cannot fail
        let _ = writeln!(out, "{COMMENT}\n{BUNDLE_HEADER}");
        let _ = writeln!(out, "id {}\nkey {}", hex::encode(self.id), self.key);
        for (key, value) in &self.context {
            let (directive, value) = match value {
                ContextValue::Literal(v) => ("context", v),
                ContextValue::Env(v) => ("context-env", v),
            };
            let _ = writeln!(
                out,
                "{directive} {} {}",
                encode_field(key),
                encode_field(value)
            );
        }
        let _ = writeln!(out, "data-key {}", self.data_key);
        for value in &self.values {
            let _ = writeln!(
                out,
                "value {} {}",
                value.name,
                base64_engine().encode(&value.sealed)
            );
        }
        out
    }
}

fn fields_error(directive: &'static str, expected: &'static str) -> BundleErrorKind {
    BundleErrorKind::Fields {
        directive,
        expected,
    }
}

fn once<T>(
    slot: &mut Option<T>,
    value: T,
    what: &'static str,
    line: usize,
) -> Result<(), BundleError> {
    if slot.is_some() {
        return Err(BundleError::at(line, BundleErrorKind::Duplicate(what)));
    }
    *slot = Some(value);
    Ok(())
}

fn check_sealed_len(name: &str, len: usize) -> Result<(), BundleErrorKind> {
    let overhead = NONCE_LEN + TAG_LEN;
    if len > overhead && len <= overhead + MAX_BUNDLE_VALUE {
        Ok(())
    } else {
        Err(BundleErrorKind::BadLength {
            name: name.to_owned(),
            len,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Bundle {
        let mut bundle = Bundle::new(
            [7; BUNDLE_ID_LEN],
            "alias/app".into(),
            vec![
                (
                    "app".into(),
                    ContextValue::Literal("billing team #2 %".into()),
                ),
                (
                    "fn".into(),
                    ContextValue::Env("AWS_LAMBDA_FUNCTION_NAME".into()),
                ),
                ("ünï".into(), ContextValue::Literal(String::new())),
            ],
            "AQIDAHh".into(),
        );
        bundle.set("db_password", vec![1; 40]).unwrap();
        bundle.set("api.token-2", vec![2; 29]).unwrap();
        bundle
    }

    #[test]
    fn render_then_parse_is_the_same_bundle() {
        let bundle = sample();
        let mut parsed = Bundle::parse(&bundle.render()).unwrap();
        assert_eq!(parsed.data_key_line, 8);
        assert_eq!(parsed.values[0].line, 9);
        parsed.data_key_line = 0;
        for value in &mut parsed.values {
            value.line = 0;
        }
        assert_eq!(parsed, bundle);
        assert!(bundle
            .render()
            .contains("context app billing%20team%20%232%20%25\n"));
    }

    #[test]
    fn set_replaces_in_place_and_remove_removes() {
        let mut bundle = sample();
        assert!(bundle.set("db_password", vec![3; 30]).unwrap());
        assert_eq!(
            bundle.names().collect::<Vec<_>>(),
            ["db_password", "api.token-2"]
        );
        assert!(bundle.remove("db_password"));
        assert!(!bundle.remove("db_password"));
        assert_eq!(bundle.names().collect::<Vec<_>>(), ["api.token-2"]);
        assert!(matches!(
            bundle.set("bad name", vec![1; 30]),
            Err(BundleErrorKind::BadName(_))
        ));
        assert!(matches!(
            bundle.set("empty", vec![1; 28]),
            Err(BundleErrorKind::BadLength { .. })
        ));
    }

    #[test]
    fn the_associated_data_binds_the_id_and_the_name() {
        let a = associated_data(&[1; 16], "a");
        assert_ne!(a, associated_data(&[2; 16], "a"));
        assert_ne!(a, associated_data(&[1; 16], "b"));
        assert!(a.starts_with(b"sealed-bundle 1\0"));
    }

    fn error_of(text: &str) -> String {
        Bundle::parse(text).unwrap_err().to_string()
    }

    #[test]
    fn every_mistake_names_its_line() {
        let good = sample().render();
        let cases: [(&str, &str, &str); 9] = [
            (
                "sealed-bundle 1",
                "sealed-bundle 2",
                "line 2: bundle format `sealed-bundle 2` is newer",
            ),
            (
                "sealed-bundle 1",
                "sealed bundle",
                "line 2: not a sealed bundle",
            ),
            ("key alias/app", "key alias/", "line 4: invalid key"),
            (
                "key alias/app",
                "key alias/app extra",
                "line 4: `key` takes one field",
            ),
            ("id 0707", "id 0x07", "line 3: `id` must be 32 hex digits"),
            (
                "value db_password ",
                "value db_password !",
                "line 9: the value `db_password` is not standard base64",
            ),
            (
                "value api.token-2 ",
                "value db_password ",
                "line 10: the value `db_password` is given twice",
            ),
            (
                "value db_password ",
                "valeu db_password ",
                "line 9: unknown directive `valeu`",
            ),
            (
                "context app ",
                "context app%2 ",
                "line 5: invalid encryption context: `app%2` has a `%`",
            ),
        ];
        for (from, to, expected) in cases {
            let text = good.replacen(from, to, 1);
            assert_ne!(text, good, "{from}");
            let error = error_of(&text);
            assert!(error.starts_with(expected), "{to}: {error}");
        }
        let no_key = good
            .lines()
            .filter(|l| !l.starts_with("key "))
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(error_of(&no_key), "no `key` line");
        let late = format!("{good}key alias/other\n");
        assert!(error_of(&late).starts_with("line 11: `key` after the values"));
        let cut = good.replacen("api.token-2 AgICAgIC", "api.token-2 ", 1);
        assert!(
            error_of(&cut).contains("sealed bytes"),
            "{}",
            error_of(&cut)
        );
    }
}
