//! SnapStart's restore under CRIU (`scripts/bench_snapstart_criu.py`): a process that does what a
//! SnapStart INIT does with the library's two steps, is checkpointed, and is restored twice from
//! the one dump, each copy an execution environment of its own.
//!
//! INIT: `prefetch()` of a plain value and a bundle of 8 (deferred: `AWS_LAMBDA_INITIALIZATION_TYPE`
//! is `snap-start`), then `snapstart::before_snapshot()`, then it writes `ready` into
//! `SNAPSHOT_OUT` and waits for the file `SNAPSHOT_GO` (the checkpoint is taken while it waits).
//! With `SNAPSHOT_CONTROL` set it reads the plain value in INIT first (the control: the
//! checkpoint then holds that plaintext). Restored: it names itself with a fresh id from the kernel, runs `snapstart::after_restore()`
//! with `sealed_runtime`'s DEBUG events (its throttled pauses) going to `SNAPSHOT_OUT/env-ID.log`,
//! and writes there what it decrypted (lengths only).
#![allow(dead_code)] // each value is used: `prefetch()` decrypts every registered one
use std::io::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use sealed_runtime::{sealed, Sealed};

mod plain {
    use super::{sealed, Sealed};
    include!(concat!(env!("OUT_DIR"), "/values_1.rs"));
    pub fn value() -> Sealed {
        V0
    }
}

mod bundled {
    use super::{sealed, Sealed};
    include!(concat!(env!("OUT_DIR"), "/bundle_8.rs"));
    pub fn value() -> Sealed {
        V0
    }
}

fn path_from(variable: &str) -> PathBuf {
    std::env::var_os(variable).map_or_else(|| panic!("{variable} names a path"), PathBuf::from)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let out = path_from("SNAPSHOT_OUT");
    let go = path_from("SNAPSHOT_GO");
    let kept = sealed_runtime::prefetch()
        .await
        .expect("prefetch keeps its values");
    if std::env::var_os("SNAPSHOT_CONTROL").is_some() {
        // the control: a value read in INIT, whose plaintext the checkpoint must then hold
        plain::value()
            .get()
            .await
            .expect("the control's value decrypts in INIT");
    }
    sealed_runtime::snapstart::before_snapshot();
    std::fs::write(
        out.join("ready"),
        format!("{} {kept}\n", std::process::id()),
    )
    .unwrap();
    while !go.exists() {
        std::thread::sleep(Duration::from_millis(20));
    }

    // a restored environment: the id the kernel draws now differs in each copy
    let id = std::fs::read_to_string("/proc/sys/kernel/random/uuid").unwrap();
    let log = std::fs::File::create(out.join(format!("env-{}.log", id.trim()))).unwrap();
    let writer = std::sync::Mutex::new(log.try_clone().unwrap());
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(writer)
        .init();
    let started = Instant::now();
    let restored = sealed_runtime::snapstart::after_restore().await;
    let took = started.elapsed();
    let mut log = log;
    writeln!(
        log,
        "RESULT after_restore: {} in {took:?}; plain value {:?} bytes; bundle value {:?} bytes",
        restored.map_or_else(|e| format!("failed: {e}"), |n| format!("{n} values")),
        plain::value().try_get().map(sealed_runtime::Secret::len),
        bundled::value()
            .get()
            .await
            .map(sealed_runtime::Secret::len)
            .map_err(|e| e.to_string()),
    )
    .unwrap();
}
