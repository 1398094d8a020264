//! The `static` declarations the benchmark programs include, from a directory of sealed values.
//!
//! The programs (`src/bin/*.rs`) are Rust, compiled by `cargo check --workspace --all-targets`;
//! only their lists of values are made here, because a `sealed!` names its file and key as
//! literals and the benchmarks seal theirs at run time. The directory is `SEALED_BENCH_SECRETS`
//! (what `scripts/bench` seals with the local KMS: `key`, `v0.kms`…, `app.bundle`, `app.stages`
//! and its stages' bundles) or, when unset, `fixtures/` (structurally valid values no KMS holds:
//! they compile without the `emulator` feature, which is all CI asks of them). It writes, in
//! `OUT_DIR`:
//!
//! * `values_N.rs` (N = 1, 8, 32): `static V0 … V{N-1}`, each `sealed!(file = …, key = …)`,
//!   reading `v{i}.kms` (cycling over the files there are);
//! * `bundle_N.rs` (N = 8, 32): the first N values of `app.bundle`;
//! * `stages_8.rs`: the first 8 values that every stage of `app.stages` has;
//! * `storm_values.rs`, `storm_bundle.rs`: every `v{i}.kms`, every value of `app.bundle`;
//! * `build_*.rs`: `SEALED_BENCH_BUILD_VALUES` (default 3) copies of one value from
//!   `fixtures/` as `sealed!`, as byte strings, as byte strings registered with linkme, and as
//!   the expansion of `sealed!` written by hand: what the build-cost benchmark checks.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;

fn main() {
    println!("cargo::rerun-if-env-changed=SEALED_BENCH_SECRETS");
    println!("cargo::rerun-if-env-changed=SEALED_BENCH_BUILD_VALUES");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let fixtures = manifest.join("fixtures");
    let dir =
        std::env::var_os("SEALED_BENCH_SECRETS").map_or_else(|| fixtures.clone(), PathBuf::from);
    println!("cargo::rerun-if-changed={}", dir.display());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap());
    let secrets = Secrets::read(&dir);

    for n in [1, 8, 32] {
        write(&out, &format!("values_{n}.rs"), &secrets.values(n));
    }
    for n in [8, 32] {
        write(&out, &format!("bundle_{n}.rs"), &secrets.bundled(n));
    }
    write(&out, "stages_8.rs", &secrets.staged(8));
    write(&out, "storm_values.rs", &secrets.values(secrets.files));
    write(
        &out,
        "storm_bundle.rs",
        &secrets.bundled(secrets.bundle_names.len()),
    );

    let count = std::env::var("SEALED_BENCH_BUILD_VALUES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3);
    build_cost(&out, &fixtures, count);
}

fn write(out: &Path, name: &str, text: &str) {
    std::fs::write(out.join(name), text).unwrap_or_else(|e| panic!("writing {name}: {e}"));
}

/// What a directory of sealed values holds.
struct Secrets {
    dir: PathBuf,
    key: String,
    /// How many `v{i}.kms` there are, from `v0.kms` on.
    files: usize,
    bundle_names: Vec<String>,
    /// `app.bundle`'s key and readers pin (`key = …`, `readers = …`). A benchmark's generated
    /// programs pin what the fixtures hold; a real program's pins are written by a person, never
    /// computed from the data they guard.
    bundle_key: String,
    bundle_readers: String,
    /// `app.stages`'s readers pin.
    stage_readers: String,
    /// The names every stage of `app.stages` has.
    stage_names: Vec<String>,
}

impl Secrets {
    fn read(dir: &Path) -> Secrets {
        let text = |name: &str| {
            std::fs::read_to_string(dir.join(name))
                .unwrap_or_else(|e| panic!("{}: {e}", dir.join(name).display()))
        };
        let files = (0..100_000)
            .take_while(|i| dir.join(format!("v{i}.kms")).exists())
            .count();
        assert!(files > 0, "{}: no v0.kms", dir.display());
        // the storm's directory has no stage set
        let set = std::fs::read_to_string(dir.join("app.stages")).unwrap_or_default();
        let stages: Vec<String> = set
            .lines()
            .filter_map(|line| line.strip_prefix("stage "))
            .filter_map(|rest| rest.split_whitespace().nth(1).map(str::to_owned))
            .collect();
        let mut stage_names = stages.first().map(|f| names(&text(f))).unwrap_or_default();
        for file in stages.iter().skip(1) {
            let others = names(&text(file));
            stage_names.retain(|name| others.contains(name));
        }
        let bundle = sealed_format::Bundle::parse(&text("app.bundle"))
            .unwrap_or_else(|e| panic!("{}: {e}", dir.join("app.bundle").display()));
        let stage_readers = sealed_format::StageSet::parse(&set)
            .map(|set| sealed_format::Readers::of_stage_set(&set).inline())
            .unwrap_or_default();
        Secrets {
            dir: dir.to_owned(),
            key: text("key").trim().to_owned(),
            files,
            bundle_names: names(&text("app.bundle")),
            bundle_key: bundle.key.clone(),
            bundle_readers: sealed_format::Readers::of_bundle(&bundle).inline(),
            stage_readers,
            stage_names,
        }
    }

    fn path(&self, file: &str) -> String {
        self.dir
            .join(file)
            .display()
            .to_string()
            .escape_default()
            .to_string()
    }

    fn values(&self, n: usize) -> String {
        (0..n).fold(String::new(), |mut text, i| {
            let file = self.path(&format!("v{}.kms", i % self.files));
            let key = &self.key;
            writeln!(
                text,
                "static V{i}: Sealed = sealed!(file = \"{file}\", key = \"{key}\");"
            )
            .unwrap();
            text
        })
    }

    fn bundled(&self, n: usize) -> String {
        let (bundle, key, readers) = (
            self.path("app.bundle"),
            &self.bundle_key,
            &self.bundle_readers,
        );
        self.bundle_names.iter().take(n).enumerate().fold(String::new(), |mut text, (i, name)| {
            writeln!(
                text,
                "static V{i}: Sealed = sealed!(bundle = \"{bundle}\", name = \"{name}\", key = \"{key}\", readers = {readers});"
            )
            .unwrap();
            text
        })
    }

    fn staged(&self, n: usize) -> String {
        let (set, readers) = (self.path("app.stages"), &self.stage_readers);
        self.stage_names
            .iter()
            .take(n)
            .enumerate()
            .fold(String::new(), |mut text, (i, name)| {
                writeln!(
                    text,
                    "static V{i}: Sealed = sealed!(stages = \"{set}\", name = \"{name}\", readers = {readers});"
                )
                .unwrap();
                text
            })
    }
}

/// The names of a bundle's `value` lines.
fn names(bundle: &str) -> Vec<String> {
    bundle
        .lines()
        .filter_map(|line| line.strip_prefix("value "))
        .filter_map(|rest| rest.split_whitespace().next().map(str::to_owned))
        .collect()
}

/// The build-cost programs: `count` copies of `fixtures/v0.kms` in four forms.
fn build_cost(out: &Path, fixtures: &Path, count: usize) {
    let literal = std::fs::read_to_string(fixtures.join("v0.kms")).unwrap();
    let literal = literal.trim();
    let raw = base64::engine::general_purpose::STANDARD
        .decode(literal)
        .unwrap();
    let bytes = escaped(&raw);
    // the key material id: the 32 bytes after the blob's 5-byte header (KMS-FORMAT.md)
    let material = escaped(&raw[5..37]);
    let mut sealed = String::new();
    let mut plain = String::new();
    let mut linkme = String::new();
    let mut expanded = String::new();
    for i in 0..count {
        writeln!(
            sealed,
            "static S{i}: Sealed = sealed!(\"{literal}\", key = \"alias/app\");"
        )
        .unwrap();
        writeln!(plain, "static S{i}: &[u8] = b\"{bytes}\";").unwrap();
        writeln!(
            linkme,
            "#[linkme::distributed_slice(ALL)]\n#[linkme(crate = sealed_runtime::__private::linkme)]\nstatic S{i}: &[u8] = b\"{bytes}\";"
        )
        .unwrap();
        // what `sealed!` expands to (sealed-macro/src/expand.rs), less its registration
        writeln!(
            expanded,
            "static S{i}: Sealed = {{ static SEALED_VALUE: ValueCell = ValueCell::new(Declaration::Ciphertext(Request {{ \
             location: location(file!(), line!(), column!()), \
             ciphertext: b\"{bytes}\", family: BlobFamily::AwsV2, key: Some(\"alias/app\"), context: &[], \
             algorithm: Algorithm::SymmetricDefault, plaintext_len: Some(12), \
             key_material_id: Some(b\"{material}\"), emulator_key_id: None, config: None }})); \
             sealed_of(&SEALED_VALUE) }};"
        )
        .unwrap();
    }
    write(out, "build_sealed.rs", &sealed);
    write(out, "build_bytes.rs", &plain);
    write(out, "build_linkme.rs", &linkme);
    write(out, "build_expanded.rs", &expanded);
}

fn escaped(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut text, b| {
        write!(text, "\\x{b:02x}").unwrap();
        text
    })
}
