//! The checks of a stage: each field (its name, bundle file, account, regions, key and pinned
//! public keys, its recipients), a bundle against the stage's pins, and the changes of pins that
//! must pass them (a set made, a stage added, a recipient added).

use base64::engine::general_purpose::STANDARD as STANDARD_B64;
use base64::Engine as _;

use crate::bundle::contents::Bundle;
use crate::bundle::error::BundleError;
use crate::bundle::value::check_stage_name;
use crate::context::check_env_name;
use crate::key::{KeyKind, KeyRef};
use crate::stages::error::{StageSetError, StageSetErrorKind as K};
use crate::stages::model::{Stage, StageRecipient, StageSet};

/// Checks a stage's key: a key ARN (not an alias, not a bare id), in `account` when given.
pub fn check_stage_key(key: &str, account: Option<&str>) -> Result<(), StageSetError> {
    let parsed = KeyRef::parse(key).map_err(|error| K::BadKey {
        key: key.to_owned(),
        error,
    })?;
    if parsed.kind() != KeyKind::KeyArn {
        return Err(K::KeyNotArn(key.to_owned()).into());
    }
    match (account, parsed.account()) {
        (Some(account), Some(of_key)) if account != of_key => Err(K::KeyInOtherAccount {
            key: key.to_owned(),
            of_key: of_key.to_owned(),
            account: account.to_owned(),
        }
        .into()),
        _ => Ok(()),
    }
}

/// Checks a pinned public key (of `key`'s pair): a P-256 public key in standard base64.
fn check_pinned_public_key(public_key: &str, key: &str) -> Result<(), StageSetError> {
    let valid = STANDARD_B64
        .decode(public_key)
        .ok()
        .is_some_and(|der| crate::bundle::public_key::check_public_key(&der).is_ok());
    if valid {
        Ok(())
    } else {
        Err(K::BadPublicKey(key.to_owned()).into())
    }
}

fn check_account(account: &str) -> Result<(), StageSetError> {
    if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(K::BadAccount(account.to_owned()).into())
    }
}

fn check_region(region: &str) -> Result<(), StageSetError> {
    let valid = !region.is_empty()
        && region.len() <= 32
        && region.contains('-')
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if valid {
        Ok(())
    } else {
        Err(K::BadRegion(region.to_owned()).into())
    }
}

fn check_bundle_file(name: &str, stage: &str) -> Result<(), StageSetError> {
    let valid = name.ends_with(".bundle")
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    if valid {
        Ok(())
    } else {
        Err(K::BadBundleFile {
            stage: stage.to_owned(),
            name: name.to_owned(),
        }
        .into())
    }
}

impl Stage {
    /// Checks every field, as the parser does.
    pub fn check(&self) -> Result<(), StageSetError> {
        check_stage_name(&self.name)
            .map_err(|kind| K::BadStageName(BundleError { line: None, kind }))?;
        check_bundle_file(&self.bundle, &self.name)?;
        if let Some(account) = &self.account {
            check_account(account)?;
        }
        for region in &self.regions {
            check_region(region)?;
        }
        check_stage_key(&self.key, self.account.as_deref())?;
        check_pinned_public_key(&self.public_key, &self.key)?;
        if self.recipients.len() > crate::bundle::format::MAX_RECIPIENTS {
            return Err(K::TooManyRecipients {
                stage: self.name.clone(),
            }
            .into());
        }
        for (i, recipient) in self.recipients.iter().enumerate() {
            check_stage_key(&recipient.key, None)?;
            let earlier = &self.recipients[..i];
            if recipient.key == self.key || earlier.iter().any(|r| r.key == recipient.key) {
                return Err(K::DuplicateRecipient {
                    key: recipient.key.clone(),
                    stage: self.name.clone(),
                }
                .into());
            }
            check_pinned_public_key(&recipient.public_key, &recipient.key)?;
            if recipient.public_key == self.public_key
                || earlier.iter().any(|r| r.public_key == recipient.public_key)
            {
                return Err(K::SharedPublicKey {
                    key: recipient.key.clone(),
                    stage: self.name.clone(),
                }
                .into());
            }
        }
        Ok(())
    }

    /// Whether `bundle` is this stage's: its stage, key and id are the ones the set pins.
    pub fn check_bundle(&self, bundle: &Bundle) -> Result<(), StageSetError> {
        let (file, stage) = (self.bundle.clone(), self.name.clone());
        if bundle.stage.as_deref() != Some(self.name.as_str()) {
            return Err(K::NotTheStagesBundle {
                bundle: file,
                stage,
                other: bundle.stage.clone(),
            }
            .into());
        }
        if bundle.key != self.key {
            return Err(K::KeyNotPinned {
                bundle: file,
                found: bundle.key.clone(),
                pinned: self.key.clone(),
                stage,
            }
            .into());
        }
        if bundle.id != self.id {
            return Err(K::IdNotPinned {
                bundle: file,
                found: bundle.id,
                pinned: self.id,
                stage,
            }
            .into());
        }
        if STANDARD_B64.encode(bundle.public_key()) != self.public_key {
            return Err(K::PublicKeyNotPinned {
                bundle: file,
                stage,
            }
            .into());
        }
        self.check_recipients(bundle)
    }

    /// Whether `bundle`'s other recipients are exactly the pinned ones (order free), each with
    /// its pinned public key: a recipient the set does not pin is one that a writer of the file
    /// added, and every later `set` would seal to it.
    fn check_recipients(&self, bundle: &Bundle) -> Result<(), StageSetError> {
        for recipient in &bundle.recipients {
            let Some(pinned) = self.recipients.iter().find(|r| r.key == recipient.key) else {
                return Err(K::UnpinnedRecipient {
                    bundle: self.bundle.clone(),
                    key: recipient.key.clone(),
                    stage: self.name.clone(),
                }
                .into());
            };
            if STANDARD_B64.encode(recipient.public_key()) != pinned.public_key {
                return Err(K::RecipientPublicKeyNotPinned {
                    key: recipient.key.clone(),
                    bundle: self.bundle.clone(),
                    stage: self.name.clone(),
                }
                .into());
            }
        }
        if let Some(missing) = self
            .recipients
            .iter()
            .find(|pinned| bundle.recipient(&pinned.key).is_none())
        {
            return Err(K::MissingRecipient {
                key: missing.key.clone(),
                role: missing.role,
                stage: self.name.clone(),
            }
            .into());
        }
        Ok(())
    }
}

impl Stage {
    /// `recipient` pinned as another recipient of the stage; refused (nothing changed) when it
    /// is the stage's key or a recipient already, or shares a recipient's public key.
    pub fn add_recipient(&mut self, recipient: StageRecipient) -> Result<(), StageSetError> {
        self.recipients.push(recipient);
        if let Err(error) = self.check() {
            self.recipients.pop();
            return Err(error);
        }
        Ok(())
    }
}

impl StageSet {
    /// A set with no stages, selected by `selector`.
    pub fn new(selector: &str) -> Result<StageSet, StageSetError> {
        check_env_name(selector).map_err(K::BadSelector)?;
        Ok(StageSet {
            selector: selector.to_owned(),
            stages: Vec::new(),
        })
    }

    /// `stage` added, checked as the parser checks a line; refused (nothing changed) when its
    /// name or bundle file is another stage's.
    pub fn add_stage(&mut self, stage: Stage) -> Result<(), StageSetError> {
        stage.check()?;
        if self.stage(&stage.name).is_some() {
            return Err(K::DuplicateStage(stage.name).into());
        }
        if self.stages.iter().any(|s| s.bundle == stage.bundle) {
            return Err(K::DuplicateBundle(stage.bundle).into());
        }
        self.stages.push(stage);
        Ok(())
    }
}
