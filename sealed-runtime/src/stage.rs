//! Stage sets at start-up: the stage a value of a stage set is read as, chosen by its set's
//! variable (read once per process), checked against `AWS_REGION`, before any network call.
//! Never a default stage, never a guess: unset, unknown, in the wrong region or left out by
//! `only = […]` is an error, and the value is never another stage's.

use std::sync::{Mutex, PoisonError};

use crate::client::own_region;
use crate::declaration::{Declaration, StagedValue};
use crate::error::{Error, ErrorKind};

/// Each selector variable read so far, with what it held: read on the first access (or
/// `prefetch`) of a value of a set that names it, and never again, so that every value of the
/// process is read as the same stage. A handful of entries: one per selector variable.
static SELECTED: Mutex<Vec<(&'static str, Option<String>)>> = Mutex::new(Vec::new());

fn selected(variable: &'static str) -> Option<String> {
    let mut read = SELECTED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, value)) = read.iter().find(|(name, _)| *name == variable) {
        return value.clone();
    }
    let value = std::env::var(variable).ok();
    read.push((variable, value.clone()));
    value
}

/// What `declared` is read as: itself, or for a value of a stage set, the selected stage's
/// value (the error at the value's `sealed!`).
pub(crate) fn resolve(declared: &'static Declaration) -> Result<&'static Declaration, Error> {
    let Declaration::Staged(location, staged) = declared else {
        return Ok(declared);
    };
    let stage = selected(staged.selector);
    choose(staged, stage.as_deref(), own_region().as_deref()).map_err(|kind| {
        Error::new(kind)
            .at(*location)
            .in_stage_set(staged.set, staged.name)
    })
}

/// The stage's value of `staged` for the selector's value `stage` in `region`.
fn choose(
    staged: &StagedValue,
    stage: Option<&str>,
    region: Option<&str>,
) -> Result<&'static Declaration, ErrorKind> {
    let names = || staged.stages.iter().map(|s| s.name.to_owned()).collect();
    let Some(stage) = stage.filter(|s| !s.is_empty()) else {
        return Err(ErrorKind::StageNotSelected {
            variable: staged.selector.to_owned(),
            stages: names(),
        });
    };
    let Some(choice) = staged.stages.iter().find(|s| s.name == stage) else {
        // the selector is data (any variable a set names): its value is shown only when it is
        // a near miss of a stage's name, a typo, never a value that could be another secret
        let known: Vec<String> = names();
        let listed: Vec<&str> = known.iter().map(String::as_str).collect();
        let value = match sealed_format::did_you_mean(stage, &listed) {
            Some(_) => stage.chars().take(64).collect(),
            None => String::new(),
        };
        return Err(ErrorKind::UnknownStage {
            variable: staged.selector.to_owned(),
            value,
            length: stage.chars().count(),
            stages: known,
        });
    };
    // a stage pinned to regions runs only where a region is known to be one of them: with none
    // known (`AWS_REGION` unset), it fails closed (`region` empty)
    if !choice.regions.is_empty() && !region.is_some_and(|r| choice.regions.contains(&r)) {
        return Err(ErrorKind::StageMismatch {
            stage: stage.to_owned(),
            region: region.unwrap_or_default().to_owned(),
            regions: choice.regions.iter().map(|r| (*r).to_owned()).collect(),
        });
    }
    choice.declared.ok_or_else(|| ErrorKind::StageExcluded {
        stage: stage.to_owned(),
        only: staged
            .stages
            .iter()
            .filter(|s| s.declared.is_some())
            .map(|s| s.name.to_owned())
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::declaration::{location, StageChoice};

    // stand-ins for each stage's value: only which one is chosen (its line) is compared
    static DEV: Declaration = Declaration::Invalid(location("src/main.rs", 1, 1));
    static PROD: Declaration = Declaration::Invalid(location("src/main.rs", 2, 1));
    static STAGED: StagedValue = StagedValue {
        set: "secrets/app.stages",
        selector: "SEALED_STAGE",
        name: "db_password",
        stages: &[
            StageChoice {
                name: "dev",
                regions: &[],
                declared: Some(&DEV),
            },
            StageChoice {
                name: "staging",
                regions: &[],
                declared: None,
            },
            StageChoice {
                name: "prod",
                regions: &["eu-west-1", "eu-central-1"],
                declared: Some(&PROD),
            },
        ],
    };

    #[test]
    fn the_selected_stage_is_chosen_and_nothing_is_guessed() {
        let line =
            |chosen: Result<&Declaration, ErrorKind>| chosen.ok().map(|d| d.location().line());
        assert_eq!(line(choose(&STAGED, Some("dev"), None)), Some(1));
        assert_eq!(
            line(choose(&STAGED, Some("prod"), Some("eu-central-1"))),
            Some(2)
        );
        let stages = vec!["dev".to_owned(), "staging".into(), "prod".into()];
        for unset in [None, Some("")] {
            assert_eq!(
                choose(&STAGED, unset, None).err().unwrap(),
                ErrorKind::StageNotSelected {
                    variable: "SEALED_STAGE".into(),
                    stages: stages.clone()
                }
            );
        }
        assert_eq!(
            choose(&STAGED, Some("prdo"), None).err().unwrap(),
            ErrorKind::UnknownStage {
                variable: "SEALED_STAGE".into(),
                value: "prdo".into(),
                length: 4,
                stages
            }
        );
        assert_eq!(
            choose(&STAGED, Some("prod"), Some("us-east-1"))
                .err()
                .unwrap(),
            ErrorKind::StageMismatch {
                stage: "prod".into(),
                region: "us-east-1".into(),
                regions: vec!["eu-west-1".into(), "eu-central-1".into()]
            }
        );
        // L4 of issue 34: with no region known, a stage pinned to regions fails closed (it was
        // chosen unchecked)
        assert_eq!(
            choose(&STAGED, Some("prod"), None).err().unwrap(),
            ErrorKind::StageMismatch {
                stage: "prod".into(),
                region: String::new(),
                regions: vec!["eu-west-1".into(), "eu-central-1".into()]
            }
        );
        let unknown = Error::new(choose(&STAGED, Some("prod"), None).err().unwrap()).to_string();
        assert!(
            unknown.starts_with("the stage `prod` runs in `eu-west-1`, `eu-central-1`, and no region is known here (`AWS_REGION` is not set)"),
            "{unknown}"
        );
        assert_eq!(
            choose(&STAGED, Some("staging"), None).err().unwrap(),
            ErrorKind::StageExcluded {
                stage: "staging".into(),
                only: vec!["dev".into(), "prod".into()]
            }
        );
    }

    #[test]
    fn each_stage_error_says_what_to_do() {
        let unknown = Error::new(choose(&STAGED, Some("prd"), None).err().unwrap())
            .at(location("src/main.rs", 3, 9))
            .in_stage_set("secrets/app.stages", "db_password");
        let message = unknown.to_string();
        assert!(message.starts_with("`SEALED_STAGE` is `prd`, which is no stage of this binary (it holds `dev`, `staging`, `prod`) for the sealed value at src/main.rs:3:9 (value `db_password` of stage set `secrets/app.stages`)"), "{message}");
        assert!(message.contains("help: did you mean `prod`?"), "{message}");
        // the selector is data: a set may name any variable, so a value that is no near miss of
        // a stage's name is never shown (re-review of issue 34)
        let secret = "postgres://admin:hunter2@db/app";
        let far = Error::new(choose(&STAGED, Some(secret), None).err().unwrap()).to_string();
        assert!(!far.contains("hunter2"), "{far}");
        assert!(
            far.starts_with("`SEALED_STAGE` names no stage of this binary (its value, 31 characters, is not shown: it is not close to a stage's name; the binary holds `dev`, `staging`, `prod`)"),
            "{far}"
        );
        let excluded = Error::new(choose(&STAGED, Some("staging"), None).err().unwrap())
            .in_stage_set("secrets/app.stages", "db_password")
            .to_string();
        assert!(
            excluded.contains("cargo sealed stage set secrets/app.stages staging db_password"),
            "{excluded}"
        );
        let unset = Error::new(choose(&STAGED, None, None).err().unwrap()).to_string();
        for deploy in [
            "SAM `Environment: {Variables: {SEALED_STAGE: prod}}`",
            "CDK `environment: { SEALED_STAGE: 'prod' }`",
            "Serverless `provider: {environment: {SEALED_STAGE: prod}}`",
            "`cargo lambda deploy --env-var SEALED_STAGE=prod`",
        ] {
            assert!(unset.contains(deploy), "{unset}");
        }
        assert_eq!(
            ErrorKind::StageNotSelected {
                variable: String::new(),
                stages: vec![]
            }
            .name(),
            "StageNotSelected"
        );
    }
}
