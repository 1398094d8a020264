//! Bundle and stage set files on disk: read and parsed; edited under an exclusive lock, written whole or not
//! at all through a temporary file of a unique name, with the file's mode kept, fsynced, and
//! never through a symbolic link.

use std::fs::{File, OpenOptions, Permissions};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use sealed_format::{Bundle, StageSet};

use crate::error::CliError;

/// Reads and parses a bundle file.
pub fn read(path: &Path) -> Result<Bundle, CliError> {
    refuse_symlink(path)?;
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::new(format!("cannot read `{}`", path.display())).because(e))?;
    parse(path, &text)
}

fn parse(path: &Path, text: &str) -> Result<Bundle, CliError> {
    Bundle::parse(text)
        .map_err(|e| CliError::new(format!("`{}`: {e}", path.display())).help(e.help()))
}

/// A bundle path that is a symbolic link is refused: an edit would write where the link points
/// (or replace the link), and neither is what `cargo sealed bundle` was asked.
fn refuse_symlink(path: &Path) -> Result<(), CliError> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            let target = std::fs::read_link(path)
                .map_or_else(|_| "?".to_owned(), |t| t.display().to_string());
            Err(format!(
                "`{}` is a symbolic link (to `{target}`); edit the file it points to by its own path",
                path.display()
            ).into())
        }
        _ => Ok(()),
    }
}

/// A bundle file held for a read-modify-write: an exclusive advisory lock on the file itself,
/// held until the edit is written or dropped. Every `cargo sealed bundle` edit takes it, so two
/// at once run one after the other and neither loses the other's change.
pub struct Locked {
    path: PathBuf,
    file: File,
    text: String,
}

/// Locks the bundle file at `path` and reads it.
pub fn lock(path: &Path) -> Result<Locked, CliError> {
    refuse_symlink(path)?;
    let cannot = |e: std::io::Error| format!("cannot open `{}`: {e}", path.display());
    loop {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(cannot)?;
        file.lock()
            .map_err(|e| CliError::new(format!("cannot lock `{}`", path.display())).because(e))?;
        // an edit that held the lock before this one replaced the file: lock the new one
        if same_file(&file, path) {
            let mut text = String::new();
            file.read_to_string(&mut text).map_err(|e| {
                CliError::new(format!("cannot read `{}`", path.display())).because(e)
            })?;
            return Ok(Locked {
                path: path.to_owned(),
                file,
                text,
            });
        }
    }
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(held), Ok(now)) => held.dev() == now.dev() && held.ino() == now.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, _: &Path) -> bool {
    true
}

impl Locked {
    /// The bundle as the locked file holds it.
    pub fn bundle(&self) -> Result<Bundle, CliError> {
        parse(&self.path, &self.text)
    }

    /// Writes `bundle` over the locked file (with its mode), then lets the lock go.
    pub fn write(self, bundle: &Bundle) -> Result<(), CliError> {
        self.write_text(&bundle.render())
    }

    /// The stage set as the locked file holds it.
    pub fn stage_set(&self) -> Result<StageSet, CliError> {
        parse_stage_set(&self.path, &self.text)
    }

    /// Writes `set` over the locked file (with its mode), then lets the lock go.
    pub fn write_stage_set(self, set: &StageSet) -> Result<(), CliError> {
        self.write_text(&set.render())
    }

    fn write_text(self, text: &str) -> Result<(), CliError> {
        let mode = self
            .file
            .metadata()
            .map_err(|e| {
                CliError::new(format!("cannot read `{}`", self.path.display())).because(e)
            })?
            .permissions();
        replace(&self.path, text, Some(mode), true)
        // `self.file`, and its lock, are dropped only now: after the rename
    }
}

/// Reads and parses a stage set file.
pub fn read_stage_set(path: &Path) -> Result<StageSet, CliError> {
    refuse_symlink(path)?;
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::new(format!("cannot read `{}`", path.display())).because(e))?;
    parse_stage_set(path, &text)
}

fn parse_stage_set(path: &Path, text: &str) -> Result<StageSet, CliError> {
    StageSet::parse(text)
        .map_err(|e| CliError::new(format!("`{}`: {e}", path.display())).help(e.help()))
}

/// Writes a new stage set at `path`; an existing file is an error.
pub fn create_stage_set(path: &Path, set: &StageSet) -> Result<(), CliError> {
    refuse_symlink(path)?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| {
            CliError::new(format!("cannot create `{}`", parent.display())).because(e)
        })?;
    }
    replace(path, &set.render(), None, false).map_err(|e| {
        if path.exists() {
            CliError::from(format!(
                "`{}` exists: add stages with `cargo sealed stage new`",
                path.display()
            ))
        } else {
            e
        }
    })
}

/// Writes a new bundle at `path`. An existing file is an error unless `replace_existing`, and
/// then it is replaced under its lock, keeping its mode.
pub fn create(path: &Path, bundle: &Bundle, replace_existing: bool) -> Result<(), CliError> {
    refuse_symlink(path)?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| {
            CliError::new(format!("cannot create `{}`", parent.display())).because(e)
        })?;
    }
    if replace_existing && path.exists() {
        // replaced under its lock, whatever it holds
        return lock(path)?.write(bundle);
    }
    replace(path, &bundle.render(), None, replace_existing)
}

/// `bundle` written to a new temporary file beside `path` (a unique name, created exclusively:
/// nothing planted there is followed), with `mode`, fsynced, renamed over `path` (or, unless
/// `overwrite`, moved there only if nothing is), and the directory fsynced.
fn replace(
    path: &Path,
    text: &str,
    mode: Option<Permissions>,
    overwrite: bool,
) -> Result<(), CliError> {
    let cannot = |e: std::io::Error| format!("cannot write `{}`: {e}", path.display());
    let directory = match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => parent.to_owned(),
        None => PathBuf::from("."),
    };
    let mut temporary = tempfile::Builder::new()
        .prefix(".sealed-bundle-")
        .suffix(".tmp")
        .tempfile_in(&directory)
        .map_err(cannot)?;
    // a new bundle gets the mode any new file would (tempfile creates 0600)
    if let Some(mode) = mode.or_else(new_file_mode) {
        temporary.as_file().set_permissions(mode).map_err(cannot)?;
    }
    temporary
        .write_all(text.as_bytes())
        .and_then(|()| temporary.as_file().sync_all())
        .map_err(cannot)?;
    if overwrite {
        temporary.persist(path).map_err(|e| cannot(e.error))?;
    } else {
        temporary.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                format!(
                    "`{}` exists; its values open only with its own key pair: add values with `cargo sealed bundle set` (a stage's: `stage set`), or replace a standalone bundle with `bundle new --force`",
                    path.display()
                )
            } else {
                cannot(e.error)
            }
        })?;
    }
    File::open(&directory)
        .and_then(|d| d.sync_all())
        .map_err(|e| CliError::new(format!("cannot sync `{}`", directory.display())).because(e))
}

/// The mode a file created now gets: 0666 less the process's umask (as `/proc/self/status`
/// tells it on Linux; elsewhere the usual 022).
#[cfg(unix)]
#[allow(clippy::unnecessary_wraps)] // None on other systems
fn new_file_mode() -> Option<Permissions> {
    use std::os::unix::fs::PermissionsExt as _;
    let umask = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("Umask:"))
                .and_then(|m| u32::from_str_radix(m.trim(), 8).ok())
        })
        .unwrap_or(0o022);
    Some(Permissions::from_mode(0o666 & !umask))
}

#[cfg(not(unix))]
fn new_file_mode() -> Option<Permissions> {
    None
}
