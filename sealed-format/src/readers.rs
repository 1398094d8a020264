//! Who can read a file's values: every KMS key that can open them (a standalone bundle's key; a
//! stage's key and its failover and break-glass recipients), each with its account and the
//! public key of the pair KMS made under it, and how code pins them (`readers = ["prod key
//! arn:… FINGERPRINT", …]`), so that a change of readers is a change of code that names it.

use std::fmt::Write as _;

use base64::engine::general_purpose::{STANDARD as STANDARD_B64, URL_SAFE_NO_PAD};
use base64::Engine as _;
use sha2::{Digest as _, Sha256};

use crate::bundle::contents::Bundle;
use crate::key::KeyRef;
use crate::stages::{RecipientRole, StageSet};

/// What a reader is to the value it can open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReaderKind {
    /// The key the function opens the value with: a standalone bundle's key, a stage's key.
    Key,
    /// A stage's failover recipient: the function tries it when the stage's key's region does
    /// not answer.
    Failover,
    /// A stage's break-glass recipient: never tried by the function; an operator opens the
    /// bundle with it.
    BreakGlass,
}

impl ReaderKind {
    /// As messages and the pin's text write it: `key`, `failover`, `break-glass`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReaderKind::Key => "key",
            ReaderKind::Failover => "failover",
            ReaderKind::BreakGlass => "break-glass",
        }
    }
}

impl ReaderKind {
    /// Reads [`ReaderKind::as_str`]'s words back.
    pub fn parse(word: &str) -> Option<ReaderKind> {
        [
            ReaderKind::Key,
            ReaderKind::Failover,
            ReaderKind::BreakGlass,
        ]
        .into_iter()
        .find(|k| k.as_str() == word)
    }
}

impl From<RecipientRole> for ReaderKind {
    fn from(role: RecipientRole) -> Self {
        match role {
            RecipientRole::Failover => ReaderKind::Failover,
            RecipientRole::BreakGlass => ReaderKind::BreakGlass,
        }
    }
}

/// One key that can open a file's values.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Reader {
    /// The stage it reads for; `None` in a standalone bundle.
    pub stage: Option<String>,
    /// What it is to the value.
    pub kind: ReaderKind,
    /// Its KMS key (an ARN for every reader the format accepts; what the file says otherwise).
    pub key: String,
    /// The public key of the pair KMS made under it (DER `SubjectPublicKeyInfo`, base64): whoever
    /// can `Decrypt` the pair's wrapped private key under `key` reads every value sealed to it.
    pub public_key: String,
}

impl Reader {
    /// The account of its key, from its ARN.
    pub fn account(&self) -> Option<&str> {
        KeyRef::parse(&self.key).ok().and_then(|k| k.account())
    }

    /// The fingerprint of its public key ([`public_key_fingerprint`]).
    pub fn fingerprint(&self) -> String {
        match STANDARD_B64.decode(&self.public_key) {
            Ok(der) => public_key_fingerprint(&der),
            Err(_) => "unreadable".to_owned(),
        }
    }

    /// How code pins it, one string of `readers = […]`: `[STAGE ]KIND KEY-ARN FINGERPRINT`,
    /// e.g. `prod failover arn:aws:kms:eu-west-1:444455556666:key/… 8r3FYy…` (the fingerprint is
    /// the public key's SHA-256, so the pin names the key, its account and its key pair).
    pub fn pinned(&self) -> String {
        let stage = self
            .stage
            .as_deref()
            .map(|s| format!("{s} "))
            .unwrap_or_default();
        format!(
            "{stage}{} {} {}",
            self.kind.as_str(),
            self.key,
            self.fingerprint()
        )
    }

    /// Whether `pin` (one string of `readers = […]`) is this reader.
    fn is(&self, pin: &PinnedReader) -> bool {
        self.stage == pin.stage
            && self.kind == pin.kind
            && self.key == pin.key
            && self.fingerprint() == pin.fingerprint
    }
}

/// One reader as code pins it (one string of `readers = […]`), read back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinnedReader {
    /// The stage it reads for; `None` for a standalone bundle's key.
    pub stage: Option<String>,
    /// What it is to the value.
    pub kind: ReaderKind,
    /// Its KMS key ARN.
    pub key: String,
    /// The fingerprint of its public key ([`public_key_fingerprint`]).
    pub fingerprint: String,
}

impl PinnedReader {
    /// Reads `[STAGE ]KIND KEY-ARN FINGERPRINT`; what is wrong otherwise, for an error.
    pub fn parse(text: &str) -> Result<PinnedReader, String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let (stage, rest) = match words.as_slice() {
            [kind, _, _] if ReaderKind::parse(kind).is_some() => (None, &words[..]),
            [stage, rest @ ..] if rest.len() == 3 => (Some((*stage).to_owned()), rest),
            _ => {
                return Err(
                    "a reader is pinned as `[STAGE ]KIND KEY-ARN FINGERPRINT` (KIND: key, failover or break-glass)"
                        .to_owned(),
                )
            }
        };
        let kind = ReaderKind::parse(rest[0]).ok_or_else(|| {
            format!(
                "`{}` is not a kind of reader: `key`, `failover` or `break-glass`",
                rest[0]
            )
        })?;
        let key = rest[1];
        if !KeyRef::parse(key).is_ok_and(|k| k.kind() == crate::key::KeyKind::KeyArn) {
            return Err(format!(
                "`{key}` is not a key ARN (`arn:aws:kms:REGION:ACCOUNT:key/KEY-ID`)"
            ));
        }
        let fingerprint = rest[2];
        let well_formed = fingerprint.len() == 43
            && URL_SAFE_NO_PAD
                .decode(fingerprint)
                .is_ok_and(|d| d.len() == 32);
        if !well_formed {
            return Err(format!(
                "`{fingerprint}` is not a public key's fingerprint (43 base64url characters, as `cargo sealed bundle ls`/`stage ls` print it)"
            ));
        }
        Ok(PinnedReader {
            stage,
            kind,
            key: key.to_owned(),
            fingerprint: fingerprint.to_owned(),
        })
    }
}

impl std::fmt::Display for PinnedReader {
    /// As [`Reader`]'s: `stage prod: failover arn:… (account …, public key …)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        describe(
            f,
            self.stage.as_deref(),
            self.kind,
            &self.key,
            &self.fingerprint,
        )
    }
}

/// A reader as messages name it: `stage prod: failover arn:aws:kms:…:key/… (account
/// 222233334444, public key 3f2a…)`.
fn describe(
    f: &mut std::fmt::Formatter<'_>,
    stage: Option<&str>,
    kind: ReaderKind,
    key: &str,
    fingerprint: &str,
) -> std::fmt::Result {
    if let Some(stage) = stage {
        write!(f, "stage {stage}: ")?;
    }
    let account = KeyRef::parse(key).ok().and_then(|k| k.account());
    write!(
        f,
        "{} {key} (account {}, public key {fingerprint})",
        kind.as_str(),
        account.unwrap_or("unknown"),
    )
}

/// How the readers a file has differ from those code pins.
#[derive(Debug, Default)]
pub struct ReadersChange<'a> {
    /// Readers of the file that code does not pin (and whose key code pins under no other
    /// public key).
    pub added: Vec<&'a Reader>,
    /// Readers code pins that the file no longer has.
    pub gone: Vec<PinnedReader>,
    /// A key code pins with another public key: (as pinned, as the file has it). A rotation
    /// makes one; so does a key pair someone wrapped under the key themselves.
    pub new_key_pair: Vec<(PinnedReader, &'a Reader)>,
}

impl ReadersChange<'_> {
    /// Whether the file's readers are the pinned ones.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.gone.is_empty() && self.new_key_pair.is_empty()
    }

    /// One line per change, each indented by `indent`, for messages.
    pub fn listed(&self, indent: &str) -> String {
        let mut lines = Vec::new();
        for reader in &self.added {
            lines.push(format!("{indent}new reader, not pinned: {reader}"));
        }
        for (pinned, now) in &self.new_key_pair {
            lines.push(format!(
                "{indent}another key pair under a pinned key: {now}; code pins public key {}",
                pinned.fingerprint
            ));
        }
        for pinned in &self.gone {
            lines.push(format!("{indent}pinned, no longer a reader: {pinned}"));
        }
        lines.join("\n")
    }
}

impl std::fmt::Display for Reader {
    /// `stage prod: failover arn:aws:kms:…:key/… (account 222233334444, public key 3f2a…)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        describe(
            f,
            self.stage.as_deref(),
            self.kind,
            &self.key,
            &self.fingerprint(),
        )
    }
}

/// The fingerprint of a public key (a DER `SubjectPublicKeyInfo`) as messages show it: its
/// SHA-256, base64url without padding.
pub fn public_key_fingerprint(der: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(der))
}

/// Every key that can open a file's values, in the order the file writes them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Readers {
    /// The readers.
    pub readers: Vec<Reader>,
}

impl Readers {
    /// A standalone bundle's readers: its key, and each recipient it has (which only a stage set
    /// may pin; they are listed so that a pin never hides one).
    pub fn of_bundle(bundle: &Bundle) -> Self {
        let mut readers = vec![Reader {
            stage: None,
            kind: ReaderKind::Key,
            key: bundle.key.clone(),
            public_key: STANDARD_B64.encode(bundle.public_key()),
        }];
        readers.extend(bundle.recipients.iter().map(|r| Reader {
            stage: None,
            kind: ReaderKind::Failover,
            key: r.key.clone(),
            public_key: STANDARD_B64.encode(r.public_key()),
        }));
        Readers { readers }
    }

    /// A stage set's readers: each stage's key, then its recipients, stage by stage (what the
    /// set pins; `Stage::check_bundle` holds each bundle to it).
    pub fn of_stage_set(set: &StageSet) -> Self {
        let mut readers = Vec::new();
        for stage in &set.stages {
            readers.push(Reader {
                stage: Some(stage.name.clone()),
                kind: ReaderKind::Key,
                key: stage.key.clone(),
                public_key: stage.public_key.clone(),
            });
            readers.extend(stage.recipients.iter().map(|r| Reader {
                stage: Some(stage.name.clone()),
                kind: r.role.into(),
                key: r.key.clone(),
                public_key: r.public_key.clone(),
            }));
        }
        Readers { readers }
    }

    /// How code pins them, ready to paste: `readers = [` and one string per reader
    /// ([`Reader::pinned`]), each on a line of its own indented by `indent` and four spaces.
    pub fn code(&self, indent: &str) -> String {
        let mut code = format!("{indent}readers = [\n");
        for reader in &self.readers {
            let _ = writeln!(code, "{indent}    {:?},", reader.pinned());
        }
        let _ = write!(code, "{indent}]");
        code
    }

    /// One pin per reader ([`Reader::pinned`]), as `readers = […]` and `expect_readers` take
    /// them.
    pub fn pins(&self) -> Vec<String> {
        self.readers.iter().map(Reader::pinned).collect()
    }

    /// How code pins them on one line: `["prod key arn:… FINGERPRINT", …]`.
    pub fn inline(&self) -> String {
        let items: Vec<String> = self.pins().iter().map(|p| format!("{p:?}")).collect();
        format!("[{}]", items.join(", "))
    }

    /// How they differ from `pinned` (what code pins; order does not matter).
    pub fn compared_with(&self, pinned: &[PinnedReader]) -> ReadersChange<'_> {
        let mut change = ReadersChange::default();
        for reader in &self.readers {
            if pinned.iter().any(|p| reader.is(p)) {
                continue;
            }
            let same_key = pinned.iter().find(|p| {
                p.stage == reader.stage
                    && p.kind == reader.kind
                    && p.key == reader.key
                    && !self.readers.iter().any(|r| r.is(p))
            });
            match same_key {
                Some(p) => change.new_key_pair.push((p.clone(), reader)),
                None => change.added.push(reader),
            }
        }
        for p in pinned {
            let had = self.readers.iter().any(|r| r.is(p));
            let rekeyed = change.new_key_pair.iter().any(|(q, _)| q == p);
            if !had && !rekeyed {
                change.gone.push(p.clone());
            }
        }
        change
    }

    /// One line per reader, each indented by `indent`, for messages.
    pub fn listed(&self, indent: &str) -> String {
        self.readers
            .iter()
            .map(|r| format!("{indent}{r}"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The readers in `self` that `old` does not have (same stage, kind, key and public key).
    pub fn added_since<'a>(&'a self, old: &'a Readers) -> impl Iterator<Item = &'a Reader> {
        self.readers.iter().filter(|r| !old.readers.contains(r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SET: &str = "sealed-stages 1\nselector SEALED_STAGE\nstage dev app.dev.bundle key=arn:aws:kms:us-east-1:111111111111:key/4a07638a-fe8c-456e-90be-2fd65de2ae7a id=c945c186ef09e3279cc83a1223e52df9 public-key=MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEsjTxuyzKH6cfnlMED/sTen6vUohf7cOsgTLhEHYc+QWz8c9qBkoYr24j+urSOKiIAzrBg6esUUp1zWDfxWHoWg== account=111111111111\n";
    const OTHER_PUBLIC_KEY: &str = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEOySe7loiV+d2s55ifJePZxsMKYx7s+xnm4SyhXNhXIdLu+Mp3t4smSY35TFE7GUhng27Okwn8FhUQycuhKhh9g==";

    fn pins(readers: &Readers) -> Vec<PinnedReader> {
        readers
            .readers
            .iter()
            .map(|r| PinnedReader::parse(&r.pinned()).unwrap())
            .collect()
    }

    #[test]
    fn a_pin_reads_back_and_any_change_of_a_reader_is_named() {
        let set = StageSet::parse(SET).unwrap();
        let readers = Readers::of_stage_set(&set);
        let pinned = pins(&readers);
        assert_eq!(
            readers.readers[0].pinned(),
            format!(
                "dev key arn:aws:kms:us-east-1:111111111111:key/4a07638a-fe8c-456e-90be-2fd65de2ae7a {}",
                readers.readers[0].fingerprint()
            )
        );
        assert!(readers.compared_with(&pinned).is_empty());
        assert!(readers
            .code("")
            .starts_with("readers = [\n    \"dev key arn:"));

        // one more reader: named, with its account
        let mut more = readers.clone();
        more.readers.push(Reader {
            stage: Some("dev".into()),
            kind: ReaderKind::BreakGlass,
            key: "arn:aws:kms:us-east-1:999999999999:key/4a07638a-fe8c-456e-90be-2fd65de2ae7a"
                .into(),
            public_key: OTHER_PUBLIC_KEY.into(),
        });
        let change = more.compared_with(&pinned);
        assert_eq!(change.added.len(), 1);
        assert_eq!(change.added[0].account(), Some("999999999999"));
        assert!(change.listed("").starts_with("new reader, not pinned: stage dev: break-glass arn:aws:kms:us-east-1:999999999999:"), "{}", change.listed(""));

        // the same key with another key pair: a rotation or a planted pair, named as such
        let mut planted = readers.clone();
        planted.readers[0].public_key = OTHER_PUBLIC_KEY.into();
        let change = planted.compared_with(&pinned);
        assert_eq!(
            (
                change.added.len(),
                change.gone.len(),
                change.new_key_pair.len()
            ),
            (0, 0, 1)
        );

        // another stage or kind: the pinned one gone, the new one added
        for changed in [
            {
                let mut r = readers.clone();
                r.readers[0].stage = Some("prod".into());
                r
            },
            {
                let mut r = readers.clone();
                r.readers[0].kind = ReaderKind::Failover;
                r
            },
        ] {
            let change = changed.compared_with(&pinned);
            assert_eq!((change.added.len(), change.gone.len()), (1, 1));
        }
        // fewer readers: the pinned one gone
        let none = Readers {
            readers: Vec::new(),
        };
        assert_eq!(none.compared_with(&pinned).gone.len(), 1);
    }

    #[test]
    fn malformed_pins_say_what_is_wrong() {
        for (text, says) in [
            ("dev", "[STAGE ]KIND KEY-ARN FINGERPRINT"),
            ("dev owner arn:aws:kms:us-east-1:111111111111:key/4a07638a-fe8c-456e-90be-2fd65de2ae7a AAAA", "not a kind of reader"),
            ("key alias/app _AHzKh-i-Adv2mWviT2leifB0O5hblYSh2Pu3mgFKUA", "not a key ARN"),
            ("key arn:aws:kms:us-east-1:111111111111:key/4a07638a-fe8c-456e-90be-2fd65de2ae7a sha256:abc", "not a public key's fingerprint"),
        ] {
            let error = PinnedReader::parse(text).unwrap_err();
            assert!(error.contains(says), "{text}: {error}");
        }
        let bundle_key = PinnedReader::parse("key arn:aws:kms:us-east-1:111111111111:key/4a07638a-fe8c-456e-90be-2fd65de2ae7a _AHzKh-i-Adv2mWviT2leifB0O5hblYSh2Pu3mgFKUA").unwrap();
        assert_eq!((bundle_key.stage, bundle_key.kind), (None, ReaderKind::Key));
    }
}
