//! A writer's trust on first use of a bundle's public key: `bundle set` records the key it sealed
//! to for the bundle's id, and refuses another key under that id later (a repository writer who
//! swapped it would receive what is sealed next) until `--trust-new-key`. No KMS involved.

use std::path::Path;

use assert_cmd::Command;
use sealed_test_support::root;

/// `cargo sealed bundle set FILE NAME [EXTRA…]` in `dir`: (success, stderr).
fn set(dir: &Path, name: &str, extra: &[&str]) -> (bool, String) {
    let output = Command::cargo_bin("cargo-sealed")
        .unwrap()
        .args(["sealed", "bundle", "set", "app.bundle", name])
        .args(extra)
        .env("NO_COLOR", "1")
        .env("SEALED_KNOWN_BUNDLES", dir.join("known-bundles"))
        .current_dir(dir)
        .write_stdin("a value")
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn public_key_line(text: &str) -> &str {
    text.lines().find(|l| l.starts_with("public-key ")).unwrap()
}

#[test]
fn set_refuses_a_public_key_that_changed_under_a_known_id() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let fixtures = root().join("tests/tests/fixtures");
    let file = dir.join("app.bundle");
    std::fs::copy(fixtures.join("app.bundle"), &file).unwrap();

    // first use: recorded
    let (ok, said) = set(dir, "one", &[]);
    assert!(ok, "{said}");
    assert!(
        said.contains("first value sealed to bundle 5b0e8f7c2d4a4e1b9c3f6a8d7e2b1c0f from here"),
        "{said}"
    );
    let (ok, said) = set(dir, "two", &[]);
    assert!(ok && !said.contains("first value"), "{said}");

    // the public key swapped under the same id: refused before anything is read or written
    let text = std::fs::read_to_string(&file).unwrap();
    let other = std::fs::read_to_string(fixtures.join("emulator.bundle")).unwrap();
    let swapped = text.replace(public_key_line(&text), public_key_line(&other));
    std::fs::write(&file, &swapped).unwrap();
    let (ok, said) = set(dir, "three", &[]);
    assert!(!ok);
    assert!(said.contains("the one you sealed to before"), "{said}");
    assert!(
        said.contains("someone may have swapped it to read what you seal, so nothing was sealed"),
        "{said}"
    );
    assert!(said.contains("pass --trust-new-key"), "{said}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), swapped);

    // checked out of band: trusted, and from then on the new key is the known one
    let (ok, said) = set(dir, "three", &["--trust-new-key"]);
    assert!(ok, "{said}");
    let (ok, said) = set(dir, "four", &[]);
    assert!(ok, "{said}");
    // and the first key is now the one refused
    let now = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        now.replace(public_key_line(&now), public_key_line(&text)),
    )
    .unwrap();
    let (ok, said) = set(dir, "five", &[]);
    assert!(!ok, "{said}");
}
