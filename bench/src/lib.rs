//! Programs and helpers that `scripts/bench` runs to measure `sealed` against the alternatives a
//! user would pick; the figures land in `BENCHMARKS.md`.

/// The ciphertext (base64) and key a measurement program decrypts, from the environment that
/// `scripts/bench` sets up against the local KMS emulator.
///
/// # Panics
///
/// When `SEALED_BENCH_CIPHERTEXT` or `SEALED_BENCH_KEY` is not set: run `scripts/bench`.
pub fn target() -> (String, String) {
    let get = |name: &str| {
        std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run scripts/bench"))
    };
    (get("SEALED_BENCH_CIPHERTEXT"), get("SEALED_BENCH_KEY"))
}
