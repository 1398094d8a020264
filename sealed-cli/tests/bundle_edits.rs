//! Edits of a bundle file that lose nothing and follow nothing: two writers at once, a symlink
//! planted where a temporary file would go, the file's mode, a bundle path that is a symlink.
//! Against the moto KMS emulator (`cargo sealed bundle new` and `set` call it).

use std::os::unix::fs::{symlink, PermissionsExt as _};
use std::path::Path;

use assert_cmd::Command;
use sealed_runtime::Sealed;
use sealed_test_support::emulator::require_emulator;
use sealed_test_support::{canary, create_key};

fn cli(dir: &Path) -> Command {
    require_emulator();
    let mut command = Command::cargo_bin("cargo-sealed").unwrap();
    command
        .arg("sealed")
        .env("NO_COLOR", "1")
        // beside the directory, whose files the tests count
        .env("SEALED_KNOWN_BUNDLES", dir.with_extension("known-bundles"))
        .current_dir(dir);
    command
}

/// `cargo sealed ARGS` in `dir` with `stdin`: whether it succeeded, and its stderr.
fn run(dir: &Path, args: &[&str], stdin: &str) -> (bool, String) {
    let output = cli(dir).args(args).write_stdin(stdin).output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A new bundle `app.bundle` in a new directory, under a new key.
async fn new_bundle() -> tempfile::TempDir {
    let key = create_key(&aws_sdk_kms::Client::from_conf(
        sealed_runtime::kms::default_config().await,
    ))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (ok, err) = run(
        dir.path(),
        &["bundle", "new", "app.bundle", "--key", &key],
        "",
    );
    assert!(ok, "{err}");
    dir
}

async fn opens(dir: &Path, name: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(dir.join("app.bundle")).unwrap();
    let key = sealed_format::Bundle::parse(&text).unwrap().key;
    let value = Sealed::from_bundle(text, name)
        .expect_key(key)
        .allow_emulator(true)
        .build()
        .unwrap();
    let value: &'static Sealed = Box::leak(Box::new(value));
    value.get().await.unwrap().expose().to_vec()
}

/// Two writers, each setting 50 names of its own one after another, at the same time: every
/// one of the 100 is in the file afterwards, and each opens to what was set.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_writers_at_once_lose_nothing() {
    let dir = new_bundle().await;
    let prefix = canary("edits");
    let writers: Vec<_> = (0..2)
        .map(|writer| {
            let path = dir.path().to_owned();
            let prefix = prefix.clone();
            std::thread::spawn(move || {
                for i in 0..50 {
                    let name = format!("w{writer}_{i}");
                    let (ok, err) = run(
                        &path,
                        &["bundle", "set", "app.bundle", &name],
                        &format!("{prefix}-{name}"),
                    );
                    assert!(ok, "{name}: {err}");
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    let text = std::fs::read_to_string(dir.path().join("app.bundle")).unwrap();
    let bundle = sealed_format::Bundle::parse(&text).unwrap();
    let mut missing = Vec::new();
    for writer in 0..2 {
        for i in 0..50 {
            let name = format!("w{writer}_{i}");
            if bundle.value(&name).is_none() {
                missing.push(name);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{} of 100 sets lost: {missing:?}",
        missing.len()
    );
    for name in ["w0_0", "w1_49", "w0_25"] {
        assert_eq!(
            opens(dir.path(), name).await,
            format!("{prefix}-{name}").into_bytes()
        );
    }
}

/// A symlink planted where a fixed temporary name would be (`app.bundle.tmp`, as format 1's
/// writer used) is never followed: its target is untouched, and the bundle is written.
#[tokio::test]
async fn a_planted_symlink_is_not_followed() {
    let dir = new_bundle().await;
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "do not overwrite").unwrap();
    symlink(&victim, dir.path().join("app.bundle.tmp")).unwrap();
    let (ok, err) = run(
        dir.path(),
        &["bundle", "set", "app.bundle", "token"],
        "value",
    );
    assert!(ok, "{err}");
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "do not overwrite"
    );
    assert!(std::fs::read_to_string(dir.path().join("app.bundle"))
        .unwrap()
        .contains("value token "));
}

/// The file's mode survives an edit (a bundle kept 0600 does not come back 0644), and the
/// temporary file is gone.
#[tokio::test]
async fn an_edit_keeps_the_mode() {
    let dir = new_bundle().await;
    let path = dir.path().join("app.bundle");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (ok, err) = run(
        dir.path(),
        &["bundle", "set", "app.bundle", "token"],
        "value",
    );
    assert!(ok, "{err}");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "mode {mode:o}");
    let (ok, err) = run(dir.path(), &["bundle", "rm", "app.bundle", "token"], "");
    assert!(ok, "{err}");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "mode {mode:o} after rm");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["app.bundle"], "no temporary file left");
}

/// A bundle path that is a symlink is refused, saying so: an edit never writes through a link
/// it did not choose.
#[tokio::test]
async fn a_bundle_path_that_is_a_symlink_is_refused() {
    let dir = new_bundle().await;
    symlink(
        dir.path().join("app.bundle"),
        dir.path().join("link.bundle"),
    )
    .unwrap();
    let before = std::fs::read_to_string(dir.path().join("app.bundle")).unwrap();
    let (ok, err) = run(
        dir.path(),
        &["bundle", "set", "link.bundle", "token"],
        "value",
    );
    assert!(!ok, "a set through a symlink succeeded");
    assert!(err.contains("is a symbolic link"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("app.bundle")).unwrap(),
        before
    );
}
