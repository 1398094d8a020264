//! What `cargo sealed check --kms` and `stage check --kms` prove of a value: a dry run of its
//! `Decrypt` (for a bundle value, of its bundle's private key), or with `--open` the value
//! decrypted and opened, its plaintext discarded unread.

use sealed_runtime::{kms::Verified, Sealed};

use crate::error::CliError;

/// What `--kms` proved of a value.
#[derive(Clone)]
pub enum Proved {
    /// A dry run (or a server that ignored it): the value, or its bundle's private key, decrypts.
    Verified(Verified),
    /// `--open`: decrypted and, for a bundle value, opened.
    Opened,
}

impl Proved {
    /// What was proved, as the report says it (of a bundle value when `bundle`).
    pub fn words(&self, bundle: bool) -> String {
        match self {
            Proved::Verified(verified) => {
                let how = if *verified == Verified::DryRun {
                    "KMS dry run"
                } else {
                    "the server ignored DryRun and decrypted; the plaintext was discarded unread"
                };
                if bundle {
                    format!("the bundle's private key decrypts: {how}; the value itself was not opened: `--open` opens it")
                } else {
                    format!("decrypts: {how}")
                }
            }
            Proved::Opened if bundle => "opens: the private key decrypts and is the pair of the file's public key, and the value opens with it; the plaintext was discarded unread".to_owned(),
            Proved::Opened => "decrypts; the plaintext was discarded unread".to_owned(),
        }
    }
}

/// Proves `sealed` with the current credentials: a dry run, or with `open` the value decrypted
/// (and, for a bundle value, opened). The plaintext is not read; it stays in the value's cell,
/// which a built value keeps for the rest of the process, until this short process exits. It is
/// not zeroized then (nothing drops a leaked cell): the memory goes back to the system with the
/// process, as the docs of `check --kms --open` say.
pub async fn prove_one(sealed: Sealed, open: bool) -> Result<Proved, CliError> {
    if open {
        sealed
            .get()
            .await
            .map(|_| Proved::Opened)
            .map_err(|e| CliError::new(e.to_string()))
    } else {
        sealed
            .verify()
            .await
            .map(Proved::Verified)
            .map_err(|e| CliError::new(e.to_string()))
    }
}

/// Why [`prove_keys`] failed, and with which key.
pub enum Unproved {
    /// `key` did not prove the value (`failover`: a failover recipient's): the error's words.
    Failed {
        key: String,
        failover: bool,
        message: String,
    },
    /// `key` opened the value to another plaintext than the first key did (`--open`).
    Differs { key: String },
}

impl Unproved {
    /// The failure in words: `name` is the value's, `first` names the key the others are
    /// compared with ("the stage's key"), `fix` says what to run when a recipient's sealing
    /// differs.
    pub fn words(&self, name: &str, first: &str, fix: &str) -> String {
        match self {
            Unproved::Failed {
                failover: false,
                message,
                ..
            } => message.clone(),
            Unproved::Failed { key, message, .. } => {
                format!("with the failover recipient `{key}`: {message}")
            }
            Unproved::Differs { key } => format!(
                "`{name}` opens to another plaintext with the failover recipient `{key}` than with {first} (neither is shown): a writer sealed different values to them; {fix}"
            ),
        }
    }
}

/// Proves a bundle value with each key that may open it at run time (its bundle's own key first,
/// then its failover recipients'): `build(key)` gives the value pinned to that key. With `open`,
/// each key must open it, and to the same plaintext as the first (compared in constant time,
/// never shown): a writer could have sealed another one to a failover key, met only in an
/// outage.
pub async fn prove_keys(
    keys: &[&str],
    open: bool,
    build: impl Fn(&str) -> Result<Sealed, CliError>,
) -> Result<Proved, Unproved> {
    let mut proved = None;
    let mut first: Option<&'static sealed_runtime::Secret> = None;
    for (i, &key) in keys.iter().enumerate() {
        let failed = |error: CliError| Unproved::Failed {
            key: key.to_owned(),
            failover: i > 0,
            message: error.render(),
        };
        let sealed = build(key).map_err(failed)?;
        if !open {
            proved = Some(prove_one(sealed, false).await.map_err(failed)?);
            continue;
        }
        let secret = sealed
            .get()
            .await
            .map_err(|e| failed(CliError::new(e.to_string())))?;
        match first {
            None => first = Some(secret),
            Some(first) if !same_plaintext(first, secret) => {
                return Err(Unproved::Differs {
                    key: key.to_owned(),
                })
            }
            Some(_) => {}
        }
        proved = Some(Proved::Opened);
    }
    Ok(proved.expect("a value has its bundle's own key at least"))
}

fn same_plaintext(a: &sealed_runtime::Secret, b: &sealed_runtime::Secret) -> bool {
    use subtle::ConstantTimeEq as _;
    a.expose().ct_eq(b.expose()).into()
}
