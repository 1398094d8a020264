//! The CLI's grammar as `--help` writes it, kept in `tests/help/*.txt`: a change to a command, a
//! flag or its words shows in review as a change to these files. After an intended change,
//! `SEALED_OVERWRITE_HELP=1 cargo test -p sealed-cli --test help` writes them again; read the diff.

use assert_cmd::Command;

/// `cargo sealed ARGS --help` as a user reads it (no colour, 100 columns).
fn help(args: &[&str]) -> String {
    let output = Command::cargo_bin("cargo-sealed")
        .unwrap()
        .arg("sealed")
        .args(args)
        .arg("--help")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    assert!(output.status.success(), "{args:?} --help failed");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_help_of_every_command_group_is_the_one_reviewed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/help");
    let overwrite = std::env::var_os("SEALED_OVERWRITE_HELP").is_some();
    let mut changed = Vec::new();
    for (file, args) in [
        ("cargo-sealed.txt", &[][..]),
        ("bundle.txt", &["bundle"][..]),
        ("stage.txt", &["stage"][..]),
        ("stage-check.txt", &["stage", "check"][..]),
        ("bundle-rotate.txt", &["bundle", "rotate"][..]),
    ] {
        let now = help(args);
        let path = dir.join(file);
        if overwrite {
            std::fs::write(&path, &now).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(now.as_str()) {
            changed.push(format!("{}:\n{now}", path.display()));
        }
    }
    assert!(
        changed.is_empty(),
        "the help changed (SEALED_OVERWRITE_HELP=1 writes it; review the diff):\n{}",
        changed.join("\n")
    );
}

#[test]
fn emulator_is_one_flag_accepted_anywhere_on_the_line() {
    // before the command, after it, after a subcommand's arguments: the same global flag
    for args in [
        &["--emulator", "inspect", "-"][..],
        &["inspect", "--emulator", "-"][..],
        &["inspect", "-", "--emulator"][..],
    ] {
        let output = Command::cargo_bin("cargo-sealed")
            .unwrap()
            .arg("sealed")
            .args(args)
            .write_stdin("AQICAHh...==")
            .output()
            .unwrap();
        // the ciphertext is refused for what it is, not the command line for the flag
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(said.contains("ciphertext is elided"), "{args:?}: {said}");
    }
}
