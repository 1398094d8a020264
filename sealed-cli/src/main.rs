//! `cargo sealed`: seal secrets for `sealed!`, inspect ciphertexts, check a crate before deploy,
//! write its IAM policy, re-encrypt under another key, and edit bundles and stage sets. This file
//! holds the grammar's root (the global `--emulator`, the exit status) and dispatches to one
//! module per command.
#![forbid(unsafe_code)]

mod args;
mod bundle;
mod bundle_file;
mod bundle_ops;
mod check;
mod context;
mod encrypt;
mod error;
mod history;
mod inspect;
mod key_policy;
mod kms;
mod known_bundles;
mod messages;
mod output;
mod plaintext;
mod policy;
mod proof;
mod readers_guard;
mod recipients;
mod reseal;
mod runtime_tools;
mod scan;
mod stage;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Seal secrets for the `sealed!` macro of the `sealed-runtime` crate (add `sealed-runtime` to your
/// `Cargo.toml`), and check the sealed values of a crate.
#[derive(Parser)]
#[command(
    name = "cargo sealed",
    bin_name = "cargo sealed",
    version,
    about,
    after_help = "Examples:
  printf %s \"$DB_PASSWORD\" | cargo sealed encrypt --key alias/lambda --context app=billing
  cargo sealed inspect 'AQICAHh…'
  cargo sealed check --kms            # before deploying: every value decrypts
  cargo sealed policy > policy.json
  cargo sealed reseal --to-key arn:aws:kms:eu-west-1:111122223333:key/… --dry-run
  cargo sealed bundle new secrets/app.bundle --key alias/lambda --context app=billing
  printf %s \"$DB_PASSWORD\" | cargo sealed bundle set secrets/app.bundle db_password
  cargo sealed stage new secrets/app.stages prod --key arn:aws:kms:eu-west-1:111122223333:key/…
  printf %s \"$DB_PASSWORD\" | cargo sealed stage set secrets/app.stages prod db_password

The grammar: `bundle` and `stage` share their verbs. `new` makes a bundle (`stage new` a stage's),
`set`, `rm` and `ls` act on values, `rotate` renews a key pair; `stage init` makes a set and
`stage delete` takes a stage out. A stage's bundle is edited with `stage` only (its set pins it).
`--emulator` (anywhere on the line) accepts what a local KMS made.

Exit status: 0 done (every value passed); 1 a check failed (a value, a stage, a gap: what failed is
printed) or the command could not do what was asked (the error says why); 2 the command line is
wrong (clap's usage error) or the process could not start.

KMS is reached as sealed-runtime reaches it: AWS_ENDPOINT_URL_KMS, AWS_REGION, AWS_PROFILE and the
usual credential chain."
)]
struct Cli {
    /// Accept what a local KMS emulator (moto, LocalStack, local-kms) made, as a build with
    /// sealed-runtime's `emulator` feature does: for local development and tests. Read by the
    /// commands that check a ciphertext or open a bundle (`inspect`, `check`, `policy`,
    /// `reseal`, `bundle rotate`, `stage check`, `stage rotate`, `stage add-key`, `stage
    /// matrix`); accepted anywhere on the line
    #[arg(long, global = true)]
    emulator: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Encrypt a secret read from stdin (or a hidden prompt) and print the `sealed!` line.
    Encrypt(encrypt::EncryptArgs),
    /// Tell what a ciphertext is, or the exact error `sealed!` gives for it.
    Inspect(inspect::InspectArgs),
    /// List every `sealed!` under PATHs with its verdict; `--kms` proves each decrypts.
    Check(check::CheckArgs),
    /// Print the least-privilege IAM policy for the `sealed!` values under PATHs.
    Policy(policy::PolicyArgs),
    /// Re-encrypt every `sealed!` under PATHs for another key (`ReEncrypt`), rewriting the source.
    Reseal(reseal::ResealArgs),
    /// Many values sealed to one KMS-generated key pair: one `Decrypt` per process (`new`,
    /// `set`, `rm`, `ls`, `rotate`); `set`, `rm` and `ls` need the file only.
    Bundle(bundle::BundleArgs),
    /// One artifact for every stage: a stage set, one bundle per stage, each checked at build
    /// time and one chosen at start-up (`init`, `new`, `set`, `rm`, `ls`, `rotate`, `delete`,
    /// `add-key`, `rm-key`, `check`, `diff`, `matrix`).
    Stage(stage::StageArgs),
}

fn main() -> ExitCode {
    // `cargo sealed …` runs `cargo-sealed sealed …`
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "sealed") {
        args.remove(1);
    }
    let cli = Cli::parse_from(args);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            output::error(&format!("cannot start the async runtime: {error}"));
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Encrypt(args) => encrypt::run(args).await,
            Command::Inspect(args) => inspect::run(&args, cli.emulator),
            Command::Check(args) => check::run(&args, cli.emulator).await,
            Command::Policy(args) => policy::run(&args, cli.emulator),
            Command::Reseal(args) => reseal::run(args, cli.emulator).await,
            Command::Bundle(args) => bundle::run(args, cli.emulator).await,
            Command::Stage(args) => stage::run(args, cli.emulator).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(error) => {
            output::error(&error.render());
            ExitCode::from(1)
        }
    }
}
