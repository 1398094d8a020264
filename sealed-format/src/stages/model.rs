//! The stage set as a value: its stages, each with the key, bundle id and public key it pins and
//! its other recipients (each a reader, with its role and account), and the changes of pins that
//! need no check (a stage taken out, a recipient removed, a stage's pins moved to its rotated
//! bundle; the checked ones are in `check`).

use base64::engine::general_purpose::STANDARD as STANDARD_B64;
use base64::Engine as _;

use crate::bundle::contents::Bundle;
use crate::bundle::format::BUNDLE_ID_LEN;
use crate::key::KeyRef;

/// The first line of every stage set (the format's version is its number).
pub const STAGES_HEADER: &str = "sealed-stages 1";
/// The variable that selects the stage when the set names no other.
pub const DEFAULT_SELECTOR: &str = "SEALED_STAGE";

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

/// The bundle file of `stage` for the set file named `set_file_name`: `app.stages` →
/// `app.prod.bundle`.
pub fn stage_bundle_name(set_file_name: &str, stage: &str) -> String {
    let stem = set_file_name
        .strip_suffix(".stages")
        .unwrap_or(set_file_name);
    format!("{stem}.{stage}.bundle")
}

impl StageRecipient {
    /// The account its key is in (from its ARN).
    pub fn account(&self) -> Option<&str> {
        key_account(&self.key)
    }
}

/// The account of a key ARN.
fn key_account(key: &str) -> Option<&str> {
    KeyRef::parse(key).ok().and_then(|k| k.account())
}

impl Stage {
    /// The recipients the function tries: the failover ones, in the order written.
    pub fn failover(&self) -> impl Iterator<Item = &StageRecipient> {
        self.recipients
            .iter()
            .filter(|r| r.role == RecipientRole::Failover)
    }

    /// The account of its key (from its ARN).
    pub fn key_account(&self) -> Option<&str> {
        key_account(&self.key)
    }

    /// The recipient of key `key` no longer pinned; what it was, if it was one.
    pub fn remove_recipient(&mut self, key: &str) -> Option<StageRecipient> {
        let index = self.recipients.iter().position(|r| r.key == key)?;
        Some(self.recipients.remove(index))
    }

    /// The pins moved to `bundle`, the stage's bundle rotated: its id, its public key and each
    /// recipient's public key (a recipient the bundle lacks keeps its pin, which `check_bundle`
    /// then refuses).
    pub fn pin_rotated(&mut self, bundle: &Bundle) {
        self.id = bundle.id;
        self.public_key = STANDARD_B64.encode(bundle.public_key());
        for recipient in &mut self.recipients {
            if let Some(new) = bundle.recipient(&recipient.key) {
                recipient.public_key = STANDARD_B64.encode(new.public_key());
            }
        }
    }
}

impl StageSet {
    /// The stage called `name`.
    pub fn stage(&self, name: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.name == name)
    }

    /// The stage called `name`, to change its pins.
    pub fn stage_mut(&mut self, name: &str) -> Option<&mut Stage> {
        self.stages.iter_mut().find(|s| s.name == name)
    }

    /// The stages' names, in the order written.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.stages.iter().map(|s| s.name.as_str())
    }

    /// The stage called `name` taken out; what it was, if it was one.
    pub fn remove_stage(&mut self, name: &str) -> Option<Stage> {
        let index = self.stages.iter().position(|s| s.name == name)?;
        Some(self.stages.remove(index))
    }
}
