//! The modules of `cargo-sealed` import only downward (see `sealed_test_support::layers`):
//! shared pieces first, then the commands, which never import each other.

use std::path::Path;

/// The commands, one file each: `main.rs` dispatches to them, and none names another.
const COMMANDS: &[&str] = &[
    "encrypt", "inspect", "check", "policy", "reseal", "bundle", "stage",
];

const LAYERS: &[&str] = &[
    // how the CLI writes: styles, `error: …`, `warning: …`
    "output",
    // the CLI's error: its words, its cause, its next step
    "error",
    // what the CLI takes from `sealed_runtime::__tools`
    "runtime_tools",
    // the format's and the runtime's errors, worded for a CLI user
    "messages",
    // the arguments several commands take
    "args",
    // a declared encryption context, handed to a `Sealed` or printed
    "context",
    // the plaintext from a hidden prompt or stdin
    "plaintext",
    // KMS failures as messages, the base64 of what KMS returns
    "kms",
    // the key policy a bundle's key needs, and a key's own read back and held to it
    "key_policy",
    // every `sealed!` under the paths, checked as the macro checks it
    "scan",
    // bundle files read and written
    "bundle_file",
    // a bundle file against its version at a git revision
    "history",
    // the public keys a writer has sealed to before
    "known_bundles",
    // who a writer seals to, held to the code's `readers = […]` and the default branch
    "readers_guard",
    // a bundle's key pair from KMS, a value sealed into it, its public key trusted
    "bundle_ops",
    // what `check --kms` and `stage check --kms` prove of a value
    "proof",
    // a bundle's other recipients: added with two sessions, made again by a rotation
    "recipients",
    // `stage`'s rooms: a stage's files under their locks, then what each group of verbs does
    "stage/pins",
    "stage/edit",
    "stage/read",
    "stage/gate",
    "stage/keys",
    // the commands
    "encrypt",
    "inspect",
    "check",
    "policy",
    "reseal",
    "bundle",
    "stage",
];

#[test]
fn every_module_imports_only_layers_below_it() {
    sealed_test_support::layers::check(Path::new(env!("CARGO_MANIFEST_DIR")), LAYERS);
}

/// Whether `code` names the module `module` as `crate::module` or `super::module` (a top-level
/// module's `super` is the crate root).
fn names(code: &str, module: &str) -> bool {
    ["crate::", "super::"].iter().any(|root| {
        let path = format!("{root}{module}");
        code.match_indices(&path).any(|(at, _)| {
            let before = code[..at].chars().next_back();
            let after = code[at + path.len()..].chars().next();
            !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$')
                && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
    })
}

#[test]
fn no_command_imports_another() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for command in COMMANDS {
        assert!(
            LAYERS[LAYERS.len() - COMMANDS.len()..].contains(command),
            "`{command}` is among the commands at the top of LAYERS"
        );
        let file = src.join(format!("{command}.rs"));
        // the code, without comments and doc comments (intra-doc links name anything)
        let code: String = std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for other in COMMANDS.iter().filter(|other| *other != command) {
            assert!(
                !names(&code, other),
                "the command `{command}` names the command `{other}`: move what they share into a module below both"
            );
        }
    }
}

#[test]
fn a_command_naming_another_is_seen() {
    assert!(names("use crate::bundle::read;", "bundle"));
    assert!(names("crate::bundle::write(path, &b)?;", "bundle"));
    assert!(names("use super::encrypt;", "encrypt"));
    assert!(!names("use crate::bundle_file::read;", "bundle"));
    assert!(!names("$crate::bundle::x", "bundle"));
    assert!(!names("use crate::args::ScanArgs;", "bundle"));
}
