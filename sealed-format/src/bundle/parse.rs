//! Reading a bundle file: its first line, the header directives, then the values, every
//! mistake named with its line.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use crate::bundle::contents::Bundle;
use crate::bundle::error::{BundleError, BundleErrorKind};
use crate::bundle::format::{BUNDLE_HEADER, BUNDLE_ID_LEN, FORMAT_1_HEADER, MAX_GENERATION};
use crate::bundle::percent_encoding::{decode_field, FieldError};
use crate::bundle::public_key::{check_public_key, point_of};
use crate::bundle::recipient::Recipient;
use crate::bundle::value::{check_sealed_len, check_stage_name, check_value_name, BundleValue};
use crate::context::{check_context_keys, check_env_name, ContextValue};
use crate::key::KeyRef;
use crate::lines::directives;

/// The header's directives, in the order a file writes them.
const HEADER: [&str; 9] = [
    "id",
    "key",
    "stage",
    "context",
    "context-env",
    "public-key",
    "private-key",
    "recipient",
    "generation",
];

/// The header's directives, gathered while reading.
#[derive(Default)]
struct HeaderDirectives {
    id: Option<[u8; BUNDLE_ID_LEN]>,
    key: Option<String>,
    stage: Option<String>,
    context: Vec<(String, ContextValue<String>)>,
    context_lines: Vec<usize>,
    public_key: Option<Vec<u8>>,
    private_key: Option<(String, usize)>,
    recipients: Vec<Recipient>,
    generation: Option<u64>,
}

impl HeaderDirectives {
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
            if let Some(d) = HEADER.into_iter().find(|d| *d == directive) {
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
                set_once(&mut self.id, bytes, "id", number)?;
            }
            "key" => {
                let [_, key] = fields[..] else {
                    return Err(at(fields_error("key", "one field: the KMS key")));
                };
                KeyRef::parse(key).map_err(|e| at(BundleErrorKind::BadKey(e.to_string())))?;
                set_once(&mut self.key, key.to_owned(), "key", number)?;
            }
            "stage" => {
                let [_, stage] = fields[..] else {
                    return Err(at(fields_error("stage", "one field: the stage's name")));
                };
                check_stage_name(stage).map_err(at)?;
                set_once(&mut self.stage, stage.to_owned(), "stage", number)?;
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
                let (key, value) = decode_pair(key, value)
                    .map_err(|e| at(BundleErrorKind::BadContext(e.to_string())))?;
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
            "public-key" => {
                let [_, public_key] = fields[..] else {
                    return Err(at(fields_error(
                        "public-key",
                        "one field: the public key in base64",
                    )));
                };
                let public_key = STANDARD
                    .decode(public_key)
                    .map_err(|_| at(BundleErrorKind::BadHeaderBase64("public-key")))?;
                check_public_key(&public_key).map_err(at)?;
                set_once(&mut self.public_key, public_key, "public-key", number)?;
            }
            "private-key" => {
                let [_, private_key] = fields[..] else {
                    return Err(at(fields_error(
                        "private-key",
                        "one field: the wrapped private key in base64",
                    )));
                };
                set_once(
                    &mut self.private_key,
                    (private_key.to_owned(), number),
                    "private-key",
                    number,
                )?;
            }
            "recipient" => self.read_recipient(number, &fields)?,
            "generation" => {
                let [_, generation] = fields[..] else {
                    return Err(at(fields_error(
                        "generation",
                        "one field: the highest generation given, a decimal number",
                    )));
                };
                let generation = parse_generation(generation).map_err(at)?;
                set_once(&mut self.generation, generation, "generation", number)?;
            }
            "value" => read_value(number, &fields, self.recipients.len(), values)?,
            other => {
                return Err(at(BundleErrorKind::UnknownDirective(
                    other.chars().take(40).collect(),
                )))
            }
        }
        Ok(())
    }

    /// A `recipient KEY PUBLIC-KEY PRIVATE-KEY` line (`number`, from 1).
    fn read_recipient(&mut self, number: usize, fields: &[&str]) -> Result<(), BundleError> {
        let at = |kind| BundleError::at(number, kind);
        let [_, key, public_key, private_key] = fields[..] else {
            return Err(at(fields_error(
                "recipient",
                "three fields: the KMS key, the public key and the wrapped private key, in base64",
            )));
        };
        KeyRef::parse(key).map_err(|e| at(BundleErrorKind::BadKey(e.to_string())))?;
        let public_key = STANDARD
            .decode(public_key)
            .map_err(|_| at(BundleErrorKind::BadHeaderBase64("recipient")))?;
        let mut recipient =
            Recipient::new(key.to_owned(), public_key, private_key.to_owned()).map_err(at)?;
        recipient.line = number;
        if self.key.as_deref() == Some(key) || self.recipients.iter().any(|r| r.key == key) {
            return Err(at(BundleErrorKind::DuplicateRecipient(key.to_owned())));
        }
        if self.recipients.len() >= crate::bundle::format::MAX_RECIPIENTS {
            return Err(at(BundleErrorKind::TooManyRecipients));
        }
        let point = recipient.public_point();
        let shared = self.public_key.as_deref().map(point_of) == Some(point)
            || self.recipients.iter().any(|r| r.public_point() == point);
        if shared {
            return Err(at(BundleErrorKind::SharedPublicKey(key.to_owned())));
        }
        self.recipients.push(recipient);
        Ok(())
    }
}

impl Bundle {
    /// Reads a bundle file and checks everything but the private key's layout
    /// ([`Bundle::inspect_private_key`]).
    pub fn parse(text: &str) -> Result<Bundle, BundleError> {
        if text.len() > crate::bundle::format::MAX_FILE_BYTES {
            return Err(BundleError {
                line: None,
                kind: BundleErrorKind::TooLarge(text.len()),
            });
        }
        let mut lines = directives(text);
        match lines.next() {
            Some((_, BUNDLE_HEADER)) => {}
            Some((line, FORMAT_1_HEADER)) => {
                return Err(BundleError::at(line, BundleErrorKind::OldVersion))
            }
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
        let mut header = HeaderDirectives::default();
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
        let public_key = header.public_key.ok_or_else(|| missing("public-key"))?;
        let (private_key, private_key_line) =
            header.private_key.ok_or_else(|| missing("private-key"))?;
        let generation = header.generation.ok_or_else(|| missing("generation"))?;
        if let Some(twice) = header.recipients.iter().find(|r| r.key == key) {
            return Err(BundleError::at(
                twice.line,
                BundleErrorKind::DuplicateRecipient(key),
            ));
        }
        if let Some(shared) = header
            .recipients
            .iter()
            .find(|r| r.public_point() == point_of(&public_key))
        {
            return Err(BundleError::at(
                shared.line,
                BundleErrorKind::SharedPublicKey(shared.key.clone()),
            ));
        }
        if let Some(ahead) = values.iter().find(|v| v.generation > generation) {
            return Err(BundleError::at(
                ahead.line,
                BundleErrorKind::GenerationAhead {
                    name: ahead.name.clone(),
                    generation: ahead.generation,
                    bundle: generation,
                },
            ));
        }
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
            stage: header.stage,
            context: header.context,
            public_key,
            private_key,
            private_key_line,
            recipients: header.recipients,
            generation,
            values,
        })
    }
}

/// A `value NAME GEN SEALED…` line (`number`, from 1), with one sealing for the bundle's key
/// and one for each of its `others` recipients, checked and added to `values`.
fn read_value(
    number: usize,
    fields: &[&str],
    others: usize,
    values: &mut Vec<BundleValue>,
) -> Result<(), BundleError> {
    let at = |kind| BundleError::at(number, kind);
    let [_, name, generation, sealings @ ..] = fields else {
        return Err(at(fields_error(
            "value",
            "three fields: the name, its generation and the sealed value in base64",
        )));
    };
    if sealings.is_empty() {
        return Err(at(fields_error(
            "value",
            "three fields: the name, its generation and the sealed value in base64",
        )));
    }
    check_value_name(name).map_err(at)?;
    if sealings.len() != 1 + others {
        return Err(at(BundleErrorKind::Sealings {
            name: (*name).to_owned(),
            expected: 1 + others,
            found: sealings.len(),
        }));
    }
    if values.iter().any(|v| v.name == *name) {
        return Err(at(BundleErrorKind::DuplicateName((*name).to_owned())));
    }
    let generation = parse_generation(generation).map_err(at)?;
    let mut decoded = Vec::with_capacity(sealings.len());
    for sealed in sealings {
        let sealed = STANDARD
            .decode(sealed)
            .map_err(|_| at(BundleErrorKind::BadBase64((*name).to_owned())))?;
        check_sealed_len(name, sealed.len()).map_err(at)?;
        decoded.push(sealed);
    }
    let sealed = decoded.remove(0);
    values.push(BundleValue {
        name: (*name).to_owned(),
        generation,
        sealed,
        others: decoded,
        line: number,
    });
    Ok(())
}

/// A `context` or `context-env` line's key and value, each percent-decoded.
fn decode_pair(key: &str, value: &str) -> Result<(String, String), FieldError> {
    Ok((decode_field(key)?, decode_field(value)?))
}

/// A generation: decimal digits only (no sign, no spaces), at most [`MAX_GENERATION`].
pub(crate) fn parse_generation(text: &str) -> Result<u64, BundleErrorKind> {
    let bad = || BundleErrorKind::BadGeneration(text.chars().take(24).collect());
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    text.parse()
        .ok()
        .filter(|g| *g <= MAX_GENERATION)
        .ok_or_else(bad)
}

/// `directive` with the wrong number of fields; it takes `expected`.
fn fields_error(directive: &'static str, expected: &'static str) -> BundleErrorKind {
    BundleErrorKind::Fields {
        directive,
        expected,
    }
}

/// Fills `slot` with `value`, or says that the directive `what` was given twice.
fn set_once<T>(
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

#[cfg(test)]
mod tests;
