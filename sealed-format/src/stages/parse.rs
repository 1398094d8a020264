//! A stage set read from its text: the header, the selector, each stage's line and its fields,
//! every mistake named with its line (through the line reader bundles share).

use crate::bundle::format::BUNDLE_ID_LEN;
use crate::context::check_env_name;
use crate::lines::directives;
use crate::stages::error::{StageSetError, StageSetErrorKind as K};
use crate::stages::model::{RecipientRole, Stage, StageRecipient, StageSet, STAGES_HEADER};

impl StageSet {
    /// Reads a stage set and checks every line.
    pub fn parse(text: &str) -> Result<StageSet, StageSetError> {
        if text.len() > crate::bundle::format::MAX_FILE_BYTES {
            return Err(K::TooLarge(text.len()).into());
        }
        let mut lines = directives(text);
        match lines.next() {
            Some((_, STAGES_HEADER)) => {}
            Some((line, first)) if first.starts_with("sealed-stages ") => {
                return Err(StageSetError::at(line, K::NewerFormat(first.to_owned())));
            }
            Some((line, _)) => return Err(StageSetError::at(line, K::NotAStageSet)),
            None => return Err(K::NotAStageSet.into()),
        }
        let mut selector = None;
        let mut stages: Vec<Stage> = Vec::new();
        for (number, line) in lines {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let at = |kind: K| StageSetError::at(number, kind);
            match fields[0] {
                "selector" => {
                    let [_, name] = fields[..] else {
                        return Err(at(K::SelectorFields));
                    };
                    check_env_name(name).map_err(|e| at(K::BadSelector(e)))?;
                    if selector.replace(name.to_owned()).is_some() {
                        return Err(at(K::SelectorTwice));
                    }
                }
                "stage" => {
                    let stage = read_stage(number, &fields)?;
                    if stages.iter().any(|s| s.name == stage.name) {
                        return Err(at(K::DuplicateStage(stage.name)));
                    }
                    if stages.iter().any(|s| s.bundle == stage.bundle) {
                        return Err(at(K::DuplicateBundle(stage.bundle)));
                    }
                    stages.push(stage);
                }
                other => {
                    return Err(at(K::UnknownDirective(other.chars().take(40).collect())));
                }
            }
        }
        let selector = selector.ok_or(K::NoSelector)?;
        Ok(StageSet { selector, stages })
    }
}

/// A `stage NAME BUNDLE key=… id=… public-key=… [account=…] [regions=…] [failover=…]…
/// [break-glass=…]…` line.
fn read_stage(number: usize, fields: &[&str]) -> Result<Stage, StageSetError> {
    let at = |kind: K| StageSetError::at(number, kind);
    let [_, name, bundle, rest @ ..] = fields else {
        return Err(at(K::StageFields));
    };
    let (mut key, mut id, mut account, mut regions) = (None, None, None, Vec::new());
    let mut public_key = None;
    let mut recipients = Vec::new();
    for field in rest {
        let Some((what, value)) = field.split_once('=') else {
            return Err(at(K::NotAField((*field).to_owned())));
        };
        let twice = || at(K::FieldTwice(what.to_owned()));
        match what {
            "key" => {
                if key.replace(value.to_owned()).is_some() {
                    return Err(twice());
                }
            }
            "id" => {
                let mut bytes = [0; BUNDLE_ID_LEN];
                hex::decode_to_slice(value, &mut bytes).map_err(|_| at(K::BadId))?;
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
                    return Err(at(K::RecipientFormat(what.to_owned())));
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
            other => return Err(at(K::UnknownField(other.to_owned()))),
        }
    }
    let missing = |field| {
        at(K::MissingField {
            stage: (*name).to_owned(),
            field,
        })
    };
    let stage = Stage {
        name: (*name).to_owned(),
        bundle: (*bundle).to_owned(),
        key: key.ok_or_else(|| missing("key"))?,
        id: id.ok_or_else(|| missing("id"))?,
        public_key: public_key.ok_or_else(|| missing("public-key"))?,
        account,
        regions,
        recipients,
        line: number,
    };
    stage.check().map_err(|e| at(e.kind))?;
    Ok(stage)
}
