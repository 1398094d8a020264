//! A cold-start storm on real parts, scaled to CI: 40 execution environments start at once as
//! separate processes (each its own SDK client and retry budget), each with 10 sealed values and
//! `prefetch()` in its INIT, against moto behind a request quota of 60 per second
//! (`scripts/kms_quota.py`, answering `ThrottlingException` beyond it). `scripts/bench_storm.py`
//! runs it (debug builds here; `scripts/bench` runs the full-size release storm).
//!
//! With one bundle of 10 values every INIT succeeds with one `Decrypt` each, none throttled; with
//! 10 separate values the same fleet sends at least ten times as many, and the quota throttles
//! them.

use std::process::Command;

use sealed_test_support::{require_emulator, root};

fn number(result: &serde_json::Value, field: &str) -> u64 {
    result[field]
        .as_u64()
        .unwrap_or_else(|| panic!("{field} in {result}"))
}

#[test]
fn a_storm_of_cold_starts_costs_one_decrypt_per_process_with_a_bundle() {
    require_emulator();
    let out = tempfile::NamedTempFile::new().unwrap();
    let run = Command::new(root().join(".venv/bin/python"))
        .arg(root().join("scripts/bench_storm.py"))
        .args([
            "--debug",
            "--processes",
            "40",
            "--values",
            "10",
            "--rate",
            "60",
        ])
        .args(["--retry", "library", "--json"])
        .arg(out.path())
        .output()
        .expect("the project's venv: run scripts/dev-kms once");
    let log = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "bench_storm.py failed:\n{log}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    println!("{log}");
    let results: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(out.path()).unwrap()).unwrap();
    let shape = |name: &str| {
        results
            .iter()
            .find(|r| r["shape"] == name)
            .unwrap_or_else(|| panic!("no {name} run in {results:?}"))
    };
    let (bundle, values) = (shape("bundle"), shape("values"));
    assert_eq!(number(bundle, "succeeded"), 40, "{bundle}");
    assert_eq!(
        number(bundle, "decrypt_sent"),
        40,
        "one Decrypt per process: {bundle}"
    );
    assert_eq!(number(bundle, "decrypt_throttled"), 0, "{bundle}");
    assert!(number(values, "decrypt_sent") >= 400, "{values}");
    assert!(
        number(values, "decrypt_throttled") > 0,
        "the quota throttles the per-value fleet: {values}"
    );
}
