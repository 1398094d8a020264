//! `readers = ["prod key arn:… FINGERPRINT", …]`: the keys that can open a bundle's or a stage
//! set's values, pinned in code by name (stage, kind, key ARN, public key's fingerprint), so that
//! whoever can change the file (a pull request touching only data files, someone with
//! `kms:Encrypt` who wraps a key pair of their own) cannot add a reader without a change of code
//! that names it, which review sees.

use proc_macro2::Span;
use sealed_format::{PinnedReader, Readers};

use crate::ast::StringList;
use crate::errors::{format_error, Errors};

/// What [`check_readers_pin`] checks: the readers of the file `path` (a `what`: "bundle",
/// "stage set").
pub(crate) struct ReadersOf<'a> {
    pub(crate) readers: &'a Readers,
    pub(crate) path: &'a str,
    pub(crate) what: &'a str,
    /// Every private key the file holds (its own, and each recipient's) is an emulator's
    /// ciphertext (accepted only with the `emulator` feature), which no AWS key opens: local data
    /// a script makes afresh with new keys on each run. Its pin may be left out; one written is
    /// checked.
    pub(crate) emulator_only: bool,
}

impl<'a> ReadersOf<'a> {
    pub(crate) fn new(
        readers: &'a Readers,
        path: &'a str,
        what: &'a str,
        emulator_only: bool,
    ) -> Self {
        ReadersOf {
            readers,
            path,
            what,
            emulator_only,
        }
    }
}

/// The pins `pinned` (`readers = […]`, where written) are exactly `of`'s readers; an error
/// naming each difference, or quoting the pins to write when there are none, otherwise.
pub(crate) fn check_readers_pin(
    pinned: Option<&StringList>,
    of: &ReadersOf<'_>,
    span: Span,
    errors: &mut Errors,
) {
    let ReadersOf {
        readers,
        path,
        what,
        emulator_only,
    } = *of;
    let Some(list) = pinned else {
        if !emulator_only {
            // error: code must pin who can read the values of the stage set `…`: add …
            errors.push(format_error(
                span,
                &format!(
                    "code must pin who can read the values of the {what} `{path}`: add, beside `{}`, the readers it has now, once you have checked each one:\n{}",
                    if what == "bundle" { "bundle = …" } else { "stages = …" },
                    readers.code("    ")
                ),
                &format!(
                    "whoever can change `{path}` could add a reader of their own (a break-glass or failover recipient, a key pair they wrapped under the key): with the pins, every change of readers is a change of this code, which review sees. Check that each key is one you expect (its account, its kind); a public key cannot be checked offline, so compare the file with your default branch's (`git diff origin/HEAD -- {path}`), and make sure each key's policy denies wrapping key pairs under the bundle's context (`cargo sealed policy --key-policy`)"
                ),
            ));
        }
        return;
    };
    if list.items.is_empty() {
        return; // not a list of strings: the parser said so
    }
    let mut parsed = Vec::new();
    for item in &list.items {
        match PinnedReader::parse(&item.value()) {
            Ok(reader) => parsed.push(reader),
            Err(message) => errors.push(format_error(
                item.span(),
                &format!("`{}`: {message}", item.value()),
                &format!(
                    "the readers of `{path}` are pinned as:\n{}",
                    readers.code("    ")
                ),
            )),
        }
    }
    if parsed.len() != list.items.len() {
        return;
    }
    let change = readers.compared_with(&parsed);
    if change.is_empty() {
        return;
    }
    // error: the readers of the stage set `…` are not the ones this code pins:
    //     new reader, not pinned: stage prod: break-glass arn:… (account …, public key …)
    errors.push(format_error(
        list.span,
        &format!(
            "the readers of the {what} `{path}` are not the ones this code pins:\n{}",
            change.listed("    ")
        ),
        &format!(
            "who can read these values changed in the file. A rotation (`bundle rotate`, `stage rotate`) or `stage add-key`/`rm-key` does this, and so does someone adding a reader of their own. Compare the files with your default branch's (`git diff origin/HEAD -- {}`), which this change cannot forge; if every reader is one you expect, pin them as:\n{}",
            std::path::Path::new(path)
                .parent()
                .map(|d| d.to_string_lossy().into_owned())
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| path.to_owned()),
            readers.code("    ")
        ),
    ));
}
