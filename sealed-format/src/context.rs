//! Encryption-context rules (`context = { … }`).
//!
//! The context is authenticated data, not part of the blob: nothing about it can be checked
//! against the ciphertext offline. What can be checked is its shape.

use core::fmt;

/// The value of an encryption-context entry as `sealed!` writes it: a literal, or `env("NAME")`,
/// read from the environment at the moment of `Decrypt`. One type for every layer; `S` is the
/// text as each holds it: `&'static str` in the expansion and at run time, the literal token in
/// the macro, a `String` in tools.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContextValue<S = &'static str> {
    /// `"value"`: sent as written.
    Literal(S),
    /// `env("NAME")`: the environment variable's value at the moment of `Decrypt`.
    Env(S),
}

impl<S> ContextValue<S> {
    /// The same kind of value with its text turned into another form.
    ///
    /// ```
    /// use sealed_format::ContextValue;
    /// let written: ContextValue<&str> = ContextValue::Env("AWS_LAMBDA_FUNCTION_NAME");
    /// assert_eq!(written.map(str::len), ContextValue::Env(24));
    /// ```
    pub fn map<T>(self, f: impl FnOnce(S) -> T) -> ContextValue<T> {
        match self {
            ContextValue::Literal(text) => ContextValue::Literal(f(text)),
            ContextValue::Env(name) => ContextValue::Env(f(name)),
        }
    }

    /// A view of the value that borrows its text.
    pub fn as_ref(&self) -> ContextValue<&S> {
        match self {
            ContextValue::Literal(text) => ContextValue::Literal(text),
            ContextValue::Env(name) => ContextValue::Env(name),
        }
    }

    /// The literal, or the variable's name.
    pub fn text(&self) -> &S {
        match self {
            ContextValue::Literal(text) | ContextValue::Env(text) => text,
        }
    }
}

/// A broken encryption-context rule.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ContextError {
    /// A key that is the empty string.
    EmptyKey,
    /// A key given twice.
    DuplicateKey {
        /// The key.
        key: String,
        /// The index of its first occurrence.
        first: usize,
    },
    /// `env("")`, or a name with `=` or NUL in it.
    BadEnvName(String),
    /// `env("NAME")` naming a variable that holds AWS credentials ([`CREDENTIAL_VARIABLES`]):
    /// its value would be sent to KMS as context, which `CloudTrail` logs in clear.
    CredentialVariable(String),
    /// A key in the `sealed:` namespace ([`RESERVED_KEY_PREFIX`], in any letter case): those
    /// entries are added by `sealed` itself (a bundle's `sealed:bundle`), so that a bundle's
    /// wrapped key can never be decrypted as an ordinary sealed value.
    ReservedKey(String),
    /// `env("NAME")` (or a bundle's `context-env`) naming a variable that is not on
    /// [`CONTEXT_VARIABLES`] and that code did not allow (`allow_env = ["NAME"]`): an encryption
    /// context is logged in clear, and a variable of the build or CI environment
    /// (`GITHUB_TOKEN`) may hold a secret.
    UnlistedVariable(String),
}

/// The prefix of the encryption-context keys `sealed` adds itself (`sealed:bundle`, the
/// bundle's id, on a bundle's wrapped key), refused in any context a person writes. Matched in
/// any letter case, as IAM matches condition key names.
pub const RESERVED_KEY_PREFIX: &str = "sealed:";

fn is_reserved_key(key: &str) -> bool {
    key.get(..RESERVED_KEY_PREFIX.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(RESERVED_KEY_PREFIX))
}

/// The environment variables that hold AWS credentials, refused in `env("…")`: an encryption
/// context is not secret (`CloudTrail` logs it in clear, and IAM conditions quote it), so a
/// credential there would be handed to whoever reads the logs. A name ending in `*` stands for
/// every name it starts.
pub const CREDENTIAL_VARIABLES: [&str; 5] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN*",
];

fn is_credential_variable(name: &str) -> bool {
    CREDENTIAL_VARIABLES
        .iter()
        .any(|listed| match listed.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix),
            None => name == *listed,
        })
}

/// The environment variables an encryption context reads without an opt-in: Lambda's own names
/// for the function and where it runs, which hold no secret. Any other needs `allow_env =
/// ["NAME"]` in `sealed!` (`allow_env` on a run-time builder): written in code, where review
/// sees it.
pub const CONTEXT_VARIABLES: [&str; 4] = [
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
];

/// Checks the name of a variable an encryption context reads ([`check_env_name`]), and that it
/// is on [`CONTEXT_VARIABLES`] or among `allowed` (what code allows).
///
/// ```
/// use sealed_format::{check_env_allowed, ContextError};
///
/// assert!(check_env_allowed("AWS_LAMBDA_FUNCTION_NAME", &[]).is_ok());
/// assert!(check_env_allowed("APP_STAGE", &["APP_STAGE"]).is_ok());
/// assert_eq!(
///     check_env_allowed("GITHUB_TOKEN", &[]),
///     Err(ContextError::UnlistedVariable("GITHUB_TOKEN".into()))
/// );
/// // allowing a credential changes nothing
/// assert!(check_env_allowed("AWS_SESSION_TOKEN", &["AWS_SESSION_TOKEN"]).is_err());
/// ```
pub fn check_env_allowed(name: &str, allowed: &[&str]) -> Result<(), ContextError> {
    check_env_name(name)?;
    if CONTEXT_VARIABLES.contains(&name) || allowed.contains(&name) {
        Ok(())
    } else {
        Err(ContextError::UnlistedVariable(name.to_owned()))
    }
}

impl fmt::Display for ContextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContextError::EmptyKey => {
                f.write_str("empty encryption-context key; keys must be non-empty strings")
            }
            ContextError::DuplicateKey { key, .. } => write!(
                f,
                "duplicate encryption-context key `{key}`; each key may appear once"
            ),
            ContextError::BadEnvName(name) if name.is_empty() => {
                f.write_str("empty environment variable name; expected `env(\"NAME\")`")
            }
            ContextError::BadEnvName(name) => write!(
                f,
                "`{}` is not an environment variable name; expected a name without `=` or NUL",
                name.escape_default()
            ),
            ContextError::CredentialVariable(name) => write!(
                f,
                "`env(\"{name}\")` would send an AWS credential to KMS as encryption context, which CloudTrail logs in clear; name a variable that holds no secret (`AWS_LAMBDA_FUNCTION_NAME`, a stage)"
            ),
            ContextError::UnlistedVariable(name) => write!(
                f,
                "`{name}` is read into an encryption context, which KMS requests carry and CloudTrail logs in clear, and it is not one of Lambda's variables that hold no secret ({}); if `{name}` holds no secret, allow it in code: `allow_env = [\"{name}\"]` beside the `sealed!`'s other arguments (`.allow_env(\"{name}\")` on a run-time builder)",
                CONTEXT_VARIABLES.join(", ")
            ),
            ContextError::ReservedKey(key) => write!(
                f,
                "the encryption-context key `{key}` is reserved: `sealed` adds `{RESERVED_KEY_PREFIX}…` keys itself (a bundle's id), so that a bundle's key never decrypts as an ordinary value; name the key without `{RESERVED_KEY_PREFIX}`"
            ),
        }
    }
}

impl std::error::Error for ContextError {}

/// Checks context keys in order; returns the index and error of each key that breaks a rule:
/// empty, given twice, or in the reserved `sealed:` namespace ([`RESERVED_KEY_PREFIX`]).
///
/// ```
/// use sealed_format::{check_context_keys, ContextError};
///
/// assert!(check_context_keys(["app", "stage", "sealed"]).is_empty());
/// let errors = check_context_keys(["app", "", "app", "Sealed:Bundle"]);
/// assert_eq!(errors[0], (1, ContextError::EmptyKey));
/// assert_eq!(errors[1], (2, ContextError::DuplicateKey { key: "app".into(), first: 0 }));
/// assert_eq!(errors[2], (3, ContextError::ReservedKey("Sealed:Bundle".into())));
/// ```
pub fn check_context_keys<'a>(
    keys: impl IntoIterator<Item = &'a str>,
) -> Vec<(usize, ContextError)> {
    let mut seen: Vec<&str> = Vec::new();
    let mut errors = Vec::new();
    for (index, key) in keys.into_iter().enumerate() {
        if key.is_empty() {
            errors.push((index, ContextError::EmptyKey));
        } else if is_reserved_key(key) {
            errors.push((index, ContextError::ReservedKey(key.to_owned())));
        } else if let Some(first) = seen.iter().position(|k| *k == key) {
            errors.push((
                index,
                ContextError::DuplicateKey {
                    key: key.to_owned(),
                    first,
                },
            ));
        }
        seen.push(key);
    }
    errors
}

/// Checks the name in `env("NAME")`; the value itself is read at run time only. A variable
/// that holds AWS credentials is refused ([`CREDENTIAL_VARIABLES`]).
///
/// ```
/// use sealed_format::{check_env_name, ContextError};
///
/// assert!(check_env_name("AWS_LAMBDA_FUNCTION_NAME").is_ok());
/// assert!(check_env_name("A=B").is_err());
/// assert_eq!(
///     check_env_name("AWS_SESSION_TOKEN"),
///     Err(ContextError::CredentialVariable("AWS_SESSION_TOKEN".into()))
/// );
/// assert!(check_env_name("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE").is_err());
/// ```
pub fn check_env_name(name: &str) -> Result<(), ContextError> {
    if name.is_empty() || name.contains(['=', '\0']) {
        Err(ContextError::BadEnvName(name.to_owned()))
    } else if is_credential_variable(name) {
        Err(ContextError::CredentialVariable(name.to_owned()))
    } else {
        Ok(())
    }
}
