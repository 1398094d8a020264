//! What `cargo sealed check --kms` and `stage check --kms` prove of a value: a dry run of its
//! `Decrypt` (for a bundle value, of its bundle's private key), or with `--open` the value
//! decrypted and opened, its plaintext discarded unread.

use sealed_runtime::{Sealed, Verified};

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
/// (and, for a bundle value, opened). The plaintext is not read; it stays in the value's cell
/// until this short process exits, zeroized then, as every opened value's does.
pub async fn prove_one(sealed: Sealed, open: bool) -> Result<Proved, String> {
    if open {
        sealed
            .get()
            .await
            .map(|_| Proved::Opened)
            .map_err(|e| e.to_string())
    } else {
        sealed
            .verify()
            .await
            .map(Proved::Verified)
            .map_err(|e| e.to_string())
    }
}
