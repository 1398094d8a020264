//! `sealed!` in the shapes real codebases have, each built as its own crate and run against the
//! emulator: a renamed dependency (`secrets = { package = "sealed-runtime" }`), a company facade
//! crate that re-exports `sealed!` (used from a crate that depends on the facade only, directly
//! and through a macro of the facade's), the user's own `macro_rules!` handing `sealed!` its
//! ciphertext, key and context value as `$c:literal`, `$c:expr`, `$k:expr`, `$v:literal`, and two
//! semver-incompatible versions of `sealed-runtime` in one binary (a library on 0.1, the
//! application on a copy of this crate at 0.2.0), each listing and decrypting its own values.
//!
//! One scratch workspace holds every crate, so they build in one `cargo build`. Each program
//! gets the plaintexts it must see in `SEALED_EXPECTED` and prints only `ok …` lines (never a
//! plaintext); a mismatch exits non-zero naming the value.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use sealed_test_support::{canary, cargo, require_emulator, root, seal};

/// The workspace's own `Cargo.toml` for the scratch workspace: its dependency table with the
/// paths made absolute, its lints and profile; `members` replaced.
fn workspace_manifest(members: &[&str]) -> String {
    let main = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let root = root();
    let mut out = String::new();
    for line in main.lines() {
        if line.starts_with("members") {
            let list = members
                .iter()
                .map(|m| format!("{m:?}"))
                .collect::<Vec<_>>()
                .join(", ");
            writeln!(out, "members = [{list}]").unwrap();
        } else if line.starts_with("exclude") {
        } else if let Some((name, rest)) = line.split_once(" = { path = \"") {
            let (path, tail) = rest.split_once('"').unwrap();
            writeln!(
                out,
                "{name} = {{ path = {:?}{tail}",
                root.join(path).display().to_string()
            )
            .unwrap();
        } else {
            writeln!(out, "{line}").unwrap();
        }
    }
    out
}

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A package manifest; cargo finds `src/main.rs` or `src/lib.rs` itself.
fn package(name: &str, dependencies: &str) -> String {
    format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\n{dependencies}\n"
    )
}

const TOKIO: &str = "tokio = { version = \"1\", features = [\"rt\", \"macros\"] }";

/// The check every program ends with: each value decrypted to what `SEALED_EXPECTED` says.
const CHECK: &str = r#"
fn check(values: &[(&str, Option<&[u8]>)]) {
    let expected = std::env::var("SEALED_EXPECTED").expect("SEALED_EXPECTED");
    let expected: Vec<&str> = expected.split(',').collect();
    assert_eq!(expected.len(), values.len(), "one expected plaintext per value");
    for (&(name, secret), want) in values.iter().zip(expected) {
        let secret = secret.unwrap_or_else(|| panic!("{name} was not prefetched"));
        if secret != want.as_bytes() {
            eprintln!("{name}: wrong plaintext ({} bytes)", secret.len());
            std::process::exit(1);
        }
        println!("ok {name}");
    }
}
"#;

/// A copy of this workspace's `sealed-runtime` at version 0.2.0, as a release after 0.1 would
/// be: the same sources, another breaking version.
fn copy_runtime_as_next_version(dir: &Path) {
    let from = root().join("sealed-runtime");
    let manifest = std::fs::read_to_string(from.join("Cargo.toml")).unwrap();
    let manifest = manifest
        .replace("\nversion.workspace = true", "\nversion = \"0.2.0\"")
        .split("\n[dev-dependencies]")
        .next()
        .unwrap()
        .to_owned()
        + "\n[lints]\nworkspace = true\n";
    write(dir, "next-runtime/Cargo.toml", &manifest);
    let copied = Command::new("cp")
        .arg("-r")
        .arg(from.join("src"))
        .arg(from.join("build.rs"))
        .arg(dir.join("next-runtime"))
        .status()
        .unwrap();
    assert!(copied.success());
}

struct Program {
    name: &'static str,
    expected: Vec<String>,
}

#[test]
#[allow(clippy::too_many_lines)] // one scratch workspace, written out in order
fn renamed_facade_user_macros_and_two_versions_compile_and_decrypt() {
    require_emulator();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let runtime = "sealed-runtime = { workspace = true, features = [\"emulator\"] }";
    let mut programs = Vec::new();

    // a renamed dependency
    let renamed = canary("renamed");
    let (key, ciphertext) = seal(&renamed, &[("app", "renamed")]);
    write(
        dir,
        "renamed/Cargo.toml",
        &package(
            "renamed",
            &format!(
                "secrets = {{ package = \"sealed-runtime\", path = {:?}, features = [\"emulator\"] }}\n{TOKIO}",
                root().join("sealed-runtime").display().to_string()
            ),
        ),
    );
    write(
        dir,
        "renamed/src/main.rs",
        &format!(
            "use secrets::{{Sealed, Secret}};\n\nstatic VALUE: Sealed = secrets::sealed!(\"{ciphertext}\", key = \"{key}\", context = {{ \"app\": \"renamed\" }});\n\n#[tokio::main(flavor = \"current_thread\")]\nasync fn main() {{\n    secrets::prefetch().await.unwrap();\n    check(&[(\"renamed\", VALUE.try_get().map(Secret::expose))]);\n}}\n{CHECK}"
        ),
    );
    programs.push(Program {
        name: "renamed",
        expected: vec![renamed],
    });

    // a facade crate, and a crate that depends only on it
    write(
        dir,
        "company-secrets/Cargo.toml",
        &package("company-secrets", runtime),
    );
    write(
        dir,
        "company-secrets/src/lib.rs",
        "//! The company's facade.\npub use sealed_runtime::{prefetch, sealed, Sealed, Secret};\n\n/// The company's own front to `sealed!`.\n#[macro_export]\nmacro_rules! company_secret {\n    ($ciphertext:literal, $key:expr) => {\n        $crate::sealed!($ciphertext, key = $key)\n    };\n}\n",
    );
    let direct = canary("facade");
    let (direct_key, direct_ciphertext) = seal(&direct, &[]);
    let through = canary("facade-macro");
    let (through_key, through_ciphertext) = seal(&through, &[]);
    write(
        dir,
        "via-facade/Cargo.toml",
        &package(
            "via-facade",
            &format!("company-secrets = {{ path = \"../company-secrets\" }}\n{TOKIO}"),
        ),
    );
    write(
        dir,
        "via-facade/src/main.rs",
        &format!(
            "use company_secrets::{{sealed, Sealed, Secret}};\n\nstatic DIRECT: Sealed = sealed!(\"{direct_ciphertext}\", key = \"{direct_key}\");\nstatic THROUGH: Sealed = company_secrets::company_secret!(\"{through_ciphertext}\", \"{through_key}\");\n\n#[tokio::main(flavor = \"current_thread\")]\nasync fn main() {{\n    company_secrets::prefetch().await.unwrap();\n    check(&[(\"direct\", DIRECT.try_get().map(Secret::expose)), (\"through the facade's macro\", THROUGH.try_get().map(Secret::expose))]);\n}}\n{CHECK}"
        ),
    );
    programs.push(Program {
        name: "via-facade",
        expected: vec![direct, through],
    });

    // the user's own macro_rules!, with each kind of fragment
    let mut expected = Vec::new();
    let mut statics = String::new();
    let mut names = Vec::new();
    for (name, invocation) in [
        ("literal", "by_literal!(\"{c}\")"),
        ("expr", "by_expr!(\"{c}\")"),
        ("key as expr", "with_key!(\"{c}\", \"{k}\")"),
        (
            "context value as literal",
            "with_context!(\"{c}\", \"billing\")",
        ),
        ("every argument as tt", "by_tokens!(\"{c}\", key = \"{k}\")"),
    ] {
        let plaintext = canary(&name.replace(' ', "-"));
        let context: &[(&str, &str)] = if name.starts_with("context") {
            &[("app", "billing")]
        } else {
            &[]
        };
        let (key, ciphertext) = seal(&plaintext, context);
        let invocation = invocation.replace("{c}", &ciphertext).replace("{k}", &key);
        let ident = format!("V{}", names.len());
        writeln!(statics, "static {ident}: Sealed = {invocation};").unwrap();
        names.push((name, ident));
        expected.push(plaintext);
    }
    let values = names
        .iter()
        .map(|(name, ident)| format!("(\"{name}\", {ident}.try_get().map(Secret::expose))"))
        .collect::<Vec<_>>()
        .join(", ");
    write(
        dir,
        "user-macros/Cargo.toml",
        &package("user-macros", &format!("{runtime}\n{TOKIO}")),
    );
    write(
        dir,
        "user-macros/src/main.rs",
        &format!(
            "use sealed_runtime::{{sealed, Sealed, Secret}};\n\n\
             macro_rules! by_literal {{ ($c:literal) => {{ sealed!($c) }}; }}\n\
             macro_rules! by_expr {{ ($c:expr) => {{ sealed!($c) }}; }}\n\
             macro_rules! with_key {{ ($c:literal, $k:expr) => {{ sealed!($c, key = $k) }}; }}\n\
             macro_rules! with_context {{ ($c:literal, $v:literal) => {{ sealed!($c, context = {{ \"app\": $v }}) }}; }}\n\
             macro_rules! by_tokens {{ ($($t:tt)*) => {{ sealed!($($t)*) }}; }}\n\n\
             {statics}\n\
             #[tokio::main(flavor = \"current_thread\")]\nasync fn main() {{\n    sealed_runtime::prefetch().await.unwrap();\n    check(&[{values}]);\n}}\n{CHECK}"
        ),
    );
    programs.push(Program {
        name: "user-macros",
        expected,
    });

    // two semver-incompatible versions in one binary
    copy_runtime_as_next_version(dir);
    let old = canary("version-0-1");
    let (old_key, old_ciphertext) = seal(&old, &[]);
    let new = canary("version-0-2");
    let (new_key, new_ciphertext) = seal(&new, &[]);
    write(dir, "old-lib/Cargo.toml", &package("old-lib", runtime));
    write(
        dir,
        "old-lib/src/lib.rs",
        &format!(
            "//! A dependency on sealed-runtime 0.1.\nuse sealed_runtime::{{sealed, Sealed}};\n\n/// Its value.\npub static OLD: Sealed = sealed!(\"{old_ciphertext}\", key = \"{old_key}\");\n\n/// What 0.1 lists.\npub fn registered() -> Vec<Sealed> {{\n    sealed_runtime::registered().collect()\n}}\n\n/// 0.1's prefetch.\npub async fn prefetch() {{\n    sealed_runtime::prefetch().await.unwrap();\n}}\n\n/// 0.1's plaintext of its value.\npub fn plaintext() -> Option<&'static [u8]> {{\n    OLD.try_get().map(sealed_runtime::Secret::expose)\n}}\n"
        ),
    );
    write(
        dir,
        "two-versions/Cargo.toml",
        &package(
            "two-versions",
            &format!("sealed-runtime = {{ version = \"0.2\", path = \"../next-runtime\", features = [\"emulator\"] }}\nold-lib = {{ path = \"../old-lib\" }}\n{TOKIO}"),
        ),
    );
    write(
        dir,
        "two-versions/src/main.rs",
        &format!(
            "use sealed_runtime::{{sealed, Sealed, Secret}};\n\nstatic NEW: Sealed = sealed!(\"{new_ciphertext}\", key = \"{new_key}\");\n\n#[tokio::main(flavor = \"current_thread\")]\nasync fn main() {{\n    let new: Vec<Sealed> = sealed_runtime::registered().collect();\n    assert!(new.len() == 1 && new[0].same_value(&NEW), \"0.2 lists its own value only\");\n    let old = old_lib::registered();\n    assert!(old.len() == 1 && old[0].same_value(&old_lib::OLD), \"0.1 lists its own value only\");\n    println!(\"ok each version lists its own value\");\n    sealed_runtime::prefetch().await.unwrap();\n    old_lib::prefetch().await;\n    check(&[(\"0.1\", old_lib::plaintext()), (\"0.2\", NEW.try_get().map(Secret::expose))]);\n}}\n{CHECK}"
        ),
    );
    programs.push(Program {
        name: "two-versions",
        expected: vec![old, new],
    });

    write(
        dir,
        "Cargo.toml",
        &workspace_manifest(&[
            "renamed",
            "company-secrets",
            "via-facade",
            "user-macros",
            "next-runtime",
            "old-lib",
            "two-versions",
        ]),
    );
    // the workspace's lock file: the same dependency versions, so the build reuses its cache
    std::fs::copy(root().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    let target = root().join("target/scratch");
    let build = Command::new(cargo())
        .args(["build", "--offline", "--workspace", "--bins"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "the scratch workspace does not build:\n{}",
        String::from_utf8_lossy(&build.stderr)
    );
    for program in programs {
        let run = Command::new(target.join("debug").join(program.name))
            .env("SEALED_EXPECTED", program.expected.join(","))
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&run.stdout);
        let stderr = String::from_utf8_lossy(&run.stderr);
        for plaintext in &program.expected {
            assert!(
                !stdout.contains(plaintext.as_str()) && !stderr.contains(plaintext.as_str()),
                "{} printed a plaintext",
                program.name
            );
        }
        assert!(
            run.status.success(),
            "{} failed:\n{stdout}\n{stderr}",
            program.name
        );
        let oks = stdout.lines().filter(|l| l.starts_with("ok ")).count();
        let values = program.expected.len() + usize::from(program.name == "two-versions");
        assert_eq!(oks, values, "{}: {stdout}", program.name);
    }
}
