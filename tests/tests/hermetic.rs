//! S12: the build is hermetic and only ciphertext reaches the binary. A crate using
//! `sealed!(file = …)` builds with no network at all (`unshare -n`, offline); a rebuild of the
//! crate under `strace` shows no process creating an internet socket or connecting anywhere, and
//! the compiler reading no file of the crate but its source and the `file =` ciphertext — not the
//! AWS credentials or config files the environment points at. A canary plaintext made up at run
//! time, sealed with the emulator and decrypted by the built program, is found nowhere in its
//! binary nor anywhere under `target/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use sealed_test_support::{canary, cargo, require_emulator, root, seal};

fn network_namespaces_allowed() -> bool {
    Command::new("unshare")
        .args(["-n", "true"])
        .status()
        .is_ok_and(|s| s.success())
}

fn strace() -> PathBuf {
    ["/usr/bin/strace", "/bin/strace"].into_iter().map(PathBuf::from).find(|p| p.exists()).expect(
        "this test needs strace: `apt-get install -y strace` (scripts/test installs it when missing)",
    )
}

/// A line of `strace -f -o`: the process id and the call. strace pads the id to a fixed width,
/// so a short id is followed by more than one space.
fn pid_and_call(line: &str) -> Option<(&str, &str)> {
    let (pid, call) = line.split_once(' ')?;
    Some((pid, call.trim_start()))
}

/// The path of a traced `open`/`openat` line, whether or not the call succeeded, if it is absolute
/// or relative to the working directory.
fn opened_path(line: &str) -> Option<&str> {
    let call = pid_and_call(line)?.1;
    if !(call.starts_with("openat(") || call.starts_with("open(")) {
        return None;
    }
    let path = call.split('"').nth(1)?;
    // a relative path opened from another directory's descriptor is not the crate's
    (path.starts_with('/') || call.starts_with("open(") || call.starts_with("openat(AT_FDCWD,"))
        .then_some(path)
}

/// Every file under `dir` holding `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let output = Command::new("grep")
        .args(["-rlF", "--binary-files=binary", "--", needle])
        .arg(dir)
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// A crate using `sealed!(file = …)` for the ciphertext, printing the length of its plaintext,
/// with AWS configuration decoys beside it.
fn scratch_crate(key: &str, ciphertext: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let runtime = root().join("sealed-runtime");
    std::fs::write(
        dir.path().join("Cargo.toml"),
        format!(
            "[package]\nname = \"hermetic\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nsealed-runtime = {{ path = {:?}, features = [\"emulator\"] }}\ntokio = {{ version = \"1\", features = [\"rt\", \"macros\"] }}\n\n[profile.dev.package.\"*\"]\ndebug = false\n\n[workspace]\n",
            runtime.display().to_string()
        ),
    )
    .unwrap();
    std::fs::copy(root().join("Cargo.lock"), dir.path().join("Cargo.lock")).unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::create_dir_all(dir.path().join("secrets")).unwrap();
    std::fs::write(
        dir.path().join("secrets/value.kms"),
        format!("{ciphertext}\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("src/main.rs"),
        format!(
            "use sealed_runtime::{{sealed, Sealed}};\n\nstatic VALUE: Sealed = sealed!(file = \"secrets/value.kms\", key = \"{key}\");\n\n#[tokio::main(flavor = \"current_thread\")]\nasync fn main() {{\n    let secret = VALUE.get().await.unwrap();\n    println!(\"{{}}\", secret.len());\n}}\n"
        ),
    )
    .unwrap();
    // decoys: AWS configuration the macro must never read
    std::fs::write(
        dir.path().join("decoy-credentials"),
        "[default]\naws_access_key_id = decoy\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("decoy-config"),
        "[default]\nregion = eu-west-1\n",
    )
    .unwrap();
    dir
}

/// `cargo build --offline` of the crate (in a network namespace where permitted), under `strace`
/// writing to `trace` if given; what cargo printed.
fn build(dir: &Path, target: &Path, trace: Option<&Path>) -> String {
    let cargo = cargo();
    let unshare = network_namespaces_allowed();
    if !unshare {
        eprintln!(
            "unshare -n is not permitted here: building with --offline, sockets checked by strace"
        );
    }
    // without a network namespace where permitted; offline in any case
    let mut command = match trace {
        Some(log) => {
            let mut command = Command::new(strace());
            command
                .args(["-f", "-qq", "-e", "trace=socket,connect,open,openat", "-o"])
                .arg(log);
            if unshare {
                command.args(["unshare", "-n"]);
            }
            command.arg(&cargo);
            command
        }
        None if unshare => {
            let mut command = Command::new("unshare");
            command.args(["-n", &cargo]);
            command
        }
        None => Command::new(&cargo),
    };
    let output = command
        .args(["build", "--offline"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("decoy-credentials"))
        .env("AWS_CONFIG_FILE", dir.join("decoy-config"))
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "hermetic build: {printed}");
    printed
}

/// The traced build touched no network, and the compiler of the crate opened no file of the
/// crate but its source and the ciphertext, nor any AWS configuration.
fn check_trace(trace: &str, crate_dir: &Path) {
    let network: Vec<&str> = trace
        .lines()
        .filter(|l| {
            pid_and_call(l).is_some_and(|(_, call)| {
                call.starts_with("connect(") || call.starts_with("socket(")
            })
        })
        .filter(|l| !l.contains("AF_UNIX"))
        .collect();
    assert!(
        network.is_empty(),
        "the build touched the network: {network:?}"
    );
    let opened: Vec<&str> = trace.lines().filter_map(opened_path).collect();
    assert!(
        opened.iter().any(|p| p.ends_with("secrets/value.kms")),
        "the trace saw the compiler: {}",
        trace.len()
    );
    // the compiler of the crate is the process that opened its source
    let rustc: Vec<&str> = trace
        .lines()
        .filter(|l| opened_path(l) == Some("src/main.rs"))
        .filter_map(|l| pid_and_call(l).map(|(pid, _)| pid))
        .collect();
    assert_eq!(
        rustc.len(),
        1,
        "one compiler process of the crate in the trace"
    );
    let crate_dir = crate_dir.to_str().unwrap();
    let mut read: Vec<&str> = trace
        .lines()
        .filter(|l| pid_and_call(l).is_some_and(|(pid, _)| pid == rustc[0]))
        .filter_map(opened_path)
        .filter_map(|p| {
            if p.starts_with('/') {
                p.strip_prefix(crate_dir)
            } else {
                Some(p)
            }
        })
        .map(|p| p.trim_start_matches('/'))
        .collect();
    read.sort_unstable();
    read.dedup();
    assert_eq!(
        read,
        ["secrets/value.kms", "src/main.rs"],
        "files of the crate opened by the build"
    );
    let aws: Vec<&&str> = opened
        .iter()
        .filter(|p| p.contains("decoy-") || p.contains("/.aws/"))
        .collect();
    assert!(aws.is_empty(), "the build read AWS configuration: {aws:?}");
}

#[test]
fn an_offline_build_without_network_and_no_plaintext_in_any_artefact() {
    require_emulator();
    let canary = canary("hermetic-canary");
    let (key, ciphertext) = &seal(&canary, &[]);

    let dir = scratch_crate(key, ciphertext);
    let target = root().join("target/scratch");
    build(dir.path(), &target, None);

    // the crate again, traced: no socket, no connection, and the only files of the crate the
    // compiler opens are its source and the ciphertext file. `cargo clean -p` makes the crate
    // compile again whatever the timestamps say.
    let clean = Command::new(cargo())
        .args(["clean", "--offline", "--quiet", "-p", "hermetic"])
        .current_dir(dir.path())
        .env("CARGO_TARGET_DIR", &target)
        .status()
        .unwrap();
    assert!(clean.success());
    let log = dir.path().join("strace.log");
    let printed = build(dir.path(), &target, Some(&log));
    assert!(
        printed.contains("Compiling hermetic"),
        "the crate was not compiled again: {printed}"
    );
    let trace = std::fs::read_to_string(&log).unwrap();
    check_trace(&trace, dir.path());

    let binary = target.join("debug/hermetic");
    let run = Command::new(&binary).output().unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&run.stdout).trim(),
        canary.len().to_string(),
        "the program decrypted it"
    );
    assert!(!String::from_utf8_lossy(&run.stderr).contains(&canary));

    // the binary holds the ciphertext bytes, never the plaintext; nor does anything under target/
    let binary_bytes = std::fs::read(&binary).unwrap();
    assert!(!binary_bytes
        .windows(canary.len())
        .any(|w| w == canary.as_bytes()));
    let found = files_containing(&root().join("target"), &canary);
    assert!(found.is_empty(), "the plaintext is in: {found:?}");
    let found = files_containing(dir.path(), &canary);
    assert!(found.is_empty(), "the plaintext is in: {found:?}");
}
