//! The error of `cargo sealed`: what happened, in its own words; the next steps, when there are
//! some; and the error that caused it, left to `source()`. `main` renders the whole, once, in one
//! layout (`error: …`, each cause, `= help: …`): new code returns a `CliError` and never writes
//! `= help:` itself. (A verdict line of `check`, `inspect` or `stage check` prints the format's
//! help in the same layout; the runtime's own errors end in `; help: …`, as their `Display` and
//! Lambda's `errorMessage` say them.)

use core::fmt;
use std::fmt::Write as _;
use std::sync::Arc;

/// An error of a `cargo sealed` command.
#[derive(Clone, Debug)]
pub struct CliError {
    what: String,
    help: Vec<String>,
    source: Option<Arc<dyn std::error::Error + Send + Sync + 'static>>,
}

impl CliError {
    /// An error that says `what`.
    pub fn new(what: impl Into<String>) -> Self {
        CliError {
            what: what.into(),
            help: Vec::new(),
            source: None,
        }
    }

    /// With a next step (after any it has: a caller that knows more adds its own).
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help.push(help.into());
        self
    }

    /// With the error that caused it.
    #[must_use]
    pub fn because(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    /// The whole error as the CLI prints it after `error: `: what happened, each cause on a line
    /// of its own, then the next step.
    pub fn render(&self) -> String {
        let mut text = self.what.clone();
        let mut cause = std::error::Error::source(self);
        while let Some(error) = cause {
            let _ = write!(text, "\n  caused by: {error}");
            cause = error.source();
        }
        for help in &self.help {
            let _ = write!(text, "\n  = help: {help}");
        }
        text
    }
}

impl fmt::Display for CliError {
    /// What happened, in the error's own words (its cause and next step are not repeated).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)
    }
}

impl std::error::Error for CliError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// A message built where it happened (with the file, the value, the key it names).
impl From<String> for CliError {
    fn from(what: String) -> Self {
        CliError::new(what)
    }
}

impl From<&str> for CliError {
    fn from(what: &str) -> Self {
        CliError::new(what)
    }
}
