//! The arguments more than one command takes (as sqlx-cli's `opt.rs`): where to look for
//! `sealed!` values, the encryption context, and the algorithm.

use std::path::PathBuf;

use clap::Args;
use sealed_format::{check_context_keys, check_env_name, Algorithm, ContextValue};

use crate::error::CliError;

/// How `bundle set` and `stage set` seal a value.
#[derive(Args)]
pub struct WriteArgs {
    /// Seal to the bundle's public key although it is not the one this machine sealed to before
    /// for it (after checking its fingerprint out of band, e.g. with the deploy pipeline's
    /// `cargo sealed bundle ls FILE`)
    #[arg(long)]
    pub trust_new_key: bool,
    /// Remove one trailing newline (`\n` or `\r\n`) from the plaintext
    #[arg(long)]
    pub strip_newline: bool,
    /// Seal to readers that the default branch's version of the file does not have (after
    /// checking each with whoever holds its key); the code's `readers = […]` must name them too
    #[arg(long)]
    pub new_readers: bool,
}

/// Where to look for `sealed!` values.
#[derive(Args)]
pub struct ScanArgs {
    /// Files or directories to scan [default: the current directory]
    pub paths: Vec<PathBuf>,
    /// Also read files that `.gitignore` or `.ignore` exclude (generated code brought in with
    /// `include!`, say)
    #[arg(long)]
    pub no_ignore: bool,
}

impl ScanArgs {
    /// The paths given, or the current directory.
    pub fn paths(&self) -> Vec<PathBuf> {
        if self.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            self.paths.clone()
        }
    }
}

/// The encryption context, as `--context` and `--context-env` give it.
#[derive(Args)]
pub struct ContextArgs {
    /// An encryption-context entry with a literal value (repeatable)
    #[arg(long = "context", value_name = "KEY=VALUE")]
    context: Vec<String>,
    /// An entry whose value is the environment variable VAR, now and at run time: the line says
    /// `env("VAR")` (repeatable; e.g. `LambdaFunctionName=AWS_LAMBDA_FUNCTION_NAME`)
    #[arg(long = "context-env", value_name = "KEY=VAR")]
    context_env: Vec<String>,
}

/// A `--context` or `--context-env` entry: as `sealed!` will write it, and the value sent now.
pub struct ContextEntry {
    pub written: ContextValue<String>,
    pub value: String,
}

fn split(pair: &str, flag: &str) -> Result<(String, String), CliError> {
    pair.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| CliError::from(format!("`{flag} {pair}`: expected KEY=VALUE")))
}

impl ContextArgs {
    /// The entries, checked, with the values of `--context-env` read now.
    pub fn entries(&self) -> Result<Vec<(String, ContextEntry)>, CliError> {
        let mut entries = Vec::new();
        for pair in &self.context {
            let (key, value) = split(pair, "--context")?;
            entries.push((
                key,
                ContextEntry {
                    written: ContextValue::Literal(value.clone()),
                    value,
                },
            ));
        }
        for pair in &self.context_env {
            let (key, var) = split(pair, "--context-env")?;
            check_env_name(&var).map_err(|e| e.to_string())?;
            let value = std::env::var(&var)
                .map_err(|_| CliError::from(format!("`--context-env {pair}`: `{var}` is not set; set it to the value the function will see")))?;
            entries.push((
                key,
                ContextEntry {
                    written: ContextValue::Env(var),
                    value,
                },
            ));
        }
        if let Some((_, error)) = check_context_keys(entries.iter().map(|(k, _)| k.as_str()))
            .into_iter()
            .next()
        {
            return Err(error.to_string().into());
        }
        Ok(entries)
    }
}

/// `--algorithm NAME`, as `sealed!` spells the algorithms.
pub fn parse_algorithm(name: &str) -> Result<Algorithm, CliError> {
    Algorithm::parse(name).ok_or_else(|| {
        CliError::from(format!(
            "unknown algorithm `{name}`; expected one of: {}",
            sealed_format::ALGORITHM_NAMES.join(", ")
        ))
    })
}
