//! A cold-start storm on real parts, scaled to CI: 40 execution environments start at once as
//! separate processes (each its own SDK client and retry budget), each with 10 sealed values and
//! `prefetch()` in its INIT, against the local KMS behind a request quota of 60 per second
//! (`sealed_test_support::quota`, answering `ThrottlingException` beyond it). The programs are
//! the storm benchmark's (`bench/programs/src/bin/storm-*.rs`, debug builds here; `scripts/bench`
//! runs the full-size release storm); the bundle is made with `cargo sealed bundle`, as a user
//! makes one, which is why this test lives beside the CLI's.
//!
//! With one bundle of 10 values every INIT succeeds with one `Decrypt` each, none throttled; with
//! 10 separate values the same fleet sends at least ten times as many, and the quota throttles
//! them.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use assert_cmd::Command as Cli;
use sealed_test_support::emulator::require_emulator;
use sealed_test_support::quota::{Quota, Stats};
use sealed_test_support::{cargo, create_key, encrypt, root};

const PROCESSES: usize = 40;
const VALUES: usize = 10;
const RATE: f64 = 60.0;

/// `key`, `VALUES` ciphertexts and one bundle of the same values in `dir`: what the storm
/// programs' build script reads (`SEALED_BENCH_SECRETS`).
fn seal_values(dir: &Path) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let key = runtime.block_on(async {
        let client = aws_sdk_kms::Client::from_conf(sealed_runtime::kms::default_config().await);
        let key = create_key(&client).await;
        for i in 0..VALUES {
            let text = encrypt(
                &client,
                &key,
                format!("storm-value-{i}").as_bytes(),
                &[],
                None,
            )
            .await;
            std::fs::write(dir.join(format!("v{i}.kms")), text + "\n").unwrap();
        }
        key
    });
    std::fs::write(dir.join("key"), format!("{key}\n")).unwrap();
    let cli = |args: &[&str], stdin: &str| {
        let output = Cli::cargo_bin("cargo-sealed")
            .unwrap()
            .arg("sealed")
            .args(args)
            .env("NO_COLOR", "1")
            .env("SEALED_KNOWN_BUNDLES", dir.join(".known-bundles"))
            .current_dir(dir)
            .write_stdin(stdin)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "cargo sealed {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    cli(&["bundle", "new", "app.bundle", "--key", &key], "");
    for i in 0..VALUES {
        cli(
            &["bundle", "set", "app.bundle", &format!("v{i}")],
            &format!("storm-value-{i}"),
        );
    }
}

/// The two storm programs, built with the `emulator` feature against the values in `secrets`
/// (debug, in the scratch target directory the other tests that build crates share).
fn build_programs(secrets: &Path) -> PathBuf {
    let target = root().join("target/scratch");
    let output = Command::new(cargo())
        .args([
            "build",
            "--quiet",
            "-p",
            "sealed-bench-programs",
            "--features",
            "emulator",
        ])
        .args(["--bin", "storm-values", "--bin", "storm-bundle"])
        .env("CARGO_TARGET_DIR", &target)
        .env("SEALED_BENCH_SECRETS", secrets)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "the storm programs do not build:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    target.join("debug")
}

/// `PROCESSES` processes of `program` started at once against `quota`: how many succeeded, and
/// what the quota counted.
fn storm(program: &Path, quota: &Quota) -> (usize, Stats) {
    quota.drain();
    quota.reset();
    let children: Vec<_> = (0..PROCESSES)
        .map(|_| {
            Command::new(program)
                .env("AWS_ENDPOINT_URL_KMS", &quota.url)
                .env("AWS_ENDPOINT_URL", &quota.url)
                .env("SEALED_STORM_RETRY", "library")
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    let succeeded = children
        .into_iter()
        .map(|child| child.wait_with_output().unwrap())
        .filter(|output| {
            output.status.success() && String::from_utf8_lossy(&output.stdout).starts_with("ok ")
        })
        .count();
    (succeeded, quota.stats())
}

#[test]
fn a_storm_of_cold_starts_costs_one_decrypt_per_process_with_a_bundle() {
    let endpoint = require_emulator();
    let secrets = tempfile::tempdir().unwrap();
    seal_values(secrets.path());
    let programs = build_programs(secrets.path());
    let upstream = endpoint
        .trim_end_matches('/')
        .split("://")
        .nth(1)
        .unwrap()
        .to_owned();
    let quota = Quota::start(&upstream, RATE, RATE, 0);

    let (succeeded, bundle) = storm(&programs.join("storm-bundle"), &quota);
    println!("one bundle of {VALUES}: {succeeded}/{PROCESSES} INITs, {bundle:?}");
    assert_eq!(succeeded, PROCESSES, "{bundle:?}");
    assert_eq!(
        bundle.sent("Decrypt"),
        PROCESSES as u64,
        "one Decrypt per process: {bundle:?}"
    );
    assert_eq!(bundle.throttled("Decrypt"), 0, "{bundle:?}");

    let (succeeded, values) = storm(&programs.join("storm-values"), &quota);
    println!("{VALUES} separate values: {succeeded}/{PROCESSES} INITs, {values:?}");
    assert!(
        values.sent("Decrypt") >= (PROCESSES * VALUES) as u64,
        "{values:?}"
    );
    assert!(
        values.throttled("Decrypt") > 0,
        "the quota throttles the per-value fleet: {values:?}"
    );
}
