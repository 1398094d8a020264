//! Bundle files on disk: read and parsed, written whole or not at all.

use std::path::{Path, PathBuf};

use sealed_format::Bundle;

/// Reads and parses a bundle file.
pub fn read(path: &Path) -> Result<Bundle, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    Bundle::parse(&text).map_err(|e| format!("`{}`: {e}\n  = help: {}", path.display(), e.help()))
}

/// Writes `bundle` to `path` whole or not at all (a temporary file renamed over it).
pub fn write(path: &Path, bundle: &Bundle) -> Result<(), String> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
    }
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, bundle.render())
        .and_then(|()| std::fs::rename(&temporary, path))
        .map_err(|e| format!("cannot write `{}`: {e}", path.display()))
}
