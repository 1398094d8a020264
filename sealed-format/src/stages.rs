//! Stage sets: one artifact for every stage. A small text file names the environment variable
//! that selects the stage at start-up, and each stage with its bundle (beside the set), the KMS
//! key and bundle id it pins, and optionally the account and regions it runs in:
//!
//! ```text
//! # A sealed stage set: edit it with `cargo sealed stage`, never by hand.
//! sealed-stages 1
//! selector SEALED_STAGE
//! stage dev app.dev.bundle key=arn:aws:kms:us-east-1:111122223333:key/… id=5b0e… public-key=MFkw… account=111122223333
//! stage prod app.prod.bundle key=arn:aws:kms:eu-west-1:444455556666:key/… id=9c3f… public-key=MFkw… regions=eu-west-1,eu-central-1 failover=arn:aws:kms:eu-central-1:444455556666:key/…#MFkw…
//! ```
//!
//! A stage may have other recipients beside its key (`cargo sealed stage add-key`), each pinned
//! with its role and its public key (`ROLE=ARN#PUBLIC-KEY`, the public key as the bundle's
//! `recipient` line writes it): `failover=` is tried by the function when the stage's own
//! key's region is out (`docs/bundle-recipients.md`), `break-glass=` never by the function,
//! only by an operator's `cargo sealed` command.
//!
//! The set is the trust anchor of its stages, as `key = …` is of a bundle value: it pins each
//! stage's key (an ARN: an alias cannot be pinned by IAM), its bundle's id and public key, so
//! that whoever can write a bundle file cannot point it at a key pair they know, nor make a
//! writer seal to one. Review changes to it as code
//! (`CODEOWNERS`); `cargo sealed stage set` never changes it.
//!
//! ```
//! use sealed_format::StageSet;
//!
//! let set = StageSet::parse("sealed-stages 1\nselector STAGE\n\
//!     stage dev app.dev.bundle key=arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab id=5b0e8f7c2d4a4e1b9c3f6a8d7e2b1c0f \
//!     public-key=MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWg== \
//!     account=111122223333\n").unwrap();
//! assert_eq!(set.selector, "STAGE");
//! assert_eq!(set.stage("dev").unwrap().bundle, "app.dev.bundle");
//! assert!(StageSet::parse(&set.render()).is_ok());
//! ```

use core::fmt;

use base64::engine::general_purpose::STANDARD as STANDARD_B64;
use base64::Engine as _;

use crate::bundle::contents::Bundle;
use crate::bundle::format::BUNDLE_ID_LEN;
use crate::bundle::value::check_stage_name;
use crate::context::check_env_name;
use crate::key::{KeyKind, KeyRef};

/// The first line of every stage set (the format's version is its number).
pub const STAGES_HEADER: &str = "sealed-stages 1";
/// The variable that selects the stage when the set names no other.
pub const DEFAULT_SELECTOR: &str = "SEALED_STAGE";

const COMMENT: &str = "# A sealed stage set: edit it with `cargo sealed stage` (init, add, set, rm, matrix), never by hand; review changes as code: it pins each stage's key and bundle.";

/// A stage set, parsed and checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageSet {
    /// The environment variable whose value names the stage at start-up.
    pub selector: String,
    /// The stages, in the order written.
    pub stages: Vec<Stage>,
}

/// One stage of a set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    /// Its name.
    pub name: String,
    /// Its bundle's file name, beside the set (`<set>.<stage>.bundle`).
    pub bundle: String,
    /// The KMS key its bundle's private key is wrapped under: a key ARN.
    pub key: String,
    /// Its bundle's id.
    pub id: [u8; BUNDLE_ID_LEN],
    /// Its bundle's public key (a DER P-256 `SubjectPublicKeyInfo`, base64 as the bundle writes
    /// it): what every writer seals to.
    pub public_key: String,
    /// The account it runs in, when the set names one: its key must be this account's.
    pub account: Option<String>,
    /// The regions it runs in, when the set names them: `AWS_REGION` must be one at start-up.
    pub regions: Vec<String>,
    /// Its bundle's other recipients, each pinned with its role and public key.
    pub recipients: Vec<StageRecipient>,
    /// Its line (from 1); 0 for a stage added in memory.
    pub line: usize,
}

/// What a recipient of a stage's bundle is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecipientRole {
    /// Tried by the function, after the stage's key, when that key's region does not answer.
    Failover,
    /// Never tried by the function (its role needs no standing grant on it); an operator opens
    /// the bundle with it (`cargo sealed stage add-key --from-profile`) when the stage's key is
    /// gone.
    BreakGlass,
}

impl RecipientRole {
    /// As the set writes it: `failover`, `break-glass`.
    pub fn as_str(self) -> &'static str {
        match self {
            RecipientRole::Failover => "failover",
            RecipientRole::BreakGlass => "break-glass",
        }
    }
}

/// One other recipient of a stage's bundle, as the set pins it: `failover=ARN#PUBLIC-KEY`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageRecipient {
    /// What it is for.
    pub role: RecipientRole,
    /// Its KMS key: a key ARN, of any account (the second account is the point).
    pub key: String,
    /// The public key of the pair KMS made under it for the bundle: a DER P-256
    /// `SubjectPublicKeyInfo`, base64 as the bundle writes it.
    pub public_key: String,
}

/// What is wrong with a stage set (or with a bundle against its stage).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageSetError {
    /// The line (from 1), if the problem is on one.
    pub line: Option<usize>,
    /// What is wrong, in words.
    pub message: String,
}

impl fmt::Display for StageSetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for StageSetError {}

impl StageSetError {
    fn at(line: usize, message: impl Into<String>) -> Self {
        StageSetError {
            line: Some(line),
            message: message.into(),
        }
    }

    /// The next step.
    pub fn help(&self) -> String {
        "a stage set is written by `cargo sealed stage`: restore the file from version control, or add the stage again with `cargo sealed stage new FILE STAGE --key ARN`".to_owned()
    }
}

/// The bundle file of `stage` for the set file named `set_file_name`: `app.stages` →
/// `app.prod.bundle`.
pub fn stage_bundle_name(set_file_name: &str, stage: &str) -> String {
    let stem = set_file_name
        .strip_suffix(".stages")
        .unwrap_or(set_file_name);
    format!("{stem}.{stage}.bundle")
}

/// Checks a stage's key: a key ARN (not an alias, not a bare id), in `account` when given.
pub fn check_stage_key(key: &str, account: Option<&str>) -> Result<(), String> {
    let parsed = KeyRef::parse(key).map_err(|e| format!("invalid key `{key}`: {e}"))?;
    if parsed.kind() != KeyKind::KeyArn {
        return Err(format!(
            "the key of a stage is a key ARN (`arn:aws:kms:REGION:ACCOUNT:key/KEY-ID`), not `{key}`: an alias cannot be pinned by IAM and names another key in each region (`aws kms describe-key --key-id {key}` shows its ARN)"
        ));
    }
    match (account, parsed.account()) {
        (Some(account), Some(of_key)) if account != of_key => Err(format!(
            "the key `{key}` is in account {of_key}, not the stage's account {account}"
        )),
        _ => Ok(()),
    }
}

/// Checks a pinned public key (of `key`'s pair): a P-256 public key in standard base64.
fn check_pinned_public_key(public_key: &str, key: &str) -> Result<(), String> {
    use base64::Engine as _;
    let valid = base64::engine::general_purpose::STANDARD
        .decode(public_key)
        .ok()
        .is_some_and(|der| crate::bundle::public_key::check_public_key(&der).is_ok());
    if valid {
        Ok(())
    } else {
        Err(format!(
            "the public key pinned for `{key}` is not a P-256 public key in base64"
        ))
    }
}

fn check_account(account: &str) -> Result<(), String> {
    if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!("account `{account}` is not 12 digits"))
    }
}

fn check_region(region: &str) -> Result<(), String> {
    let valid = !region.is_empty()
        && region.len() <= 32
        && region.contains('-')
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "region `{region}` is not a region name (`eu-west-1`)"
        ))
    }
}

fn check_bundle_file(name: &str, stage: &str) -> Result<(), String> {
    let valid = name.ends_with(".bundle")
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    if valid {
        Ok(())
    } else {
        Err(format!(
            "the bundle of stage `{stage}` is `{name}`; it must be a file name beside the set ending in `.bundle` (`app.{stage}.bundle`)"
        ))
    }
}

impl Stage {
    /// Checks every field, as the parser does.
    pub fn check(&self) -> Result<(), String> {
        check_stage_name(&self.name).map_err(|e| {
            crate::bundle::error::BundleError {
                line: None,
                kind: e,
            }
            .to_string()
        })?;
        check_bundle_file(&self.bundle, &self.name)?;
        if let Some(account) = &self.account {
            check_account(account)?;
        }
        for region in &self.regions {
            check_region(region)?;
        }
        check_stage_key(&self.key, self.account.as_deref())?;
        check_pinned_public_key(&self.public_key, &self.key)?;
        for (i, recipient) in self.recipients.iter().enumerate() {
            check_stage_key(&recipient.key, None)?;
            if recipient.key == self.key
                || self.recipients[..i].iter().any(|r| r.key == recipient.key)
            {
                return Err(format!(
                    "the key `{}` is a recipient of stage `{}` already",
                    recipient.key, self.name
                ));
            }
            check_pinned_public_key(&recipient.public_key, &recipient.key)?;
            if recipient.public_key == self.public_key
                || self.recipients[..i]
                    .iter()
                    .any(|r| r.public_key == recipient.public_key)
            {
                return Err(format!("the public key pinned for `{}` is another recipient's of stage `{}`: each recipient has a key pair of its own", recipient.key, self.name));
            }
        }
        Ok(())
    }

    /// The recipients the function tries: the failover ones, in the order written.
    pub fn failover(&self) -> impl Iterator<Item = &StageRecipient> {
        self.recipients
            .iter()
            .filter(|r| r.role == RecipientRole::Failover)
    }

    /// Whether `bundle` is this stage's: its stage, key and id are the ones the set pins.
    pub fn check_bundle(&self, bundle: &Bundle) -> Result<(), String> {
        if bundle.stage.as_deref() != Some(self.name.as_str()) {
            return Err(match &bundle.stage {
                Some(other) => format!(
                    "`{}` is the bundle of stage `{other}`, not of `{}`: it was copied from another stage",
                    self.bundle, self.name
                ),
                None => format!(
                    "`{}` is not the bundle of a stage (it has no `stage` line): create it with `cargo sealed stage new`",
                    self.bundle
                ),
            });
        }
        if bundle.key != self.key {
            return Err(format!(
                "the key of `{}` is `{}`, not `{}`, the key the stage set pins for `{}`: restore the bundle from version control",
                self.bundle, bundle.key, self.key, self.name
            ));
        }
        if bundle.id != self.id {
            return Err(format!(
                "the id of `{}` is `{}`, not `{}`, the id the stage set pins for `{}`: restore the bundle from version control (a rotation changes both, with `cargo sealed stage rotate`)",
                self.bundle,
                bundle.id_hex(),
                hex::encode(self.id),
                self.name
            ));
        }
        if STANDARD_B64.encode(bundle.public_key()) != self.public_key {
            return Err(format!(
                "the public key of `{}` is not the one the stage set pins for `{}`: someone swapped it to read what is sealed to it; restore the bundle from version control",
                self.bundle, self.name
            ));
        }
        self.check_recipients(bundle)
    }

    /// Whether `bundle`'s other recipients are exactly the pinned ones (order free), each with
    /// its pinned public key: a recipient the set does not pin is one that a writer of the file
    /// added, and every later `set` would seal to it.
    fn check_recipients(&self, bundle: &Bundle) -> Result<(), String> {
        for recipient in &bundle.recipients {
            let Some(pinned) = self.recipients.iter().find(|r| r.key == recipient.key) else {
                return Err(format!(
                    "`{}` has a recipient `{}` that the stage set does not pin for `{}`: whoever wrote it could read every value sealed after; remove it (`cargo sealed stage rm-key`) or restore the bundle from version control",
                    self.bundle, recipient.key, self.name
                ));
            };
            if base64::engine::general_purpose::STANDARD.encode(recipient.public_key())
                != pinned.public_key
            {
                return Err(format!(
                    "the public key of recipient `{}` in `{}` is not the one the stage set pins for `{}`: someone swapped it to read what is sealed to it; restore the bundle from version control",
                    recipient.key, self.bundle, self.name
                ));
            }
        }
        if let Some(missing) = self
            .recipients
            .iter()
            .find(|pinned| bundle.recipient(&pinned.key).is_none())
        {
            return Err(format!(
                "the stage set pins `{}` as a {} recipient of `{}`, but the bundle has no such recipient: restore the bundle from version control, or add it with `cargo sealed stage add-key`",
                missing.key,
                missing.role.as_str(),
                self.name
            ));
        }
        Ok(())
    }
}

impl StageSet {
    /// A set with no stages, selected by `selector`.
    pub fn new(selector: &str) -> Result<StageSet, String> {
        check_env_name(selector).map_err(|e| e.to_string())?;
        Ok(StageSet {
            selector: selector.to_owned(),
            stages: Vec::new(),
        })
    }

    /// The stage called `name`.
    pub fn stage(&self, name: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.name == name)
    }

    /// The stages' names, in the order written.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.stages.iter().map(|s| s.name.as_str())
    }

    /// Reads a stage set and checks every line.
    pub fn parse(text: &str) -> Result<StageSet, StageSetError> {
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, line)| (i + 1, line.trim()))
            .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'));
        match lines.next() {
            Some((_, STAGES_HEADER)) => {}
            Some((line, first)) if first.starts_with("sealed-stages ") => {
                return Err(StageSetError::at(
                    line,
                    format!("stage set format `{first}` is newer than this version of sealed reads (`{STAGES_HEADER}`)"),
                ))
            }
            Some((line, _)) => {
                return Err(StageSetError::at(
                    line,
                    format!("not a stage set: the first line must be `{STAGES_HEADER}`"),
                ))
            }
            None => {
                return Err(StageSetError {
                    line: None,
                    message: format!("not a stage set: the first line must be `{STAGES_HEADER}`"),
                })
            }
        }
        let mut selector = None;
        let mut stages: Vec<Stage> = Vec::new();
        for (number, line) in lines {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let at = |message: String| StageSetError::at(number, message);
            match fields[0] {
                "selector" => {
                    let [_, name] = fields[..] else {
                        return Err(at("`selector` takes one field: the environment variable that names the stage".into()));
                    };
                    check_env_name(name).map_err(|e| at(e.to_string()))?;
                    if selector.replace(name.to_owned()).is_some() {
                        return Err(at("`selector` given twice".into()));
                    }
                }
                "stage" => {
                    let stage = read_stage(number, &fields)?;
                    if stages.iter().any(|s| s.name == stage.name) {
                        return Err(at(format!("the stage `{}` is given twice", stage.name)));
                    }
                    if stages.iter().any(|s| s.bundle == stage.bundle) {
                        return Err(at(format!(
                            "the bundle `{}` is given to two stages",
                            stage.bundle
                        )));
                    }
                    stages.push(stage);
                }
                other => {
                    return Err(at(format!(
                        "unknown directive `{}`; expected `selector` or `stage`",
                        other.chars().take(40).collect::<String>()
                    )))
                }
            }
        }
        let selector = selector.ok_or_else(|| StageSetError {
            line: None,
            message: "no `selector` line".into(),
        })?;
        Ok(StageSet { selector, stages })
    }

    /// The file's text.
    pub fn render(&self) -> String {
        use core::fmt::Write as _;
        let mut out = String::new();
        // writing to a `String` cannot fail
        let _ = writeln!(
            out,
            "{COMMENT}\n{STAGES_HEADER}\nselector {}",
            self.selector
        );
        for stage in &self.stages {
            let _ = write!(
                out,
                "stage {} {} key={} id={} public-key={}",
                stage.name,
                stage.bundle,
                stage.key,
                hex::encode(stage.id),
                stage.public_key
            );
            if let Some(account) = &stage.account {
                let _ = write!(out, " account={account}");
            }
            if !stage.regions.is_empty() {
                let _ = write!(out, " regions={}", stage.regions.join(","));
            }
            for recipient in &stage.recipients {
                let _ = write!(
                    out,
                    " {}={}#{}",
                    recipient.role.as_str(),
                    recipient.key,
                    recipient.public_key
                );
            }
            out.push('\n');
        }
        out
    }
}

/// A `stage NAME BUNDLE key=… id=… public-key=… [account=…] [regions=…] [failover=…]…
/// [break-glass=…]…` line.
fn read_stage(number: usize, fields: &[&str]) -> Result<Stage, StageSetError> {
    let at = |message: String| StageSetError::at(number, message);
    let [_, name, bundle, rest @ ..] = fields else {
        return Err(at("`stage` takes the stage's name, its bundle file, then `key=ARN id=HEX public-key=BASE64` and optionally `account=ID`, `regions=R1,R2` and recipients (`failover=ARN#BASE64`, `break-glass=ARN#BASE64`)".into()));
    };
    let (mut key, mut id, mut account, mut regions) = (None, None, None, Vec::new());
    let mut public_key = None;
    let mut recipients = Vec::new();
    for field in rest {
        let Some((what, value)) = field.split_once('=') else {
            return Err(at(format!(
                "`{field}` is not `key=…`, `id=…`, `public-key=…`, `account=…`, `regions=…`, `failover=…` or `break-glass=…`"
            )));
        };
        let twice = || at(format!("`{what}=` given twice"));
        match what {
            "key" => {
                if key.replace(value.to_owned()).is_some() {
                    return Err(twice());
                }
            }
            "id" => {
                let mut bytes = [0; BUNDLE_ID_LEN];
                hex::decode_to_slice(value, &mut bytes)
                    .map_err(|_| at(format!("`id=` must be {} hex digits", BUNDLE_ID_LEN * 2)))?;
                if id.replace(bytes).is_some() {
                    return Err(twice());
                }
            }
            "public-key" => {
                if public_key.replace(value.to_owned()).is_some() {
                    return Err(twice());
                }
            }
            "account" => {
                if account.replace(value.to_owned()).is_some() {
                    return Err(twice());
                }
            }
            "regions" => {
                if !regions.is_empty() {
                    return Err(twice());
                }
                regions = value.split(',').map(str::to_owned).collect();
            }
            "failover" | "break-glass" => {
                let Some((key, public_key)) = value.split_once('#') else {
                    return Err(at(format!(
                        "`{what}=` takes `ARN#PUBLIC-KEY`: the recipient's key and the public key of its pair"
                    )));
                };
                recipients.push(StageRecipient {
                    role: if what == "failover" {
                        RecipientRole::Failover
                    } else {
                        RecipientRole::BreakGlass
                    },
                    key: key.to_owned(),
                    public_key: public_key.to_owned(),
                });
            }
            other => {
                return Err(at(format!(
                    "unknown field `{other}=`; expected `key=`, `id=`, `public-key=`, `account=`, `regions=`, `failover=` or `break-glass=`"
                )))
            }
        }
    }
    let stage = Stage {
        name: (*name).to_owned(),
        bundle: (*bundle).to_owned(),
        key: key.ok_or_else(|| at(format!("the stage `{name}` has no `key=`")))?,
        id: id.ok_or_else(|| at(format!("the stage `{name}` has no `id=`")))?,
        public_key: public_key
            .ok_or_else(|| at(format!("the stage `{name}` has no `public-key=`")))?,
        account,
        regions,
        recipients,
        line: number,
    };
    stage.check().map_err(at)?;
    Ok(stage)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    /// A public key as the set pins it.
    fn pinned(spki: &[u8]) -> String {
        STANDARD_B64.encode(spki)
    }

    fn sample() -> StageSet {
        let mut set = StageSet::new("SEALED_STAGE").unwrap();
        set.stages.push(Stage {
            name: "dev".into(),
            bundle: "app.dev.bundle".into(),
            key: KEY.into(),
            id: [1; 16],
            public_key: pinned(&crate::bundle::contents::tests::public_key()),
            account: Some("111122223333".into()),
            regions: vec![],
            recipients: vec![],
            line: 0,
        });
        set.stages.push(Stage {
            name: "prod".into(),
            bundle: "app.prod.bundle".into(),
            key: KEY.replace("111122223333", "444455556666"),
            id: [2; 16],
            public_key: pinned(&crate::bundle::contents::tests::public_key()),
            account: None,
            regions: vec!["us-east-1".into(), "eu-west-1".into()],
            recipients: vec![],
            line: 0,
        });
        set
    }

    #[test]
    fn render_then_parse_is_the_same_set() {
        let set = sample();
        let mut parsed = StageSet::parse(&set.render()).unwrap();
        assert_eq!(parsed.stages[1].line, 5);
        for stage in &mut parsed.stages {
            stage.line = 0;
        }
        assert_eq!(parsed, set);
        assert_eq!(stage_bundle_name("app.stages", "prod"), "app.prod.bundle");
        assert_eq!(stage_bundle_name("app", "prod"), "app.prod.bundle");
    }

    #[test]
    fn every_mistake_names_its_line() {
        let good = sample().render();
        let cases = [
            ("sealed-stages 1", "sealed-stages 2", "line 2: stage set format `sealed-stages 2` is newer"),
            ("selector SEALED_STAGE", "selector A=B", "line 3: "),
            ("selector SEALED_STAGE", "selector AWS_SECRET_ACCESS_KEY", "line 3: "),
            ("stage dev", "stage 9dev", "line 4: invalid stage name `9dev`"),
            ("app.dev.bundle", "../app.dev.bundle", "line 4: the bundle of stage `dev` is `../app.dev.bundle`"),
            ("app.dev.bundle", "app.prod.bundle", "line 5: the bundle `app.prod.bundle` is given to two stages"),
            ("stage prod", "stage dev", "line 5: the stage `dev` is given twice"),
            ("key=arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab id", "key=alias/app id", "line 4: the key of a stage is a key ARN"),
            ("account=111122223333", "account=444455556666", "line 4: the key `arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab` is in account 111122223333, not the stage's account 444455556666"),
            ("account=111122223333", "account=1111", "line 4: account `1111` is not 12 digits"),
            ("regions=us-east-1", "regions=US", "line 5: region `US` is not a region name"),
            (" id=0101", " idx=0101", "line 4: unknown field `idx=`"),
            (" id=0101", " id=01", "line 4: `id=` must be 32 hex digits"),
            (" public-key=MFkw", " public-key=MFkx", "line 4: the public key pinned for `arn:aws:kms:us-east-1:111122223333"),
            (" public-key=MFkw", " publickey=MFkw", "line 4: unknown field `publickey=`"),
            ("selector SEALED_STAGE", "selectr SEALED_STAGE", "line 3: unknown directive `selectr`"),
        ];
        for (from, to, expected) in cases {
            let text = good.replacen(from, to, 1);
            assert_ne!(text, good, "{from}");
            let error = StageSet::parse(&text).unwrap_err().to_string();
            assert!(error.starts_with(expected), "{to}: {error}");
        }
        let no_selector = good.replacen("selector SEALED_STAGE\n", "", 1);
        assert_eq!(
            StageSet::parse(&no_selector).unwrap_err().to_string(),
            "no `selector` line"
        );
        assert!(StageSet::parse("sealed-bundle 2\n")
            .unwrap_err()
            .to_string()
            .starts_with("line 1: not a stage set"));
    }

    #[test]
    fn a_bundle_is_its_stage_only_with_the_pinned_stage_key_and_id() {
        let set = sample();
        let dev = set.stage("dev").unwrap();
        let mut bundle = crate::bundle::contents::tests::sample();
        bundle.key = KEY.into();
        bundle.id = [1; 16];
        assert!(dev
            .check_bundle(&bundle)
            .unwrap_err()
            .contains("has no `stage` line"));
        bundle.stage = Some("prod".into());
        assert!(dev
            .check_bundle(&bundle)
            .unwrap_err()
            .contains("is the bundle of stage `prod`, not of `dev`"));
        bundle.stage = Some("dev".into());
        assert_eq!(dev.check_bundle(&bundle), Ok(()));
        bundle.id = [3; 16];
        assert!(dev
            .check_bundle(&bundle)
            .unwrap_err()
            .contains("the id the stage set pins"));
        bundle.id = [1; 16];
        bundle.key = KEY.replace("key/1234", "key/9234");
        assert!(dev
            .check_bundle(&bundle)
            .unwrap_err()
            .contains("the key the stage set pins"));
        // a public key swapped for one a writer knows the private key of: every writer would
        // seal to it
        bundle.key = KEY.into();
        let mut other = crate::bundle::contents::tests::public_key();
        other[50] = 0x44;
        bundle.public_key = other;
        assert!(dev.check_bundle(&bundle).unwrap_err().contains(
            "the public key of `app.dev.bundle` is not the one the stage set pins for `dev`"
        ));
    }

    #[test]
    fn a_stages_recipients_are_pinned_with_their_role_and_public_key() {
        use base64::Engine as _;
        const OTHER: &str =
            "arn:aws:kms:eu-central-1:777788889999:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        let mut set = sample();
        let mut point = crate::bundle::contents::tests::public_key();
        point[40] = 0x33;
        let public_key = base64::engine::general_purpose::STANDARD.encode(&point);
        set.stages[0].recipients.push(StageRecipient {
            role: RecipientRole::Failover,
            key: OTHER.into(),
            public_key: public_key.clone(),
        });
        let text = set.render();
        assert!(
            text.contains(&format!(" failover={OTHER}#{public_key}\n")),
            "{text}"
        );
        let parsed = StageSet::parse(&text).unwrap();
        assert_eq!(parsed.stages[0].recipients, set.stages[0].recipients);
        assert_eq!(parsed.stages[0].failover().count(), 1);
        let glass = text.replacen(" failover=", " break-glass=", 1);
        let parsed = StageSet::parse(&glass).unwrap();
        assert_eq!(
            parsed.stages[0].recipients[0].role,
            RecipientRole::BreakGlass
        );
        assert_eq!(parsed.stages[0].failover().count(), 0);
        for (from, to, expected) in [
            (format!("failover={OTHER}#"), format!("failover={OTHER}"), "line 4: `failover=` takes `ARN#PUBLIC-KEY`"),
            (format!("failover={OTHER}"), "failover=alias/dr".to_owned(), "line 4: the key of a stage is a key ARN"),
            (format!("failover={OTHER}"), format!("failover={KEY}"), "line 4: the key `arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab` is a recipient of stage `dev` already"),
            (format!("#{public_key}"), "#MFkw".to_owned(), "line 4: the public key pinned for"),
            (format!("#{public_key}"), format!("#{}", pinned(&crate::bundle::contents::tests::public_key())), "line 4: the public key pinned for `arn:aws:kms:eu-central-1:777788889999:key/1234abcd-12ab-34cd-56ef-1234567890ab` is another recipient's of stage `dev`"),
        ] {
            let error = StageSet::parse(&text.replacen(&from, &to, 1)).unwrap_err().to_string();
            assert!(error.starts_with(expected), "{to}: {error}");
        }

        // the bundle must have exactly the pinned recipients, each with its pinned public key
        let dev = &set.stages[0];
        let mut bundle = crate::bundle::contents::tests::sample();
        bundle.key = KEY.into();
        bundle.id = [1; 16];
        bundle.stage = Some("dev".into());
        assert!(dev.check_bundle(&bundle).unwrap_err().contains("pins `arn:aws:kms:eu-central-1:777788889999:key/1234abcd-12ab-34cd-56ef-1234567890ab` as a failover recipient of `dev`, but the bundle has no such recipient"));
        let recipient = crate::Recipient::new(OTHER.into(), point.clone(), "AQ".into()).unwrap();
        bundle
            .add_recipient(recipient, vec![vec![1; 90], vec![1; 90]])
            .unwrap();
        assert_eq!(dev.check_bundle(&bundle), Ok(()));
        let mut swapped = bundle.clone();
        swapped.recipients[0] = crate::Recipient::new(
            OTHER.into(),
            crate::bundle::contents::tests::public_key(),
            "AQ".into(),
        )
        .unwrap();
        assert!(dev
            .check_bundle(&swapped)
            .unwrap_err()
            .contains("is not the one the stage set pins for `dev`: someone swapped it"));
        let unpinned = &set.stages[1];
        let mut extra = bundle;
        extra.stage = Some("prod".into());
        extra.id = [2; 16];
        extra.key = unpinned.key.clone();
        assert!(unpinned.check_bundle(&extra).unwrap_err().contains("has a recipient `arn:aws:kms:eu-central-1:777788889999:key/1234abcd-12ab-34cd-56ef-1234567890ab` that the stage set does not pin for `prod`"));
    }
}
