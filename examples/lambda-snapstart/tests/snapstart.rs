//! The example's binary under Lambda's lifecycles of 2026, with the project's own Runtime API
//! (`sealed_test_support::runtime_api`: cargo-lambda emulates neither SnapStart's restore nor
//! Managed Instances' concurrency) and the KMS emulator behind a front that keeps connections
//! alive, closes them on demand and refuses revoked access keys (`sealed_test_support::quota`).
//!
//! The snapshot is what the process holds when it calls `/restore/next`: the tests read every
//! readable mapping of it then (`/proc/PID/mem`), as a snapshot copies it. The restore is what
//! Lambda does to a restored environment: INIT's connections closed, INIT's credentials revoked,
//! new ones at the container endpoint.
//!
//! Needs the emulator (`eval "$(scripts/dev-kms)"`) and the example's secrets sealed with it
//! (`scripts/test` does both); runs with `cargo test -p lambda-snapstart --features emulator`.

use std::fs::File;
use std::io::{BufRead as _, BufReader};
use std::os::unix::fs::FileExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use sealed_test_support::quota::Quota;
use sealed_test_support::require_emulator;
use sealed_test_support::runtime_api::{self, Answer, RuntimeApi};

/// The plaintexts `scripts/test` seals into `secrets/` for this example.
const DB_PASSWORD: &str = "snapstart-db-password-Qv27mc";
const API_TOKEN: &str = "snapstart-api-token-Xk93wd";

/// The access keys the container endpoint serves: INIT's, and the restored environment's.
const INIT_KEY: &str = "ASIAINITCREDENTIALS1";
const RESTORED_KEY: &str = "ASIARESTOREDCREDS002";

/// The emulator behind a front of the test's own: its counts, its connections.
fn kms_front() -> Quota {
    let endpoint = require_emulator();
    let upstream = endpoint.trim_start_matches("http://").to_owned();
    Quota::start(&upstream, 1e6, 1e6, 0)
}

/// The example's process, as Lambda starts it against `api` (no access-key variables: the
/// container endpoint's credentials), its output in a file of its own.
struct Function {
    child: Child,
    log: PathBuf,
}

impl Function {
    fn start(api: &RuntimeApi, kms: &Quota, name: &str, env: &[(&str, &str)]) -> Function {
        Function::start_in(api, &kms.url, None, name, env)
    }

    /// As [`Function::start`], with KMS at `endpoint`, in the cgroup `cgroup` (its directory)
    /// when given.
    fn start_in(
        api: &RuntimeApi,
        endpoint: &str,
        cgroup: Option<&Path>,
        name: &str,
        env: &[(&str, &str)],
    ) -> Function {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("function.log");
        let out = File::create(&log).unwrap();
        let binary = env!("CARGO_BIN_EXE_lambda-snapstart");
        let mut command = match cgroup {
            // the shell joins the group, then becomes the function
            Some(group) => {
                let mut command = Command::new("sh");
                command.args(["-c", r#"echo $$ > "$0/tasks" && exec "$1""#]);
                command.arg(group).arg(binary);
                command
            }
            None => Command::new(binary),
        };
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            // no profile, no ~/.aws: the container endpoint is the only source of credentials
            .env("HOME", &dir)
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ENDPOINT_URL_KMS", endpoint)
            .envs(api.environment())
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out);
        Function {
            child: command.spawn().expect("the example's binary starts"),
            log,
        }
    }

    fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits (a minute at most) for the process to end; its exit status, if it ended.
    fn wait_for_exit(&mut self) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + Duration::from_mins(1);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Function {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The example started as a SnapStart INIT against `kms` (the restore's credentials to come
/// from the container endpoint, INIT's served now), `extra` added to its environment, and run
/// until it waits on `/restore/next`: the snapshot's moment.
fn at_the_snapshot(kms: &Quota, name: &str, extra: &[(&str, &str)]) -> (RuntimeApi, Function) {
    let api = RuntimeApi::start();
    api.serve_credentials(INIT_KEY, Duration::from_hours(1));
    let mut env = vec![("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start")];
    env.extend_from_slice(extra);
    let function = Function::start(&api, kms, name, &env);
    assert!(
        api.wait_for_snapshot_point(),
        "the function never reached /restore/next: {}",
        function.output()
    );
    (api, function)
}

/// Which of `needles` occur anywhere in the readable memory of process `pid`, read as a snapshot
/// copies it: every readable mapping of `/proc/PID/maps`, through `/proc/PID/mem`.
fn found_in_memory(pid: u32, needles: &[&[u8]]) -> Vec<bool> {
    let maps = File::open(format!("/proc/{pid}/maps")).expect("the process's maps");
    let mem = File::open(format!("/proc/{pid}/mem"))
        .expect("the process's memory (this test reads its child's: it needs ptrace access)");
    let mut found = vec![false; needles.len()];
    let mut regions = 0;
    for line in BufReader::new(maps).lines() {
        let line = line.unwrap();
        let mut fields = line.split_whitespace();
        let (Some(range), Some(perms)) = (fields.next(), fields.next()) else {
            continue;
        };
        if !perms.starts_with('r') || line.ends_with("[vvar]") || line.ends_with("[vsyscall]") {
            continue;
        }
        let (start, end) = range.split_once('-').unwrap();
        let (start, end) = (
            u64::from_str_radix(start, 16).unwrap(),
            u64::from_str_radix(end, 16).unwrap(),
        );
        let mut region = vec![0; usize::try_from(end - start).unwrap()];
        if let Err(error) = mem.read_exact_at(&mut region, start) {
            // a read-only mapping the kernel will not hand out (a guard) may be skipped; the
            // writable ones, where a plaintext would be, may not
            assert!(!perms.contains('w'), "cannot read {line}: {error}");
            continue;
        }
        regions += 1;
        for (needle, seen) in needles.iter().zip(found.iter_mut()) {
            *seen |= region.windows(needle.len()).any(|w| w == *needle);
        }
    }
    assert!(regions > 10, "read only {regions} mappings of the process");
    found
}

/// The plaintexts and their base64 (as KMS's answer carries them), raw bytes.
fn secrets_as_a_snapshot_holds_them() -> Vec<(String, Vec<u8>)> {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    vec![
        ("the database password".into(), DB_PASSWORD.into()),
        (
            "the database password in base64".into(),
            b64(DB_PASSWORD).into(),
        ),
        ("the API token".into(), API_TOKEN.into()),
        ("the API token in base64".into(), b64(API_TOKEN).into()),
    ]
}

/// What the memory holds of each secret form, named (never the secret itself).
fn secrets_in_memory(pid: u32) -> Vec<String> {
    let mut forms = secrets_as_a_snapshot_holds_them();
    forms.push((
        "INIT's secret access key".into(),
        runtime_api::secret_of(INIT_KEY).into(),
    ));
    let needles: Vec<&[u8]> = forms.iter().map(|(_, bytes)| bytes.as_slice()).collect();
    forms
        .iter()
        .zip(found_in_memory(pid, &needles))
        .filter(|(_, found)| *found)
        .map(|((name, _), _)| name.clone())
        .collect()
}

/// Whether `answer` is the example's answer with the right plaintexts (never printed).
fn answers_with_the_secrets(answer: &Answer, with_token: bool) -> bool {
    let Answer::Response(body) = answer else {
        return false;
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(body) else {
        return false;
    };
    json["db_password"] == DB_PASSWORD && (!with_token || json["api_token"] == API_TOKEN)
}

/// The `Decrypt` requests the front saw, each with the access key that signed it.
fn decrypts(kms: &Quota) -> Vec<String> {
    kms.stats()
        .signed
        .into_iter()
        .filter(|(operation, _)| operation == "Decrypt")
        .map(|(_, key)| key)
        .collect()
}

/// Waits (two seconds at most) until no client holds a connection to the front.
fn no_connection_left(kms: &Quota) -> bool {
    let deadline = Instant::now() + Duration::from_secs(2);
    while kms.open_connections() > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    kms.open_connections() == 0
}

/// Lambda's restore of an environment from the snapshot: INIT's connections closed, INIT's
/// credentials revoked, new ones at the container endpoint.
fn restore(api: &RuntimeApi, kms: &Quota) {
    kms.close_all();
    kms.revoke(INIT_KEY);
    api.serve_credentials(RESTORED_KEY, Duration::from_hours(1));
    api.restore();
}

/// The function as users write it (`prefetch()` in INIT, the one registration line): nothing
/// secret at the snapshot, not even a request to KMS or the credentials endpoint; after a
/// restore that revoked INIT's credentials and closed its connections, the right answer with
/// one `Decrypt` per value, signed with the restored environment's credentials.
#[test]
fn a_function_as_users_write_it_has_no_secret_in_its_snapshot_and_answers_after_restore() {
    let kms = kms_front();
    let (api, function) = at_the_snapshot(&kms, "users-shape", &[]);

    let in_memory = secrets_in_memory(function.child.id());
    assert!(in_memory.is_empty(), "the snapshot holds {in_memory:?}");
    assert!(
        kms.stats().signed.is_empty(),
        "INIT sent KMS {:?}",
        kms.stats().signed
    );
    assert!(
        api.credential_fetches().is_empty(),
        "INIT fetched credentials"
    );

    restore(&api, &kms);
    let answer = api.invoke(r#"{"with_token": true}"#);
    assert!(
        answers_with_the_secrets(&answer, true),
        "the first invocation after the restore did not answer with the secrets: {}",
        function.output()
    );
    assert_eq!(
        decrypts(&kms),
        [RESTORED_KEY, RESTORED_KEY],
        "one Decrypt per value, with the restored credentials"
    );
    let again = api.invoke(r#"{"with_token": true}"#);
    assert!(answers_with_the_secrets(&again, true));
    assert_eq!(decrypts(&kms).len(), 2, "later invocations read memory");
    assert!(api.restore_errors().is_empty());
}

/// The control, at the same moment of the same program: a value read with `get()` during INIT
/// is in the snapshot (no library can wipe a `&'static Secret` it handed out), and the library
/// names it once; its client, credentials and connections are not: after the restore another
/// value decrypts with the new credentials over a new connection.
#[test]
fn the_control_a_value_read_in_init_is_in_the_snapshot_but_the_client_of_init_is_not() {
    let kms = kms_front();
    let (api, function) =
        at_the_snapshot(&kms, "control", &[("SNAPSTART_EXAMPLE_READ_IN_INIT", "1")]);

    let in_memory = secrets_in_memory(function.child.id());
    assert!(
        in_memory.contains(&"the database password".to_owned()),
        "the control does not see the plaintext read in INIT: the scan would see nothing"
    );
    assert!(
        !in_memory
            .iter()
            .any(|found| found.starts_with("the API token")),
        "a value never read is in the snapshot: {in_memory:?}"
    );
    // (INIT's credentials served that read: freed with the client before the snapshot, their
    // bytes may linger in freed memory, which is why the users' shape never fetches them)
    assert_eq!(decrypts(&kms), [INIT_KEY], "INIT read one value");
    assert!(
        no_connection_left(&kms),
        "INIT's connection to KMS is still open at the snapshot"
    );
    let output = function.output();
    let warnings: Vec<&str> = output
        .lines()
        .filter(|line| line.contains("read in a SnapStart INIT"))
        .collect();
    assert_eq!(warnings.len(), 1, "one warning for the one value: {output}");
    assert!(warnings[0].contains("src/main.rs:12"), "{}", warnings[0]);

    restore(&api, &kms);
    let answer = api.invoke(r#"{"with_token": true}"#);
    assert!(
        answers_with_the_secrets(&answer, true),
        "after the restore, the value not read in INIT did not decrypt: {}",
        function.output()
    );
    assert_eq!(
        decrypts(&kms),
        [INIT_KEY, RESTORED_KEY],
        "the token decrypts once, with the restored credentials"
    );
    assert_eq!(
        kms.stats().refused.len(),
        0,
        "nothing sent with INIT's revoked key"
    );
}

/// A restore whose credentials cannot decrypt (the role lost `kms:Decrypt`, the key was
/// disabled): the after-restore hook fails, `/restore/error` says what failed without a
/// plaintext, and the process ends; Lambda then tears the environment down.
#[test]
fn a_restore_that_cannot_decrypt_reports_restore_error_and_ends() {
    let kms = kms_front();
    let (api, mut function) = at_the_snapshot(&kms, "restore-error", &[]);
    kms.revoke(INIT_KEY);
    api.restore();
    assert!(
        api.wait_for_restore_error(),
        "no /restore/error: {}",
        function.output()
    );
    let reported = api.restore_errors().join("\n");
    assert!(
        reported.contains("sealed values failed to decrypt"),
        "{reported}"
    );
    assert!(reported.contains("src/main.rs:12"), "{reported}");
    assert!(!reported.contains(DB_PASSWORD) && !reported.contains(API_TOKEN));
    let status = function.wait_for_exit();
    assert!(
        status.is_some_and(|s| !s.success()),
        "the process did not end with an error: {status:?}"
    );
}

/// A restore that KMS throttles throughout (thousands of environments restored at once): the
/// after-restore hook gives up at `RESTORE_DEADLINE` (8 s), before Lambda's 10 s for the hooks,
/// with an error that names each value as timed out, rather than Lambda's bare timeout.
#[test]
fn a_restore_throttled_throughout_fails_at_the_restore_deadline_naming_the_values() {
    let endpoint = require_emulator();
    let kms = Quota::start(endpoint.trim_start_matches("http://"), 1e-6, 0.0, 0);
    let (api, mut function) = at_the_snapshot(&kms, "restore-deadline", &[]);
    let restored = Instant::now();
    api.restore();
    assert!(api.wait_for_restore_error(), "{}", function.output());
    let took = restored.elapsed();
    let reported = api.restore_errors().join("\n");
    assert!(
        took >= sealed_runtime::snapstart::RESTORE_DEADLINE && took < Duration::from_secs(10),
        "the restore failed after {took:?}: {reported}"
    );
    assert!(reported.contains("timed out after 8000 ms"), "{reported}");
    assert!(reported.contains("src/main.rs:12"), "{reported}");
    assert!(kms.stats().throttled("Decrypt") > 0);
    assert!(function.wait_for_exit().is_some_and(|s| !s.success()));
}

/// Lambda Managed Instances: `run_concurrent()` with `AWS_LAMBDA_MAX_CONCURRENCY=8`. Eight
/// simultaneous first invocations of a fresh environment all answer, with one `Decrypt` per
/// value; the environment outlives its first credentials (short-lived, then revoked) and a value
/// first read after that decrypts with the ones the container endpoint serves then.
#[test]
fn eight_concurrent_first_invocations_share_one_decrypt_per_value_and_outlive_their_credentials() {
    let kms = kms_front();
    let api = RuntimeApi::start();
    // expired (to the SDK's cache, which renews 5-10 s early) within 3 s
    api.serve_credentials(INIT_KEY, Duration::from_secs(8));
    let function = Function::start(
        &api,
        &kms,
        "managed-instances",
        &[
            ("AWS_LAMBDA_INITIALIZATION_TYPE", "lambda-managed-instances"),
            ("AWS_LAMBDA_MAX_CONCURRENCY", "8"),
            ("SNAPSTART_EXAMPLE_NO_PREFETCH", "1"),
        ],
    );
    assert!(
        api.wait_for_polls(8),
        "the function did not open eight /invocation/next polls: {}",
        function.output()
    );
    // KMS holds its answer until all eight invocations are in the function: they overlap
    kms.hold();
    let ids = api.queue(&["{}"; 8]);
    assert!(api.wait_until_handed_out(), "{}", function.output());
    let deadline = Instant::now() + Duration::from_secs(5);
    while decrypts(&kms).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    // the eight handlers have all had their chance to ask too
    std::thread::sleep(Duration::from_millis(300));
    kms.release();
    let answers = api.answers(&ids);
    let right = answers
        .iter()
        .filter(|answer| answers_with_the_secrets(answer, false))
        .count();
    assert_eq!(right, 8, "{}", function.output());
    assert_eq!(
        decrypts(&kms),
        [INIT_KEY],
        "one Decrypt for eight invocations at once"
    );

    kms.revoke(INIT_KEY);
    api.serve_credentials(RESTORED_KEY, Duration::from_hours(1));
    std::thread::sleep(Duration::from_secs(4));
    assert!(api.wait_for_polls(8));
    let answers = api.invoke_all(&[r#"{"with_token": true}"#; 8]);
    let right = answers
        .iter()
        .filter(|answer| answers_with_the_secrets(answer, true))
        .count();
    assert_eq!(right, 8, "{}", function.output());
    assert_eq!(
        decrypts(&kms),
        [INIT_KEY, RESTORED_KEY],
        "the token: one Decrypt for eight invocations, with the credentials of the moment"
    );
}

/// A cgroup v1 `cpu` group with the CPU quota of a Lambda function of `mb` MB (1,769 MB is one
/// vCPU), as `scripts/bench_cold.py` makes them.
fn cpu_share(mb: u64) -> PathBuf {
    let group = PathBuf::from(format!("/sys/fs/cgroup/cpu/sealed-snapstart-{mb}mb"));
    std::fs::create_dir_all(&group).expect(
        "a cgroup v1 `cpu` group (this benchmark runs as root on a machine with cgroup v1's cpu \
         controller at /sys/fs/cgroup/cpu)",
    );
    std::fs::write(group.join("cpu.cfs_period_us"), "100000").unwrap();
    std::fs::write(
        group.join("cpu.cfs_quota_us"),
        (100_000 * mb / 1769).to_string(),
    )
    .unwrap();
    group
}

/// The median and the range of `times`, in milliseconds.
fn summary(mut times: Vec<Duration>) -> String {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "median {:.1} ms ({:.1}-{:.1})",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1])
    )
}

/// BENCHMARKS.md §9: the time from the restore (`/restore/next` answered) to the first
/// invocation's answer, with the plaintexts decrypted after the restore (the default) and kept
/// in the snapshot (`allow_plaintext_in_snapshot`); KMS over TLS (the test CA), each
/// environment a process of its own, at full speed and at a 128 MB function's CPU share. Then
/// eight concurrent first invocations under `run_concurrent()`. Run it with a release build:
/// `cargo test --release -p lambda-snapstart --features emulator --test snapstart -- --ignored
/// --nocapture` (after `eval "$(scripts/dev-kms)"` and the sealing step of `scripts/test`).
#[test]
#[ignore = "a benchmark (BENCHMARKS.md §9), not a test"]
fn benchmark_restore_to_first_answer() {
    const RUNS: usize = 7;
    let kms = kms_front();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench");
    std::fs::create_dir_all(&dir).unwrap();
    let tls = sealed_test_support::tls::TlsProxy::start(&format!("127.0.0.1:{}", kms.port), &dir);
    let ca = tls.ca_file.to_str().unwrap().to_owned();
    let full_speed: Option<PathBuf> = None;
    for (share, cgroup) in [("full speed", full_speed), ("128 MB", Some(cpu_share(128)))] {
        for (variant, extra) in [
            ("decrypted after the restore", None),
            (
                "plaintext kept in the snapshot",
                Some(("SNAPSTART_EXAMPLE_PLAINTEXT_IN_SNAPSHOT", "1")),
            ),
        ] {
            let mut times = Vec::new();
            for run in 0..=RUNS {
                let api = RuntimeApi::start();
                api.serve_credentials(INIT_KEY, Duration::from_hours(1));
                let mut env = vec![
                    ("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start"),
                    ("SSL_CERT_FILE", ca.as_str()),
                ];
                env.extend(extra);
                let function = Function::start_in(&api, &tls.url, cgroup.as_deref(), "bench", &env);
                assert!(api.wait_for_snapshot_point(), "{}", function.output());
                api.serve_credentials(RESTORED_KEY, Duration::from_hours(1));
                let restored = Instant::now();
                api.restore();
                let answer = api.invoke("{}");
                let took = restored.elapsed();
                assert!(
                    answers_with_the_secrets(&answer, false),
                    "{}",
                    function.output()
                );
                // the first run warms the caches of the machine, not of the function
                if run > 0 {
                    times.push(took);
                }
            }
            println!(
                "restore -> first answer, {share}, {variant}: {}",
                summary(times)
            );
        }
    }
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let api = RuntimeApi::start();
        api.serve_credentials(INIT_KEY, Duration::from_hours(1));
        let function = Function::start_in(
            &api,
            &tls.url,
            None,
            "bench-concurrent",
            &[
                ("AWS_LAMBDA_MAX_CONCURRENCY", "8"),
                ("SNAPSTART_EXAMPLE_NO_PREFETCH", "1"),
                ("SSL_CERT_FILE", ca.as_str()),
            ],
        );
        assert!(api.wait_for_polls(8), "{}", function.output());
        let started = Instant::now();
        let answers = api.invoke_all(&["{}"; 8]);
        times.push(started.elapsed());
        assert!(answers.iter().all(|a| answers_with_the_secrets(a, false)));
    }
    println!(
        "8 concurrent first invocations (no prefetch), full speed: {}",
        summary(times)
    );
}
