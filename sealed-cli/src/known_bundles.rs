//! The public keys a writer has sealed to before (trust on first use): one line `ID FINGERPRINT`
//! per bundle, in `$SEALED_KNOWN_BUNDLES`, else `$XDG_CONFIG_HOME/sealed/known-bundles`, else
//! `~/.config/sealed/known-bundles`. A repository writer who swaps a bundle's public key would
//! receive what the next honest writer seals; `bundle set` refuses a known id whose key changed
//! (docs/design/bundle-format-2.md §3.4).

use std::path::PathBuf;

use crate::error::CliError;

/// What the store says of a bundle's public key.
#[derive(Debug, PartialEq, Eq)]
pub enum Known {
    /// This id was never written to from here.
    New,
    /// The key is the one recorded.
    Same,
    /// Another key was recorded for this id: its fingerprint.
    Changed(String),
}

/// The store's file, if a home for it can be named.
fn path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("SEALED_KNOWN_BUNDLES") {
        return Some(PathBuf::from(path));
    }
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")))?;
    Some(config.join("sealed").join("known-bundles"))
}

fn entries() -> Vec<(String, String)> {
    let Some(text) = path().and_then(|p| std::fs::read_to_string(p).ok()) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|line| {
            let (id, fingerprint) = line.split_once(' ')?;
            Some((id.to_owned(), fingerprint.trim().to_owned()))
        })
        .collect()
}

/// What the store says of `fingerprint` for the bundle `id`.
pub fn check(id: &str, fingerprint: &str) -> Known {
    match entries().into_iter().find(|(known, _)| known == id) {
        None => Known::New,
        Some((_, known)) if known == fingerprint => Known::Same,
        Some((_, known)) => Known::Changed(known),
    }
}

/// Records `fingerprint` as the key of `id` (replacing what was there), written whole through a
/// temporary file. A store that cannot be written is said, not fatal: the value is sealed.
pub fn record(id: &str, fingerprint: &str) -> Result<(), CliError> {
    let path = path().ok_or("no home for the known-bundles file: set SEALED_KNOWN_BUNDLES")?;
    let mut lines: Vec<String> = entries()
        .into_iter()
        .filter(|(known, _)| known != id)
        .map(|(known, print)| format!("{known} {print}"))
        .collect();
    lines.push(format!("{id} {fingerprint}"));
    let directory = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), PathBuf::from);
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(&directory)?;
        let mut temporary = tempfile::NamedTempFile::new_in(&directory)?;
        std::io::Write::write_all(&mut temporary, (lines.join("\n") + "\n").as_bytes())?;
        temporary.persist(&path).map_err(|e| e.error)?;
        Ok(())
    };
    write().map_err(|e| {
        CliError::new(format!(
            "cannot record the bundle's public key in `{}`",
            path.display()
        ))
        .because(e)
    })
}
