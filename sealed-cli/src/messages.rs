//! How `cargo sealed` words the errors it takes from the format and from the runtime's builders:
//! what happened, where (a file as a file, a `sealed!` at its line), and the next step as a CLI
//! user takes it (the CLI's `--emulator`, where a build would enable the runtime's `emulator`
//! feature); and the one listing of what there is where a name is not found.

use sealed_format::{BundleError, BundleErrorKind, ErrorKind, FormatError};
use sealed_runtime::build::{BuildError, BuildErrorKind};

use crate::error::CliError;

/// The next step for a ciphertext a local KMS made, as the CLI takes it.
const EMULATOR_HELP: &str = "a local KMS made it: pass `--emulator` to accept it in local development and tests (`cargo sealed --emulator …`); for AWS, seal it again under a real key";

/// The next step for a ciphertext the format refused, for a CLI user.
pub fn format_help(error: &FormatError) -> String {
    match error.kind() {
        ErrorKind::Emulator { .. } => EMULATOR_HELP.to_owned(),
        _ => error.help(),
    }
}

/// The next step for a bundle file the format refused, for a CLI user.
pub fn bundle_help(error: &BundleError) -> String {
    match &error.kind {
        BundleErrorKind::PrivateKey(inner) => format_help(inner),
        _ => error.help(),
    }
}

/// What there is, where `name` is not found: `names` listed ("none" when there are none), then
/// "; did you mean `…`?" when one is near `name`. The one listing of every "no such …" message.
pub fn listing(name: &str, names: &[&str]) -> String {
    let listed = if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    };
    match sealed_format::did_you_mean(name, names) {
        Some(hint) => format!("{listed}; {hint}"),
        None => listed,
    }
}

/// A value the runtime's builder refused, at `place` (`` `secrets/app.bundle` ``, or the
/// `sealed!` at its line), with the next step for a CLI user.
pub fn built(place: &str, error: &BuildError) -> CliError {
    let help = match error.kind() {
        BuildErrorKind::InvalidFormat(inner) => format_help(inner),
        BuildErrorKind::InvalidBundle(inner) => bundle_help(inner),
        _ => error.help(),
    };
    CliError::new(format!("{place}: {}", error.kind())).help(help)
}
