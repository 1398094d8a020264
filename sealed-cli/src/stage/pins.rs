//! A stage's files, found and checked against the set's pins: the stage of a name, its bundle's
//! path and contents, and (for `rotate`, `add-key`, `rm-key`, `rm`) both files under their
//! locks, committed together, the old bundle put back when the set cannot be written.

use std::path::{Path, PathBuf};

use sealed_format::{Readers, Stage, StageSet};

use crate::readers_guard::ReadersGuard;

use crate::error::CliError;

/// The bundle file of `stage` of the set at `set_path`: beside it.
pub(crate) fn bundle_path(set_path: &Path, stage: &Stage) -> PathBuf {
    set_path.with_file_name(&stage.bundle)
}

/// A stage's set and bundle, both locked (the set first), the bundle checked against the set's
/// pins: what `rotate`, `add-key` and `rm-key` start from.
pub(crate) struct LockedStage {
    pub(crate) set_lock: crate::bundle_file::Locked,
    pub(crate) set: StageSet,
    pub(crate) stage: Stage,
    pub(crate) path: PathBuf,
    pub(crate) bundle_lock: crate::bundle_file::Locked,
    pub(crate) bundle: sealed_format::Bundle,
}

impl LockedStage {
    /// The stage's new `bundle` written, then the set with the pins the caller changed, the
    /// set's lock held throughout; a set that cannot be written puts the old bundle back, so
    /// that bundle and pins always agree.
    pub(crate) fn commit(self, bundle: &sealed_format::Bundle) -> Result<(), CliError> {
        self.bundle_lock.write(bundle)?;
        match self.set_lock.write_stage_set(&self.set) {
            Ok(()) => {
                crate::bundle_ops::show_new_pin(&Readers::of_stage_set(&self.set));
                Ok(())
            }
            Err(error) => Err(put_back(&self.path, &self.bundle, bundle, &error)),
        }
    }
}

/// [`LockedStage`] of the stage `name` of the set `file`; `nothing` says what a failed check
/// left undone ("nothing was rotated").
pub(crate) fn locked_stage(
    file: &Path,
    name: &str,
    nothing: &str,
) -> Result<LockedStage, CliError> {
    let set_lock = crate::bundle_file::lock(file)?;
    let set = set_lock.stage_set()?;
    let stage = stage_of(&set, file, name)?.clone();
    let path = bundle_path(file, &stage);
    let bundle_lock = crate::bundle_file::lock(&path)?;
    let bundle = bundle_lock.bundle()?;
    stage
        .check_bundle(&bundle)
        .map_err(|e| CliError::from(format!("`{}`: {e}; {nothing}", path.display())))?;
    Ok(LockedStage {
        set_lock,
        set,
        stage,
        path,
        bundle_lock,
        bundle,
    })
}

/// The stage `name` of `set`, or an error listing its stages.
pub(crate) fn stage_of<'a>(
    set: &'a StageSet,
    file: &Path,
    name: &str,
) -> Result<&'a Stage, CliError> {
    set.stage(name).ok_or_else(|| {
        let names: Vec<&str> = set.names().collect();
        CliError::from(format!(
            "`{}` has no stage `{name}`; its stages: {}",
            file.display(),
            crate::messages::listing(name, &names)
        ))
    })
}

/// The bundle of `stage`, read and checked against the set.
pub(crate) fn stage_bundle(file: &Path, stage: &Stage) -> Result<sealed_format::Bundle, CliError> {
    let path = bundle_path(file, stage);
    let bundle = crate::bundle_file::read(&path)?;
    stage.check_bundle(&bundle).map_err(|e| {
        format!(
            "`{}` is not stage `{}`'s bundle: {e}",
            path.display(),
            stage.name
        )
    })?;
    Ok(bundle)
}

/// The error of a set that could not be written after its stage's bundle was: the old bundle
/// put back if the file is still the one this command wrote (a `set` that came in between, once
/// the bundle's lock was released, is not overwritten), or both named for restoring.
fn put_back(
    path: &Path,
    old: &sealed_format::Bundle,
    new: &sealed_format::Bundle,
    error: &CliError,
) -> CliError {
    let error = error.render();
    let restored = crate::bundle_file::lock(path).and_then(|locked| {
        if locked.bundle()?.render() != new.render() {
            return Err("it changed since it was written".into());
        }
        locked.write(old)
    });
    match restored {
        Ok(()) => CliError::new(format!(
            "{error}; the old bundle was put back: nothing changed"
        )),
        Err(again) => CliError::new(format!(
            "{error}; and the old bundle could not be put back ({}): `{}` (id {}) no longer matches the set's pins; restore both files from version control",
            again.render(),
            path.display(),
            new.id_hex()
        )),
    }
}

/// The readers of a stage set's text (another version of it), for [`ReadersGuard`].
pub(crate) fn set_readers(text: &str) -> Option<Readers> {
    StageSet::parse(text)
        .ok()
        .map(|s| Readers::of_stage_set(&s))
}

/// Before `stage rotate` or `stage add-key` seals every value of `bundle` again: the set's
/// readers are the code's pins and the default branch's, as `stage set` holds them (a reader a
/// pull request added to the set would otherwise get every value of the stage).
pub(crate) fn guard_set(
    file: &Path,
    set: &StageSet,
    bundle: &sealed_format::Bundle,
    new_readers: bool,
) -> Result<(), CliError> {
    let readers = Readers::of_stage_set(set);
    ReadersGuard {
        file,
        readers: &|_| readers.clone(),
        read: set_readers,
        new_readers,
    }
    .check(bundle)
}
