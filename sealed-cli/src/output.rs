//! How `cargo sealed` writes: through `anstream`, which drops the styles below unless the stream
//! is a terminal (and honours `NO_COLOR`, `CLICOLOR` and `CLICOLOR_FORCE`).

pub use anstream::{eprintln, println};
use anstyle::{AnsiColor, Style};

const ERROR: Style = AnsiColor::Red.on_default().bold();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
/// A verdict that passed.
pub const GOOD: Style = AnsiColor::Green.on_default();
/// A verdict that failed.
pub const BAD: Style = AnsiColor::Red.on_default();

/// `error: …` on stderr.
pub fn error(message: &str) {
    eprintln!("{ERROR}error{ERROR:#}: {message}");
}

/// `warning: …` on stderr.
pub fn warning(message: &str) {
    eprintln!("{WARNING}warning{WARNING:#}: {message}");
}
