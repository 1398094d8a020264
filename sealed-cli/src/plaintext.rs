//! The plaintext to seal: from a hidden prompt or stdin, never an argument, and within the size
//! its destination holds.

use std::io::{IsTerminal as _, Read as _};

use zeroize::Zeroizing;

use crate::error::CliError;
use crate::output::warning;

/// The largest plaintext KMS `Encrypt` accepts.
pub const MAX_PLAINTEXT: usize = 4096;

/// The plaintext from a hidden prompt or stdin, at most `max` bytes (`what` names it).
pub fn read_plaintext(
    strip_newline: bool,
    max: usize,
    what: &str,
) -> Result<Zeroizing<Vec<u8>>, CliError> {
    // room for one byte over the limit, allocated once: stdin is read into it without a
    // reallocation leaving copies of the plaintext behind in freed memory
    let mut plaintext = Zeroizing::new(Vec::with_capacity(max + 1));
    if std::io::stdin().is_terminal() {
        let typed = Zeroizing::new(
            rpassword::prompt_password("plaintext (not echoed): ")
                .map_err(|e| CliError::new("cannot read the plaintext").because(e))?,
        );
        let typed = typed.as_bytes();
        plaintext.extend_from_slice(&typed[..typed.len().min(max + 1)]);
    } else {
        std::io::stdin()
            .take(max as u64 + 1)
            .read_to_end(&mut plaintext)
            .map_err(|e| CliError::new("cannot read the plaintext from stdin").because(e))?;
        if plaintext.ends_with(b"\n") {
            if strip_newline {
                plaintext.pop();
                if plaintext.ends_with(b"\r") {
                    plaintext.pop();
                }
            } else {
                warning("the plaintext ends with a newline, which is sealed with it (`echo` adds one); pass --strip-newline to remove it, or use `printf %s`");
            }
        }
    }
    if plaintext.is_empty() {
        return Err("the plaintext is empty; pipe the secret to stdin (`printf %s \"$SECRET\" | cargo sealed encrypt …`)".into());
    }
    if plaintext.len() > max {
        return Err(CliError::new(if max == MAX_PLAINTEXT {
            format!(
                "the plaintext is at least {} bytes; KMS encrypts at most {MAX_PLAINTEXT}: put larger secrets in a bundle (`cargo sealed bundle set`, up to {} KiB a value)",
                plaintext.len(),
                sealed_format::MAX_BUNDLE_VALUE / 1024
            )
        } else {
            format!(
                "the plaintext is at least {} bytes; {what} holds at most {max}",
                plaintext.len()
            )
        }));
    }
    Ok(plaintext)
}
