//! `cargo sealed stage`: a stage set, one bundle per stage, one artifact for every stage. The
//! verbs mean what they mean under `cargo sealed bundle`: `new` makes a stage's bundle (as
//! `bundle new` makes one), `set`, `rm` and `ls` act on values, `rotate` renews a key pair;
//! `init` makes the set, `delete` takes a stage out, `add-key` and `rm-key` act on recipients.
//! `new`, `rotate`, `add-key` and `check --kms` call KMS, each for one stage with that stage's
//! credentials; the others need the files and nothing else.
//!
//! | verb | function | room |
//! |---|---|---|
//! | `init`, `new`, `set`, `rm`, `delete` | `edit::{init, new, set, rm, delete}` | `stage/edit.rs` |
//! | `ls`, `matrix`, `diff` | `read::{ls, matrix, diff}` | `stage/read.rs` |
//! | `check` (the gate before a deploy) | `gate::check` | `stage/gate.rs` |
//! | `rotate`, `add-key`, `rm-key` | `keys::{rotate, add_key, rm_key}` | `stage/keys.rs` |
//!
//! Each starts from `stage/pins.rs`: a stage's files under their locks, checked against the set.

mod edit;
mod gate;
mod keys;
mod pins;
mod read;

use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::error::CliError;

#[derive(Args)]
pub struct StageArgs {
    #[command(subcommand)]
    command: StageCommand,
}

#[derive(Subcommand)]
enum StageCommand {
    /// Create a stage set with no stages (no KMS call)
    Init(edit::InitArgs),
    /// Add a stage: its bundle `<set>.<stage>.bundle` beside the set, a key pair from its key
    /// (one `GenerateDataKeyPairWithoutPlaintext`, with the stage's credentials)
    New(edit::NewArgs),
    /// Add or replace a value in one stage, read from stdin or a hidden prompt: no KMS call and
    /// no credentials (a writer cannot read)
    Set(edit::SetArgs),
    /// Remove a value from one stage (no KMS call)
    Rm(edit::ValueArgs),
    /// List the stages: bundle, key, id, account, regions and values (no KMS call)
    Ls(read::FileArgs),
    /// Names × stages for the `sealed!(stages = …)` under PATHs: present, absent, left out by
    /// `only`, or in a bundle but read by no `sealed!`; exits 1 on a gap
    Matrix(read::MatrixArgs),
    /// The names of two stages side by side (generations and lengths; values stay sealed); exits
    /// 1 when their names differ
    Diff(read::DiffArgs),
    /// Each stage's bundle against the set (its stage, key and id) and its private key as
    /// `sealed!` checks it; with `--kms`, that KMS decrypts it with the current credentials: the
    /// gate before deploying one stage (`stage check SET STAGE`)
    Check(gate::CheckArgs),
    /// Take a stage out of the set, and delete its bundle file (no KMS call)
    Delete(edit::StageFileArgs),
    /// Give one stage's bundle a new id and key pair and re-seal its values (only that stage's
    /// bundle and its line in the set change). Needs that stage's credentials: kms:Decrypt and
    /// kms:GenerateDataKeyPairWithoutPlaintext on its key (and on each other recipient's)
    Rotate(keys::RotateArgs),
    /// Add another recipient to a stage: a KMS key (another account, a disaster-recovery
    /// region, a break-glass key) that opens the stage's bundle on its own. A reader's session
    /// opens every value (`--from-profile`), the new key's session makes its key pair
    /// (`--to-profile`); the set pins it with its role and public key
    AddKey(keys::AddKeyArgs),
    /// Remove a recipient from a stage (no KMS call). Revokes nothing: its key pair still opens
    /// the values in the files' history; `rotate` for that
    RmKey(keys::RmKeyArgs),
}

pub async fn run(args: StageArgs, emulator: bool) -> Result<ExitCode, CliError> {
    match args.command {
        StageCommand::Init(args) => edit::init(&args),
        StageCommand::New(args) => edit::new(args).await,
        StageCommand::Set(args) => edit::set(&args),
        StageCommand::Rm(args) => edit::rm(&args),
        StageCommand::Ls(args) => read::ls(&args),
        StageCommand::Matrix(args) => read::matrix(&args, emulator),
        StageCommand::Diff(args) => read::diff(&args),
        StageCommand::Check(args) => gate::check(&args, emulator).await,
        StageCommand::Delete(args) => edit::delete(&args),
        StageCommand::Rotate(args) => keys::rotate(&args, emulator).await,
        StageCommand::AddKey(args) => keys::add_key(&args, emulator).await,
        StageCommand::RmKey(args) => keys::rm_key(&args),
    }
}
