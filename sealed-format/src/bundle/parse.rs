//! Reading a bundle file: its first line, the header directives, then the values, every
//! mistake named with its line.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use crate::bundle::contents::Bundle;
use crate::bundle::error::{BundleError, BundleErrorKind};
use crate::bundle::format::{BUNDLE_HEADER, BUNDLE_ID_LEN, FORMAT_1_HEADER};
use crate::bundle::percent_encoding::decode_field;
use crate::bundle::public_key::{check_public_key, point_of};
use crate::bundle::recipient::Recipient;
use crate::bundle::value::{check_sealed_len, check_stage_name, check_value_name, BundleValue};
use crate::context::{check_context_keys, check_env_name, ContextValue};
use crate::key::KeyRef;

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
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, line)| (i + 1, line.trim()))
            .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'));
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

/// A generation: decimal digits only (no sign, no spaces), below 2^64.
fn parse_generation(text: &str) -> Result<u64, BundleErrorKind> {
    let bad = || BundleErrorKind::BadGeneration(text.chars().take(24).collect());
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    text.parse().map_err(|_| bad())
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
mod tests {
    use super::*;
    use crate::bundle::contents::tests::sample;

    #[test]
    fn render_then_parse_is_the_same_bundle() {
        let bundle = sample();
        let mut parsed = Bundle::parse(&bundle.render()).unwrap();
        assert_eq!(parsed.private_key_line, 9);
        assert_eq!(parsed.values[0].line, 11);
        parsed.private_key_line = 0;
        for value in &mut parsed.values {
            value.line = 0;
        }
        assert_eq!(parsed, bundle);
        assert!(bundle
            .render()
            .contains("context app billing%20team%20%232%20%25\n"));
        assert!(bundle
            .render()
            .contains("\ngeneration 2\nvalue db_password 1 "));
    }

    fn error_of(text: &str) -> String {
        Bundle::parse(text).unwrap_err().to_string()
    }

    #[test]
    fn every_mistake_names_its_line() {
        let good = sample().render();
        let cases: [(&str, &str, &str); 16] = [
            (
                "sealed-bundle 2",
                "sealed-bundle 3",
                "line 2: bundle format `sealed-bundle 3` is newer",
            ),
            (
                "sealed-bundle 2",
                "sealed-bundle 1",
                "line 2: `sealed-bundle 1` is bundle format 1",
            ),
            (
                "sealed-bundle 2",
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
                "public-key MFkw",
                "public-key MFkx",
                "line 8: the public key is not a bundle's: it is not a P-256",
            ),
            (
                "public-key MFkw",
                "public-key !",
                "line 8: `public-key` is not standard base64",
            ),
            (
                "generation 2",
                "generation -2",
                "line 10: generation `-2` is not a decimal number",
            ),
            (
                "generation 2",
                "generation 1",
                "line 12: the value `api.token-2` has generation 2, above the bundle's `generation 1`",
            ),
            (
                "value db_password 1 ",
                "value db_password +1 ",
                "line 11: generation `+1` is not a decimal number",
            ),
            (
                "value db_password 1 ",
                "value db_password 1 !",
                "line 11: the value `db_password` is not standard base64",
            ),
            (
                "value api.token-2 2 ",
                "value db_password 2 ",
                "line 12: the value `db_password` is given twice",
            ),
            (
                "value db_password 1 ",
                "valeu db_password 1 ",
                "line 11: unknown directive `valeu`",
            ),
            (
                "value db_password 1 ",
                "value db_password ",
                "line 11: `value` takes three fields",
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
        for directive in ["key", "public-key", "private-key", "generation"] {
            let without = good
                .lines()
                .filter(|l| !l.starts_with(&format!("{directive} ")))
                .collect::<Vec<_>>()
                .join("\n");
            assert_eq!(error_of(&without), format!("no `{directive}` line"));
        }
        let late = format!("{good}key alias/other\n");
        assert!(error_of(&late).starts_with("line 13: `key` after the values"));
        let twice = good.replacen("generation 2\n", "generation 2\ngeneration 3\n", 1);
        assert!(error_of(&twice).starts_with("line 11: `generation` given twice"));
        let cut = good.replacen("api.token-2 2 AgICAgIC", "api.token-2 2 ", 1);
        assert!(
            error_of(&cut).contains("sealed bytes"),
            "{}",
            error_of(&cut)
        );
    }

    #[test]
    fn a_stage_is_read_and_written_in_the_header() {
        let mut bundle = sample();
        bundle.stage = Some("prod".into());
        let text = bundle.render();
        assert!(
            text.contains("\nkey alias/app\nstage prod\ncontext "),
            "{text}"
        );
        assert_eq!(Bundle::parse(&text).unwrap().stage.as_deref(), Some("prod"));
        for (bad, expected) in [
            ("stage 1prod", "line 5: invalid stage name `1prod`"),
            ("stage prod eu", "line 5: `stage` takes one field"),
            ("stage pr.od", "line 5: invalid stage name `pr.od`"),
        ] {
            let error = error_of(&text.replacen("stage prod", bad, 1));
            assert!(error.starts_with(expected), "{bad}: {error}");
        }
        let twice = text.replacen("stage prod\n", "stage prod\nstage dev\n", 1);
        assert!(error_of(&twice).starts_with("line 6: `stage` given twice"));
    }

    #[test]
    fn generations_are_plain_decimal_numbers() {
        assert_eq!(parse_generation("0"), Ok(0));
        assert_eq!(parse_generation("18446744073709551615"), Ok(u64::MAX));
        for bad in ["", "18446744073709551616", "1e3", " 1", "0x1", "١"] {
            assert!(parse_generation(bad).is_err(), "{bad:?}");
        }
    }

    /// `sample()` with a second recipient, every value sealed to it too.
    fn with_recipient() -> Bundle {
        let mut bundle = sample();
        let mut other = crate::bundle::contents::tests::public_key();
        other[40] = 0x33;
        let recipient = Recipient::new(
            "arn:aws:kms:eu-central-1:777788889999:key/1234abcd-12ab-34cd-56ef-1234567890ab".into(),
            other,
            "AQIDAHhR".into(),
        )
        .unwrap();
        bundle
            .add_recipient(recipient, vec![vec![8; 90], vec![9; 82]])
            .unwrap();
        bundle
    }

    #[test]
    fn recipients_are_read_and_written_and_every_value_has_a_sealing_each() {
        let bundle = with_recipient();
        let text = bundle.render();
        assert!(
            text.contains("\nrecipient arn:aws:kms:eu-central-1:777788889999:key/"),
            "{text}"
        );
        let parsed = Bundle::parse(&text).unwrap();
        assert_eq!(parsed.recipients.len(), 1);
        assert_eq!(parsed.recipients[0].line, 10);
        assert_eq!(parsed.public_points().len(), 2);
        assert_eq!(parsed.public_points()[1][40 - 26], 0x33);
        let value = parsed.value("api.token-2").unwrap();
        assert_eq!(value.sealing(0), Some(&[2; 82][..]));
        assert_eq!(value.sealing(1), Some(&[9; 82][..]));
        assert_eq!(value.sealing(2), None);
        assert_eq!(Bundle::parse(&parsed.render()).unwrap().render(), text);

        // a value with one sealing in a bundle of two recipients names both numbers
        let one = sample().render();
        let one_value = one
            .lines()
            .find(|l| l.starts_with("value db_password"))
            .unwrap();
        let two_value = text
            .lines()
            .find(|l| l.starts_with("value db_password"))
            .unwrap();
        let error = error_of(&text.replacen(two_value, one_value, 1));
        assert!(
            error.starts_with(
                "line 12: the value `db_password` has 1 sealing; the bundle has 2 recipients"
            ),
            "{error}"
        );
        // and the other way round: a second sealing with no `recipient` line
        let error = error_of(&one.replacen(one_value, two_value, 1));
        assert!(
            error.starts_with(
                "line 11: the value `db_password` has 2 sealings; the bundle has 1 recipient "
            ),
            "{error}"
        );
        // a recipient line naming the bundle's own key, or given twice
        let recipient_line = text.lines().find(|l| l.starts_with("recipient ")).unwrap();
        let own = recipient_line.replacen(
            "arn:aws:kms:eu-central-1:777788889999:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "alias/app",
            1,
        );
        let error = error_of(&text.replacen(recipient_line, &own, 1));
        assert!(
            error.starts_with("line 10: the key `alias/app` is a recipient of the bundle already"),
            "{error}"
        );
        let twice = text.replacen(
            recipient_line,
            &format!("{recipient_line}\n{recipient_line}"),
            1,
        );
        assert!(error_of(&twice).starts_with("line 11: the key `arn:aws:kms:eu-central-1"));
        for (bad, expected) in [
            ("recipient alias/", "line 10: invalid key"),
            ("recipient arn:aws:kms:eu-central-1:777788889999:key/1234abcd-12ab-34cd-56ef-1234567890ab MFkx", "line 10: the public key is not a bundle's"),
        ] {
            let line = format!("{bad} {}", recipient_line.split(' ').skip(2).collect::<Vec<_>>().join(" "));
            let line = if bad.ends_with("MFkx") {
                let fields: Vec<&str> = recipient_line.split(' ').collect();
                format!("recipient {} {}{} {}", fields[1], "MFkx", &fields[2][4..], fields[3])
            } else {
                line
            };
            let error = error_of(&text.replacen(recipient_line, &line, 1));
            assert!(error.starts_with(expected), "{bad}: {error}");
        }
        // a recipient with the bundle's own public key: one key pair, not two
        let fields: Vec<&str> = recipient_line.split(' ').collect();
        let own_key = text.lines().find(|l| l.starts_with("public-key ")).unwrap();
        let same = format!(
            "recipient {} {} {}",
            fields[1],
            &own_key["public-key ".len()..],
            fields[3]
        );
        let error = error_of(&text.replacen(recipient_line, &same, 1));
        assert!(error.starts_with("line 10: the recipient `arn:aws:kms:eu-central-1:777788889999:key/1234abcd-12ab-34cd-56ef-1234567890ab` has the public key of another recipient"), "{error}");
        let late = format!("{text}{recipient_line}\n");
        assert!(error_of(&late).starts_with("line 14: `recipient` after the values"));
    }

    #[test]
    fn removing_a_recipient_removes_its_sealings() {
        let mut bundle = with_recipient();
        let key = bundle.recipients[0].key.clone();
        assert_eq!(
            bundle.add_recipient(bundle.recipients[0].clone(), vec![vec![1; 90], vec![1; 90]]),
            Err(BundleErrorKind::DuplicateRecipient(key.clone()))
        );
        assert!(matches!(
            bundle.set("db_password", 3, vec![vec![3; 82]]),
            Err(BundleErrorKind::Sealings {
                expected: 2,
                found: 1,
                ..
            })
        ));
        bundle
            .set("db_password", 3, vec![vec![3; 82], vec![4; 82]])
            .unwrap();
        assert_eq!(
            bundle.value("db_password").unwrap().sealing(1),
            Some(&[4; 82][..])
        );
        assert!(bundle.remove_recipient(&key));
        assert!(!bundle.remove_recipient(&key));
        assert!(bundle.values.iter().all(|v| v.others.is_empty()));
        assert_eq!(Bundle::parse(&bundle.render()).unwrap().recipients, []);
    }
}
