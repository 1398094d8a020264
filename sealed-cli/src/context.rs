//! An encryption context as a `sealed!` or a bundle declares it (`env("VAR")` kept, read at run
//! time): handed to a run-time `Sealed`, or printed one entry at a time.

use sealed_format::ContextValue;
use sealed_runtime::build::SealedBuilder;

use crate::error::CliError;

/// `builder` with every entry of `context`: a literal as written, `env("VAR")` read when the
/// value decrypts.
pub fn declare(
    mut builder: SealedBuilder,
    context: &[(String, ContextValue<String>)],
) -> SealedBuilder {
    for (key, value) in context {
        builder = match value {
            ContextValue::Literal(v) => builder.context(key, v),
            ContextValue::Env(var) => builder.context_env(key, var),
        };
    }
    builder
}

/// The context as KMS is sent it now: literals as written, `env("VAR")` read from this
/// process's environment. The error names the entry and the variable that is not set.
pub fn values_now(
    context: &[(String, ContextValue<String>)],
) -> Result<Vec<(String, String)>, CliError> {
    context
        .iter()
        .map(|(key, value)| match value {
            ContextValue::Literal(v) => Ok((key.clone(), v.clone())),
            ContextValue::Env(var) => std::env::var(var).map(|v| (key.clone(), v)).map_err(|_| {
                CliError::from(format!("context `{key}` needs `{var}` in the environment"))
            }),
        })
        .collect()
}

/// The variables `context` reads that are not Lambda's own (`CONTEXT_VARIABLES`): what code
/// must allow (`allow_env = […]`), as `encrypt` writes it into the `sealed!` it prints and
/// `bundle new` warns.
pub fn unlisted(context: &[(String, ContextValue<String>)]) -> Vec<&str> {
    context
        .iter()
        .filter_map(|(_, value)| match value {
            ContextValue::Env(var) if !sealed_format::CONTEXT_VARIABLES.contains(&var.as_str()) => {
                Some(var.as_str())
            }
            _ => None,
        })
        .collect()
}

/// `KEY=VALUE`, or `KEY=env(VAR)`: one entry as `bundle ls` and `inspect` print it.
pub fn entry_text(key: &str, value: &ContextValue<String>) -> String {
    match value {
        ContextValue::Literal(v) => format!("{key}={v}"),
        ContextValue::Env(var) => format!("{key}=env({var})"),
    }
}
