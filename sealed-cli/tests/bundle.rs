//! `cargo sealed bundle` against the moto KMS emulator, and the bundle it writes used by
//! `sealed!(bundle = …, name = …)` in a crate built and run as a user would: `set` with no
//! credentials and no reachable KMS, one `Decrypt` per process for all its values, `check`,
//! `check --kms` (and `--open`), `policy` (and `--key-policy`), `inspect`, `reseal` refusing a
//! bundle, and `rotate` giving it a new id and key pair, then moving it to another key (the
//! crate rebuilds, fails at its key pins until they name the new key, and decrypts).

use std::path::Path;
use std::process::Command as Process;

use assert_cmd::Command;
use sealed_test_support::emulator::require_emulator;
use sealed_test_support::{create_key, root};

const CANARY: &str = "bundle-canary-a41d";

fn cli(dir: &Path) -> Command {
    require_emulator();
    let mut command = Command::cargo_bin("cargo-sealed").unwrap();
    command
        .arg("sealed")
        .env("NO_COLOR", "1")
        .env("SEALED_KNOWN_BUNDLES", dir.join(".known-bundles"))
        .current_dir(dir);
    command
}

/// Runs `cargo sealed ARGS` in `dir` with `stdin`: (exit code, stdout, stderr).
fn run(dir: &Path, args: &[&str], stdin: &str) -> (i32, String, String) {
    outcome(cli(dir).args(args).write_stdin(stdin), args)
}

/// What `command` (`cargo sealed ARGS`) printed, no plaintext in it: (exit code, stdout, stderr).
fn outcome(command: &mut Command, args: &[&str]) -> (i32, String, String) {
    let output = command.output().unwrap();
    let (out, err) = (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    );
    assert!(
        !out.contains(CANARY) && !err.contains(CANARY),
        "`cargo sealed {}` printed a plaintext",
        args.join(" ")
    );
    (output.status.code().unwrap_or(-1), out, err)
}

fn ok(dir: &Path, args: &[&str], stdin: &str) -> (String, String) {
    let (code, out, err) = run(dir, args, stdin);
    assert_eq!(code, 0, "`cargo sealed {}`:\n{out}\n{err}", args.join(" "));
    (out, err)
}

/// The readers of the bundle file `path`.
fn readers_of(path: &Path) -> sealed_format::Readers {
    let bundle = sealed_format::Bundle::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    sealed_format::Readers::of_bundle(&bundle)
}

/// The fingerprint of the public key of the bundle file `path`, as the CLI prints it.
fn fingerprint(path: &Path) -> String {
    let bundle = sealed_format::Bundle::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    sealed_format::public_key_fingerprint(bundle.public_key())
}

async fn new_key() -> String {
    create_key(&aws_sdk_kms::Client::from_conf(
        sealed_runtime::kms::default_config().await,
    ))
    .await
}

fn plaintext(i: usize) -> String {
    format!("{CANARY}-{i}")
}

/// The program: every value prefetched, checked against `SEALED_EXPECTED`, and the number of
/// requests its KMS client sent.
fn program(names: &[String], key: &str, readers: &str) -> String {
    let statics = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            format!("static V{i}: Sealed = sealed!(bundle = \"secrets/app.bundle\", name = \"{name}\", key = \"{key}\", readers = {readers});")
        })
        .collect::<Vec<_>>()
        .join("\n");
    let values = (0..names.len())
        .map(|i| format!("V{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        r#"use std::sync::atomic::{{AtomicUsize, Ordering}};
use std::sync::Arc;

use aws_sdk_kms::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_kms::config::{{ConfigBag, Intercept, RuntimeComponents}};
use sealed_runtime::{{sealed, Sealed}};

{statics}
#[derive(Debug)]
struct Calls(Arc<AtomicUsize>);

impl Intercept for Calls {{
    fn name(&self) -> &'static str {{ "calls" }}
    fn read_before_transmit(&self, _: &BeforeTransmitInterceptorContextRef<'_>, _: &RuntimeComponents, _: &mut ConfigBag) -> Result<(), aws_sdk_kms::error::BoxError> {{
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }}
}}

#[tokio::main(flavor = "current_thread")]
async fn main() {{
    let calls = Arc::new(AtomicUsize::new(0));
    let config = sealed_runtime::kms::default_config().await.to_builder().interceptor(Calls(calls.clone())).build();
    sealed_runtime::set_client(&aws_sdk_kms::Client::from_conf(config)).unwrap();
    if let Err(error) = sealed_runtime::prefetch().await {{
        eprintln!("{{error}}");
        std::process::exit(1);
    }}
    let expected = std::env::var("SEALED_EXPECTED").unwrap();
    for (value, want) in [{values}].iter().zip(expected.split(',')) {{
        // a bundle value opens on its first access (prefetch unwrapped the key)
        match value.get().await {{
            Ok(secret) => assert!(secret.expose() == want.as_bytes(), "a wrong plaintext"),
            Err(error) => {{
                eprintln!("{{error}}");
                std::process::exit(1);
            }}
        }}
    }}
    println!("ok {{}} values, {{}} requests, key {{}}", expected.split(',').count(), calls.load(Ordering::SeqCst), V0.key().unwrap().as_str());
}}
"#
    )
}

/// `cargo run` of the scratch crate in `dir`: (success, stdout, stderr).
fn cargo_run(dir: &Path, expected: &[String]) -> (bool, String, String) {
    let output = Process::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["run", "--quiet", "--offline"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", root().join("target/scratch"))
        .env("SEALED_EXPECTED", expected.join(","))
        .output()
        .unwrap();
    let (out, err) = (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    );
    assert!(
        !out.contains(CANARY) && !err.contains(CANARY),
        "the program printed a plaintext"
    );
    (output.status.success(), out, err)
}

#[tokio::test]
#[allow(clippy::too_many_lines)] // one bundle's life, in order
async fn a_bundle_from_new_to_reseal_as_a_user_meets_it() {
    let (key, other_key) = (new_key().await, new_key().await);
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let runtime = root().join("sealed-runtime").canonicalize().unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"bundled\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nsealed-runtime = {{ path = {:?}, features = [\"emulator\"] }}\naws-sdk-kms = {{ version = \"1.129\", default-features = false, features = [\"rt-tokio\"] }}\ntokio = {{ version = \"1\", features = [\"rt\", \"macros\"] }}\n\n[profile.dev.package.\"*\"]\ndebug = false\n\n[workspace]\n",
            runtime.display().to_string()
        ),
    )
    .unwrap();
    std::fs::copy(root().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();

    // new: one key pair; a second `new` would lose the values, so it needs --force
    let file = "secrets/app.bundle";
    let (_, said) = ok(
        dir,
        &[
            "bundle",
            "new",
            file,
            "--key",
            &key,
            "--context",
            "app=billing",
        ],
        "",
    );
    assert!(
        said.starts_with(&format!("created `{file}` (id ")),
        "{said}"
    );
    assert!(said.contains(&format!(" under `{key}` (moto;")), "{said}");
    let (code, _, err) = run(dir, &["bundle", "new", file, "--key", &key], "");
    assert_eq!(code, 1);
    assert!(
        err.contains("exists; its values open only with its own key pair"),
        "{err}"
    );

    // set: ten values from stdin, one of them replaced; a bad name refused. A writer needs the
    // file and nothing else: no AWS variable at all, and the KMS endpoint a closed port
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nowhere = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let writer = |args: &[&str], stdin: &str| {
        let mut command = cli(dir);
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("AWS_") {
                command.env_remove(name);
            }
        }
        command
            .env("AWS_ENDPOINT_URL_KMS", &nowhere)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("HOME", dir.join("no-home"))
            .args(args)
            .write_stdin(stdin);
        let (code, out, err) = outcome(&mut command, args);
        assert_eq!(code, 0, "`cargo sealed {}`:\n{out}\n{err}", args.join(" "));
        assert!(!err.contains(CANARY) && !out.contains(CANARY));
        (out, err)
    };
    let names: Vec<String> = (0..10).map(|i| format!("value_{i}")).collect();
    for (i, name) in names.iter().enumerate() {
        let (line, said) = writer(&["bundle", "set", file, name], &plaintext(i + 100));
        let readers = readers_of(&dir.join(file)).inline();
        assert_eq!(
            line.trim(),
            format!("sealed!(bundle = \"{file}\", name = \"{name}\", key = \"{key}\", readers = {readers})")
        );
        assert!(said.starts_with(&format!("added `{name}`")), "{said}");
        assert!(said.contains(&format!("generation {}", i + 1)), "{said}");
        assert!(said.contains("(no KMS call)\n"), "{said}");
        // every write names every reader: here the bundle's key alone
        assert!(
            said.ends_with(&format!(
                "sealed to 1 reader(s):\n  key {key} (account 123456789012, public key {})\n",
                fingerprint(&dir.join(file))
            )),
            "{said}"
        );
    }
    let (_, said) = ok(dir, &["bundle", "set", file, "value_0"], &plaintext(0));
    assert!(said.starts_with("replaced `value_0`"), "{said}");
    let (code, _, err) = run(dir, &["bundle", "set", file, "bad name"], "x");
    assert_eq!(code, 1);
    assert!(err.contains("invalid value name `bad name`"), "{err}");

    // rm and ls: no KMS call
    ok(dir, &["bundle", "rm", file, "value_9"], "");
    let (code, _, err) = run(dir, &["bundle", "rm", file, "value_9"], "");
    assert_eq!(code, 1);
    assert!(
        err.contains("no value `value_9` in `secrets/app.bundle`; its values: value_0, value_1"),
        "{err}"
    );
    let names = &names[..9];
    let (listing, _) = ok(dir, &["bundle", "ls", file], "");
    let listed: Vec<&str> = listing
        .lines()
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert_eq!(listed, names);
    assert!(
        listing.starts_with(&format!(
            "value_0\tgeneration 11\t{} bytes\nvalue_1\tgeneration 2\t",
            plaintext(0).len()
        )),
        "{listing}"
    );
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    assert_eq!(text.lines().filter(|l| l.starts_with("value ")).count(), 9);
    let (shown, _) = ok(
        dir,
        &[
            "inspect",
            "--emulator",
            &format!("@{}", dir.join(file).display()),
        ],
        "",
    );
    assert!(
        shown.contains(&format!(
            "key:         {key}\ncontext:     app=billing\npublic key:  "
        )),
        "{shown}"
    );

    // the crate: nine values, one Decrypt
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let readers = readers_of(&dir.join(file)).inline();
    std::fs::write(dir.join("src/main.rs"), program(names, &key, &readers)).unwrap();
    let expected: Vec<String> = std::iter::once(plaintext(0))
        .chain((1..9).map(|i| plaintext(i + 100)))
        .collect();
    let (success, out, err) = cargo_run(dir, &expected);
    assert!(success, "{out}\n{err}");
    assert_eq!(out.trim(), format!("ok 9 values, 1 requests, key {key}"));

    // check, check --kms (one dry run for the bundle), policy
    let (listing, summary) = ok(dir, &["check", "--emulator"], "");
    assert_eq!(
        listing
            .lines()
            .filter(|l| l.contains("bundle secrets/app.bundle value value_"))
            .count(),
        9,
        "{listing}"
    );
    assert!(
        summary.contains("9 sealed values found, 0 failed"),
        "{summary}"
    );
    let (listing, _) = ok(dir, &["check", "--emulator", "--kms"], "");
    assert_eq!(
        listing
            .lines()
            .filter(|l| l.contains("ok (the bundle's private key decrypts: ")
                && l.ends_with("; the value itself was not opened: `--open` opens it)"))
            .count(),
        9,
        "{listing}"
    );
    let (listing, summary) = ok(dir, &["check", "--emulator", "--kms", "--open"], "");
    assert_eq!(
        listing
            .lines()
            .filter(|l| l.contains("ok (opens: the private key decrypts and is the pair of the file's public key, and the value opens with it; the plaintext was discarded unread)"))
            .count(),
        9,
        "{listing}"
    );
    assert!(
        summary.contains("(decrypted and opened with KMS)"),
        "{summary}"
    );
    let (policy, _) = ok(dir, &["policy", "--emulator"], "");
    let policy: serde_json::Value = serde_json::from_str(&policy).unwrap();
    assert_eq!(policy["Statement"].as_array().unwrap().len(), 1, "{policy}");
    assert_eq!(policy["Statement"][0]["Resource"][0], key.as_str());
    assert_eq!(
        policy["Statement"][0]["Condition"]["StringEquals"]["kms:EncryptionContext:app"],
        "billing"
    );
    let id = text
        .lines()
        .find_map(|l| l.strip_prefix("id "))
        .unwrap()
        .to_owned();
    assert_eq!(
        policy["Statement"][0]["Condition"]["StringEquals"]["kms:EncryptionContext:sealed:bundle"],
        id.as_str(),
        "the function's grant is for this bundle only"
    );
    // the key policy that keeps a known private key out of a bundle: by default the deny is
    // conditioned on a `sealed:` context key; for a key dedicated to bundles, outright
    let (shared, _) = ok(dir, &["policy", "--emulator", "--key-policy"], "");
    let shared: serde_json::Value = serde_json::from_str(&shared).unwrap();
    assert_eq!(
        shared[key.as_str()]["Statement"][0]["Condition"]["ForAnyValue:StringLike"]
            ["kms:EncryptionContextKeys"],
        "sealed:*",
        "{shared}"
    );
    let (key_policy, warned) = ok(
        dir,
        &["policy", "--emulator", "--key-policy", "--dedicated"],
        "",
    );
    let key_policy: serde_json::Value = serde_json::from_str(&key_policy).unwrap();
    let statements = &key_policy[key.as_str()]["Statement"];
    assert_eq!(
        statements[0]["Sid"], "SealedBundleKeyOnlyWithoutPlaintext",
        "{key_policy}"
    );
    assert_eq!(statements[0]["Effect"], "Deny");
    assert_eq!(statements[0].get("Condition"), None, "{key_policy}");
    let denied: Vec<&str> = statements[0]["Action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    for action in [
        "kms:Encrypt",
        "kms:GenerateDataKey",
        "kms:GenerateDataKeyPair",
        "kms:ReEncryptTo",
    ] {
        assert!(denied.contains(&action), "{action}: {key_policy}");
    }
    assert!(
        !denied.contains(&"kms:GenerateDataKeyPairWithoutPlaintext"),
        "{key_policy}"
    );
    assert_eq!(
        statements[1]["Condition"]["StringNotEquals"]["kms:DataKeyPairSpec"],
        "ECC_NIST_P256"
    );
    assert!(warned.contains("do not enforce key policies"), "{warned}");

    // reseal refuses a bundle (a ReEncrypt into its context is what the key policy denies) and
    // points to rotate; the file stays as it is
    let values_before: Vec<String> = text
        .lines()
        .filter(|l| l.starts_with("value "))
        .map(str::to_owned)
        .collect();
    let (code, _, said) = run(dir, &["reseal", "--emulator", "--to-key", &other_key], "");
    assert_eq!(code, 1, "{said}");
    assert!(said.contains("a bundle is not resealed"), "{said}");
    assert!(
        said.contains(&format!(
            "secrets/app.bundle --to-key {other_key}` (a new key pair"
        )),
        "{said}"
    );
    let before_rotation = std::fs::read_to_string(dir.join(file)).unwrap();
    assert_eq!(before_rotation, text);

    // rotate: a new id and key pair under the same key, every value sealed again with
    // generations that go on; the crate rebuilds and decrypts with one request
    let (_, said) = ok(dir, &["bundle", "rotate", file, "--emulator"], "");
    assert!(
        said.starts_with(&format!("rotated `{file}`: id {id} → ")),
        "{said}"
    );
    assert!(
        said.contains("9 values sealed again (generation 20)"),
        "{said}"
    );
    let rotated = std::fs::read_to_string(dir.join(file)).unwrap();
    let header = |text: &str, directive: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{directive} ")))
            .unwrap()
            .to_owned()
    };
    for directive in ["id", "public-key", "private-key"] {
        assert_ne!(
            header(&rotated, directive),
            header(&before_rotation, directive),
            "{directive}"
        );
    }
    assert_eq!(header(&rotated, "key"), header(&before_rotation, "key"));
    let rotated_values: Vec<&str> = rotated
        .lines()
        .filter(|l| l.starts_with("value "))
        .collect();
    assert_eq!(rotated_values.len(), 9);
    for line in &rotated_values {
        assert!(!values_before.iter().any(|old| old == line), "{line}");
    }
    // the old private key opens none of the new lines: the old header with the new values
    let old_header_new_values = before_rotation
        .lines()
        .filter(|l| !l.starts_with("value ") && !l.starts_with("generation "))
        .chain(std::iter::once("generation 20"))
        .chain(rotated_values.iter().copied())
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(dir.join(file), &old_header_new_values).unwrap();
    let (success, _, err) = cargo_run(dir, &expected);
    assert!(!success);
    assert!(
        err.starts_with("the bundle value does not open with the bundle's private key for the sealed value at src/main.rs:8:21 (value `value_0`"),
        "{err}"
    );
    // the rotated file: a new key pair is a new reader, so the code's pin refuses it until the
    // code pins the readers `rotate` printed
    std::fs::write(dir.join(file), &rotated).unwrap();
    let (success, _, err) = cargo_run(dir, &expected);
    assert!(!success);
    assert!(
        err.contains(
            "the readers of the bundle `secrets/app.bundle` are not the ones this code pins"
        ),
        "{err}"
    );
    let rotated_readers = readers_of(&dir.join(file));
    assert!(said.contains(&rotated_readers.code("  ")), "{said}");
    std::fs::write(
        dir.join("src/main.rs"),
        program(names, &key, &rotated_readers.inline()),
    )
    .unwrap();
    let (success, out, err) = cargo_run(dir, &expected);
    assert!(success, "{out}\n{err}");
    assert_eq!(out.trim(), format!("ok 9 values, 1 requests, key {key}"));

    // rotate --to-key moves the bundle to another key: the code pins the old one, so the build
    // fails at each pin until the code names the new key
    let (_, said) = ok(
        dir,
        &[
            "bundle",
            "rotate",
            file,
            "--emulator",
            "--to-key",
            &other_key,
        ],
        "",
    );
    assert!(
        said.contains(&format!("change the `key = …` pins to `{other_key}`")),
        "{said}"
    );
    let moved = std::fs::read_to_string(dir.join(file)).unwrap();
    assert!(moved.contains(&format!("\nkey {other_key}\n")), "{moved}");
    let (success, _, err) = cargo_run(dir, &expected);
    assert!(!success);
    assert!(
        err.contains(&format!(
            "the key of `secrets/app.bundle` is `{other_key}`, not the pinned `{key}`"
        )),
        "{err}"
    );
    let moved_readers = readers_of(&dir.join(file));
    assert!(said.contains(&moved_readers.code("  ")), "{said}");
    std::fs::write(
        dir.join("src/main.rs"),
        program(names, &other_key, &moved_readers.inline()),
    )
    .unwrap();
    let (success, out, err) = cargo_run(dir, &expected);
    assert!(success, "{out}\n{err}");
    assert_eq!(
        out.trim(),
        format!("ok 9 values, 1 requests, key {other_key}")
    );

    // a value edited by hand: the build accepts its shape, the first access refuses it, naming
    // the value, the file and the key
    let line = moved
        .lines()
        .find(|l| l.starts_with("value value_3 "))
        .unwrap();
    let sealed = line.rsplit(' ').next().unwrap();
    let flipped: String = sealed
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i == 100 {
                if c == 'A' {
                    'B'
                } else {
                    'A'
                }
            } else {
                c
            }
        })
        .collect();
    std::fs::write(dir.join(file), moved.replacen(sealed, &flipped, 1)).unwrap();
    let (success, out, err) = cargo_run(dir, &expected);
    assert!(!success, "{out}");
    assert!(
        err.contains(&format!("the bundle value does not open with the bundle's private key for the sealed value at src/main.rs:11:21 (value `value_3` of bundle `secrets/app.bundle`, key `{other_key}`); help: the file was edited")),
        "{err}"
    );
}

/// Finding H2 of issue 34: a bundle's key whose policy lacks the deny lets anyone with
/// `kms:Encrypt` plant a key pair they know. `bundle new` warns, `check --kms` fails naming the
/// missing deny, and passes once `policy --key-policy --merge` has put `sealed`'s statements
/// into the key's own policy (moto stores key policies, though it enforces none).
#[tokio::test]
async fn check_kms_fails_until_the_bundle_keys_policy_denies_a_planted_pair() {
    require_emulator();
    let client = aws_sdk_kms::Client::from_conf(sealed_runtime::kms::default_config().await);
    // a key as `aws kms create-key` makes it: KMS's default policy and nothing else
    let key = sealed_test_support::create_plain_key(&client).await;
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"policed\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    let file = "secrets/app.bundle";
    let (_, said) = ok(dir, &["bundle", "new", file, "--key", &key], "");
    assert!(
        said.contains(&format!("warning: the key policy of `{key}` lets someone with kms:Encrypt plant a key pair they know in a bundle: nothing denies kms:Encrypt,")),
        "{said}"
    );
    let (line, _) = ok(dir, &["bundle", "set", file, "token"], &plaintext(0));
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("src/main.rs"),
        format!(
            "use sealed_runtime::{{sealed, Sealed}};\nstatic TOKEN: Sealed = {};\nfn main() {{}}\n",
            line.trim()
        ),
    )
    .unwrap();

    let (code, out, err) = run(dir, &["check", "--emulator", "--kms"], "");
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        out.contains(&format!("key policy of {key}  fails\n    nothing denies kms:Encrypt, kms:GenerateDataKey, kms:GenerateDataKeyWithoutPlaintext, kms:GenerateDataKeyPair, kms:ReEncryptTo, kms:ReEncryptFrom to everyone")),
        "{out}"
    );
    assert!(out.contains("key pairs other than P-256"), "{out}");
    assert!(out.contains("--merge policy.json"), "{out}");
    assert!(err.contains("1 sealed value found, 1 failed"), "{err}");

    // the fix the failure prints: the key's policy, the statements merged in, put back
    let current = client
        .get_key_policy()
        .key_id(&key)
        .policy_name("default")
        .send()
        .await
        .unwrap()
        .policy
        .unwrap();
    std::fs::write(dir.join("policy.json"), &current).unwrap();
    let (merged, _) = ok(
        dir,
        &[
            "policy",
            "--emulator",
            "--key-policy",
            "--key",
            &key,
            "--merge",
            "policy.json",
        ],
        "",
    );
    let document: serde_json::Value = serde_json::from_str(&merged).unwrap();
    // what was there is kept
    let before: serde_json::Value = serde_json::from_str(&current).unwrap();
    assert_eq!(document["Statement"][0], before["Statement"][0]);
    client
        .put_key_policy()
        .key_id(&key)
        .policy_name("default")
        .policy(merged)
        .send()
        .await
        .unwrap();
    let (out, err) = ok(dir, &["check", "--emulator", "--kms"], "");
    assert!(out.contains(&format!("key policy of {key}  ok")), "{out}");
    assert!(err.contains("1 sealed value found, 0 failed"), "{err}");
}
