//! `cargo sealed`: seal secrets for `sealed!`, inspect ciphertexts, check a crate before deploy,
//! write its IAM policy, and re-encrypt under another key.
#![forbid(unsafe_code)]

mod args;
mod bundle;
mod bundle_file;
mod bundle_ops;
mod check;
mod context;
mod encrypt;
mod history;
mod inspect;
mod kms;
mod known_bundles;
mod output;
mod plaintext;
mod policy;
mod proof;
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

KMS is reached as sealed-runtime reaches it: AWS_ENDPOINT_URL_KMS, AWS_REGION, AWS_PROFILE and the
usual credential chain."
)]
struct Cli {
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
    /// Many values sealed to one KMS-generated key pair: one `Decrypt` per process; writing
    /// needs the file only (`new`, `set`, `rm`, `ls`, `rotate`).
    Bundle(bundle::BundleArgs),
    /// One artifact for every stage: a stage set, one bundle per stage, each checked at build
    /// time and one chosen at start-up (`init`, `add`, `set`, `ls`, `matrix`, `diff`, `check`,
    /// `rm`, `rotate`).
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
            Command::Inspect(args) => inspect::run(&args),
            Command::Check(args) => check::run(&args).await,
            Command::Policy(args) => policy::run(&args),
            Command::Reseal(args) => reseal::run(args).await,
            Command::Bundle(args) => bundle::run(args).await,
            Command::Stage(args) => stage::run(args).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(message) => {
            output::error(&message);
            ExitCode::from(1)
        }
    }
}
