//! A test run again, alone, in a child process: for what a process does once (its credential
//! chain, its first access) and for environments the parent must not share.

use std::process::Command;

/// A command that runs this test binary's `test` alone, in a child process without any `AWS_…`
/// variable of the parent's: the child sees only what the caller sets.
///
/// # Panics
/// When the test binary's own path cannot be read.
pub fn child_test(test: &str) -> Command {
    let mut command = Command::new(std::env::current_exe().expect("the test binary's path"));
    command.args(["--exact", test, "--nocapture", "--test-threads=1"]);
    for (name, _) in std::env::vars() {
        if name.starts_with("AWS_") {
            command.env_remove(name);
        }
    }
    command
}

/// Runs `command` (a [`child_test`]), which must succeed; its standard output.
///
/// # Panics
/// When the command cannot start or fails: its output is the message.
pub fn stdout_of(command: &mut Command) -> String {
    let output = command.output().expect("the child starts");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}
