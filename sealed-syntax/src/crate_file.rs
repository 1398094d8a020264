//! The files `sealed!` reads (`file = …`, `bundle = …`), relative to the crate's directory, with
//! the message for each way that fails.

use std::path::{Path, PathBuf};

/// What a file read for `sealed!` holds, for the messages.
#[derive(Clone, Copy)]
pub(crate) enum FileKind {
    /// `file = …`: a ciphertext in base64.
    Ciphertext,
    /// `bundle = …`: a bundle file.
    Bundle,
    /// `stages = …`: a stage set file.
    StageSet,
}

/// Reads `file = "…"` or `bundle = "…"` relative to the crate's manifest directory.
pub(crate) fn read_crate_file(
    path: &str,
    manifest_dir: Option<&Path>,
    kind: FileKind,
) -> Result<(String, PathBuf), String> {
    let Some(dir) = manifest_dir else {
        return Err(format!(
            "cannot resolve `{path}`: `CARGO_MANIFEST_DIR` is not set (build with cargo)"
        ));
    };
    let full = dir.join(path);
    // error: cannot read `secrets/missing.kms` (relative to `…`): No such file …
    match std::fs::read(&full) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Ok((text, full)),
            Err(_) => Err(match kind {
                FileKind::Ciphertext => format!(
                    "`{path}` is not UTF-8 text; expected the base64 ciphertext (`cargo sealed encrypt --out {path}` writes it)"
                ),
                FileKind::Bundle => format!(
                    "`{path}` is not UTF-8 text; expected a bundle (`cargo sealed bundle new {path} --key <key>` writes one)"
                ),
                FileKind::StageSet => format!(
                    "`{path}` is not UTF-8 text; expected a stage set (`cargo sealed stage init {path}` writes one)"
                ),
            }),
        },
        Err(error) => Err(format!(
            "cannot read `{path}` (relative to the crate's directory): {error}\n= help: {}",
            match kind {
                FileKind::Ciphertext => format!("write it with `cargo sealed encrypt --key <key> --out {path}`"),
                FileKind::Bundle => format!("create it with `cargo sealed bundle new {path} --key <key>`"),
                FileKind::StageSet => format!("create it with `cargo sealed stage init {path}`, then `cargo sealed stage new {path} STAGE --key ARN`"),
            }
        )),
    }
}
