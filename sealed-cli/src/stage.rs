//! `cargo sealed stage`: a stage set, one bundle per stage, one artifact for every stage. The
//! verbs mean what they mean under `cargo sealed bundle`: `new` makes a stage's bundle (as
//! `bundle new` makes one), `set`, `rm` and `ls` act on values, `rotate` renews a key pair;
//! `init` makes the set, `delete` takes a stage out, `add-key` and `rm-key` act on recipients.
//! `new`, `rotate`, `add-key` and `check --kms` call KMS, each for one stage with that stage's
//! credentials; the others need the files and nothing else.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use clap::{Args, Subcommand};
use sealed_format::{
    check_stage_key, check_stage_name, stage_bundle_name, KeyRef, RecipientRole, Stage,
    StageRecipient, StageSet, DEFAULT_SELECTOR,
};
use sealed_runtime::Sealed;

use crate::args::{ContextArgs, ScanArgs};
use crate::bundle_ops::{
    bundle_error, new_key_pair, remember, rotated, rotation_report, set_value, without_value,
    SetValue,
};
use crate::kms::public_key_fingerprint;
use crate::output::{println, BAD, GOOD};
use crate::proof::prove_keys;
use crate::recipients::{open_every_value, recipients_again, with_recipient};
use crate::runtime_tools::new_bundle_id;

#[derive(Args)]
pub struct StageArgs {
    #[command(subcommand)]
    command: StageCommand,
}

#[derive(Subcommand)]
enum StageCommand {
    /// Create a stage set with no stages (no KMS call)
    Init(InitArgs),
    /// Add a stage: its bundle `<set>.<stage>.bundle` beside the set, a key pair from its key
    /// (one `GenerateDataKeyPairWithoutPlaintext`, with the stage's credentials)
    New(AddArgs),
    /// Add or replace a value in one stage, read from stdin or a hidden prompt: no KMS call and
    /// no credentials (a writer cannot read)
    Set(SetArgs),
    /// Remove a value from one stage (no KMS call)
    Rm(ValueArgs),
    /// List the stages: bundle, key, id, account, regions and values (no KMS call)
    Ls(FileArgs),
    /// Names × stages for the `sealed!(stages = …)` under PATHs: present, absent, left out by
    /// `only`, or in a bundle but read by no `sealed!`; exits 1 on a gap
    Matrix(MatrixArgs),
    /// The names of two stages side by side (generations and lengths; values stay sealed); exits
    /// 1 when their names differ
    Diff(DiffArgs),
    /// Each stage's bundle against the set (its stage, key and id) and its private key as
    /// `sealed!` checks it; with `--kms`, that KMS decrypts it with the current credentials: the
    /// gate before deploying one stage (`stage check SET STAGE`)
    Check(CheckArgs),
    /// Take a stage out of the set, and delete its bundle file (no KMS call)
    Delete(StageFileArgs),
    /// Give one stage's bundle a new id and key pair and re-seal its values (only that stage's
    /// bundle and its line in the set change). Needs that stage's credentials: kms:Decrypt and
    /// kms:GenerateDataKeyPairWithoutPlaintext on its key (and on each other recipient's)
    Rotate(RotateArgs),
    /// Add another recipient to a stage: a KMS key (another account, a disaster-recovery
    /// region, a break-glass key) that opens the stage's bundle on its own. A reader's session
    /// opens every value (`--from-profile`), the new key's session makes its key pair
    /// (`--to-profile`); the set pins it with its role and public key
    AddKey(AddKeyArgs),
    /// Remove a recipient from a stage (no KMS call). Revokes nothing: its key pair still opens
    /// the values in the files' history; `rotate` for that
    RmKey(RmKeyArgs),
}

#[derive(Args)]
struct AddKeyArgs {
    /// The stage set file
    file: PathBuf,
    /// The stage
    stage: String,
    /// The new recipient's KMS key: a key ARN
    #[arg(long)]
    key: String,
    /// A break-glass key: never tried by the function (grant its role nothing on it); an
    /// operator opens the bundle with it (`add-key --from-profile`) when the stage's key is gone.
    /// Without it, the key is a failover: the function tries it when its first key's KMS does
    /// not answer
    #[arg(long)]
    break_glass: bool,
    /// Accept a key outside the stage's `account=` (a security account's break-glass key, the
    /// second account the stage runs in)
    #[arg(long)]
    other_account: bool,
    /// The profile (of the shared AWS config files) of a reader of the bundle, which opens every
    /// value: kms:Decrypt on one of its keys [default: the environment's credentials]
    #[arg(long)]
    from_profile: Option<String>,
    /// The profile of a principal of the new key's account, which asks KMS for the new key
    /// pair: kms:GenerateDataKeyPairWithoutPlaintext on `--key` [default: the environment's
    /// credentials]
    #[arg(long)]
    to_profile: Option<String>,
}

#[derive(Args)]
struct RmKeyArgs {
    /// The stage set file
    file: PathBuf,
    /// The stage
    stage: String,
    /// The recipient's KMS key, as the set pins it
    #[arg(long)]
    key: String,
}

#[derive(Args)]
struct InitArgs {
    /// The stage set file to create (`secrets/app.stages`)
    file: PathBuf,
    /// The environment variable that selects the stage at start-up
    #[arg(long, default_value = DEFAULT_SELECTOR)]
    selector: String,
}

#[derive(Args)]
struct AddArgs {
    /// The stage set file
    file: PathBuf,
    /// The stage's name (`dev`, `prod`)
    stage: String,
    /// The stage's KMS key: a key ARN (an alias cannot be pinned by IAM)
    #[arg(long)]
    key: String,
    /// The account the stage runs in: its key must be this account's
    #[arg(long)]
    account: Option<String>,
    /// A region the stage runs in (repeatable): start-up in another is refused
    #[arg(long = "region")]
    regions: Vec<String>,
    #[command(flatten)]
    context: ContextArgs,
}

#[derive(Args)]
struct SetArgs {
    /// The stage set file
    file: PathBuf,
    /// The stage
    stage: String,
    /// The value's name (`A-Z a-z 0-9 _ . -`)
    name: String,
    /// Seal to the stage bundle's public key although it is not the one this machine sealed to
    /// before (after checking its fingerprint out of band)
    #[arg(long)]
    trust_new_key: bool,
    /// Remove one trailing newline (`\n` or `\r\n`) from the plaintext
    #[arg(long)]
    strip_newline: bool,
}

#[derive(Args)]
struct FileArgs {
    /// The stage set file
    file: PathBuf,
}

#[derive(Args)]
struct StageFileArgs {
    /// The stage set file
    file: PathBuf,
    /// The stage
    stage: String,
}

#[derive(Args)]
struct ValueArgs {
    /// The stage set file
    file: PathBuf,
    /// The stage
    stage: String,
    /// The value's name
    name: String,
}

#[derive(Args)]
struct DiffArgs {
    /// The stage set file
    file: PathBuf,
    /// One stage
    a: String,
    /// The other
    b: String,
}

#[derive(Args)]
struct CheckArgs {
    /// The stage set file
    file: PathBuf,
    /// The stages to check [default: every stage]
    stages: Vec<String>,
    /// Also prove that each checked stage's private key decrypts with the current credentials
    /// (`Decrypt` with `DryRun`, pinned to the stage's key, with its context and `sealed:stage`)
    #[arg(long)]
    kms: bool,
    /// With `--kms`: decrypt for real and open every value of the stage, discarding the
    /// plaintext unread; for the stage's own role
    #[arg(long, requires = "kms")]
    open: bool,
}

#[derive(Args)]
struct RotateArgs {
    /// The stage set file
    file: PathBuf,
    /// The stage
    stage: String,
}

#[derive(Args)]
struct MatrixArgs {
    /// The stage set file
    file: PathBuf,
    #[command(flatten)]
    scan: ScanArgs,
}

pub async fn run(args: StageArgs, emulator: bool) -> Result<ExitCode, String> {
    match args.command {
        StageCommand::Init(args) => init(&args),
        StageCommand::New(args) => add(args).await,
        StageCommand::Set(args) => set(&args),
        StageCommand::Rm(args) => rm_value(&args),
        StageCommand::Ls(args) => ls(&args),
        StageCommand::Matrix(args) => matrix(&args, emulator),
        StageCommand::Diff(args) => diff(&args),
        StageCommand::Check(args) => check(&args, emulator).await,
        StageCommand::Delete(args) => delete(&args),
        StageCommand::Rotate(args) => rotate(&args, emulator).await,
        StageCommand::AddKey(args) => add_key(&args, emulator).await,
        StageCommand::RmKey(args) => rm_key(&args),
    }
}

fn init(args: &InitArgs) -> Result<ExitCode, String> {
    let set = StageSet::new(&args.selector).map_err(|e| format!("--selector: {e}"))?;
    crate::bundle_file::create_stage_set(&args.file, &set)?;
    eprintln!(
        "created `{}`, selected by `{}`; add stages with `cargo sealed stage new {} STAGE --key ARN`",
        args.file.display(),
        set.selector,
        args.file.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The bundle file of `stage` of the set at `set_path`: beside it.
fn bundle_path(set_path: &Path, stage: &Stage) -> PathBuf {
    set_path.with_file_name(&stage.bundle)
}

async fn add(args: AddArgs) -> Result<ExitCode, String> {
    check_stage_name(&args.stage).map_err(bundle_error)?;
    check_stage_key(&args.key, args.account.as_deref()).map_err(|e| format!("--key: {e}"))?;
    let key = KeyRef::parse(&args.key).map_err(|e| format!("--key: {e}"))?;
    let entries = args.context.entries()?;
    let locked = crate::bundle_file::lock(&args.file)?;
    let mut set = locked.stage_set()?;
    if set.stage(&args.stage).is_some() {
        return Err(format!(
            "`{}` has a stage `{}` already",
            args.file.display(),
            args.stage
        ));
    }
    let set_name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let context = entries.into_iter().map(|(k, e)| (k, e.written)).collect();
    let bundle = new_key_pair(new_bundle_id()?, &key, context, Some(args.stage.clone())).await?;
    let stage = Stage {
        name: args.stage.clone(),
        bundle: stage_bundle_name(&set_name, &args.stage),
        key: args.key.clone(),
        id: bundle.id,
        public_key: STANDARD.encode(bundle.public_key()),
        account: args.account.clone(),
        regions: args.regions.clone(),
        recipients: Vec::new(),
        line: 0,
    };
    stage.check()?;
    let path = bundle_path(&args.file, &stage);
    crate::bundle_file::create(&path, &bundle, false)?;
    remember(&bundle);
    set.stages.push(stage);
    locked.write_stage_set(&set)?;
    eprintln!(
        "added stage `{}` to `{}`: its bundle `{}` (id {}, public key {}) under `{}`; add values with `cargo sealed stage set {} {} NAME`",
        args.stage,
        args.file.display(),
        path.display(),
        bundle.id_hex(),
        public_key_fingerprint(&bundle),
        args.key,
        args.file.display(),
        args.stage
    );
    Ok(ExitCode::SUCCESS)
}

/// A stage's set and bundle, both locked (the set first), the bundle checked against the set's
/// pins: what `rotate`, `add-key` and `rm-key` start from.
struct LockedStage {
    set_lock: crate::bundle_file::Locked,
    set: StageSet,
    stage: Stage,
    path: PathBuf,
    bundle_lock: crate::bundle_file::Locked,
    bundle: sealed_format::Bundle,
}

/// [`LockedStage`] of the stage `name` of the set `file`; `nothing` says what a failed check
/// left undone ("nothing was rotated").
fn locked_stage(file: &Path, name: &str, nothing: &str) -> Result<LockedStage, String> {
    let set_lock = crate::bundle_file::lock(file)?;
    let set = set_lock.stage_set()?;
    let stage = stage_of(&set, file, name)?.clone();
    let path = bundle_path(file, &stage);
    let bundle_lock = crate::bundle_file::lock(&path)?;
    let bundle = bundle_lock.bundle()?;
    stage
        .check_bundle(&bundle)
        .map_err(|e| format!("`{}`: {e}; {nothing}", path.display()))?;
    Ok(LockedStage {
        set_lock,
        set,
        stage,
        path,
        bundle_lock,
        bundle,
    })
}

/// The stage `name` of `set`, or an error listing its stages.
fn stage_of<'a>(set: &'a StageSet, file: &Path, name: &str) -> Result<&'a Stage, String> {
    set.stage(name).ok_or_else(|| {
        let names: Vec<&str> = set.names().collect();
        format!(
            "`{}` has no stage `{name}`; its stages: {}{}",
            file.display(),
            if names.is_empty() {
                "none".to_owned()
            } else {
                names.join(", ")
            },
            sealed_format::closest(name, &names)
                .map(|near| format!("; did you mean `{near}`?"))
                .unwrap_or_default()
        )
    })
}

/// `cargo sealed stage set`: the stage's bundle checked against the set (its stage, key and id),
/// the value sealed to its public key. No KMS client is built, no credential read.
fn set(args: &SetArgs) -> Result<ExitCode, String> {
    let set = crate::bundle_file::read_stage_set(&args.file)?;
    let stage = stage_of(&set, &args.file, &args.stage)?;
    let path = bundle_path(&args.file, stage);
    set_value(
        &path,
        &SetValue {
            name: &args.name,
            place: format!("stage `{}` (`{}`)", args.stage, path.display()),
            check: &|bundle| {
                stage
                    .check_bundle(bundle)
                    .map_err(|e| format!("{e}; nothing was sealed"))
            },
            trust_new_key: args.trust_new_key,
            strip_newline: args.strip_newline,
        },
    )?;
    println!(
        "sealed!(stages = {:?}, name = {:?})",
        args.file.display().to_string(),
        args.name
    );
    Ok(ExitCode::SUCCESS)
}

fn ls(args: &FileArgs) -> Result<ExitCode, String> {
    let set = crate::bundle_file::read_stage_set(&args.file)?;
    eprintln!(
        "`{}`: selected by `{}`, {} stage{}",
        args.file.display(),
        set.selector,
        set.stages.len(),
        if set.stages.len() == 1 { "" } else { "s" }
    );
    for stage in &set.stages {
        let values = stage_bundle(&args.file, stage)
            .map_or_else(|e| e, |bundle| format!("{} values", bundle.values.len()));
        println!(
            "{}\t{}\tkey {}\tid {}\taccount {}\tregions {}\t{values}",
            stage.name,
            stage.bundle,
            stage.key,
            hex::encode(stage.id),
            stage.account.as_deref().unwrap_or("-"),
            if stage.regions.is_empty() {
                "-".to_owned()
            } else {
                stage.regions.join(",")
            }
        );
        for recipient in &stage.recipients {
            println!(
                "{}	{}	{}",
                stage.name,
                recipient.role.as_str(),
                recipient.key
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What a cell of the matrix holds.
fn cell(read: bool, wanted: bool, present: bool) -> (&'static str, bool) {
    match (read, wanted, present) {
        (true, true, true) => ("present", false),
        (true, true, false) => ("ABSENT", true),
        (true, false, _) => ("excluded", false),
        (false, _, true) => ("unused", false),
        (false, _, false) => ("-", false),
    }
}

fn matrix(args: &MatrixArgs, emulator: bool) -> Result<ExitCode, String> {
    let set = crate::bundle_file::read_stage_set(&args.file)?;
    let set_file = std::fs::canonicalize(&args.file)
        .map_err(|e| format!("cannot read `{}`: {e}", args.file.display()))?;
    let invocations = crate::scan::invocations(&args.scan, emulator)?;
    // each name the code reads from this set, with the stages it is read in
    let mut uses: Vec<(String, Option<Vec<String>>)> = Vec::new();
    for staged in invocations.iter().filter_map(|i| i.staged.as_ref()) {
        let same = std::fs::canonicalize(&staged.set).is_ok_and(|p| p == set_file);
        if same
            && !uses
                .iter()
                .any(|(n, o)| *n == staged.name && *o == staged.only)
        {
            uses.push((staged.name.clone(), staged.only.clone()));
        }
    }
    let mut bundles = Vec::new();
    for stage in &set.stages {
        bundles.push(crate::bundle_file::read(&bundle_path(&args.file, stage))?);
    }
    let mut names: BTreeSet<String> = uses.iter().map(|(n, _)| n.clone()).collect();
    for bundle in &bundles {
        names.extend(bundle.names().map(str::to_owned));
    }
    println!("name\t{}", set.names().collect::<Vec<_>>().join("\t"));
    let mut gaps = 0;
    for name in &names {
        let mut row = vec![name.clone()];
        let reads: Vec<_> = uses.iter().filter(|(n, _)| n == name).collect();
        let read = !reads.is_empty();
        for (stage, bundle) in set.stages.iter().zip(&bundles) {
            let wanted = reads
                .iter()
                .any(|(_, only)| only.as_ref().is_none_or(|o| o.contains(&stage.name)));
            let (word, gap) = cell(read, wanted, bundle.value(name).is_some());
            gaps += usize::from(gap);
            row.push(word.to_owned());
        }
        println!("{}", row.join("\t"));
    }
    if gaps > 0 {
        eprintln!(
            "{gaps} gap{}: a value the code reads is ABSENT from its stage; fill each with `printf %s \"$VALUE\" | cargo sealed stage set {} STAGE NAME`",
            if gaps == 1 { "" } else { "s" },
            args.file.display()
        );
        return Ok(ExitCode::from(1));
    }
    eprintln!(
        "no gaps: every value the code reads from `{}` is in every stage it is read in",
        args.file.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The bundle of `stage`, read and checked against the set.
fn stage_bundle(file: &Path, stage: &Stage) -> Result<sealed_format::Bundle, String> {
    let path = bundle_path(file, stage);
    let bundle = crate::bundle_file::read(&path)?;
    stage.check_bundle(&bundle).map_err(|e| {
        format!(
            "`{}` is not stage `{}`'s bundle: {e}",
            path.display(),
            stage.name
        )
    })?;
    Ok(bundle)
}

/// `cargo sealed stage diff`: one row per name in either stage, `generation N, L bytes` or
/// `ABSENT` in each column.
fn diff(args: &DiffArgs) -> Result<ExitCode, String> {
    let set = crate::bundle_file::read_stage_set(&args.file)?;
    let a = stage_of(&set, &args.file, &args.a)?;
    let b = stage_of(&set, &args.file, &args.b)?;
    let (bundle_a, bundle_b) = (stage_bundle(&args.file, a)?, stage_bundle(&args.file, b)?);
    let names: BTreeSet<&str> = bundle_a.names().chain(bundle_b.names()).collect();
    let describe = |bundle: &sealed_format::Bundle, name: &str| {
        bundle.value(name).map_or_else(
            || "ABSENT".to_owned(),
            |v| format!("generation {}, {} bytes", v.generation, v.plaintext_len()),
        )
    };
    println!("name\t{}\t{}", a.name, b.name);
    let mut differ = 0;
    for name in &names {
        let (in_a, in_b) = (bundle_a.value(name), bundle_b.value(name));
        differ += usize::from(in_a.is_none() || in_b.is_none());
        println!(
            "{name}\t{}\t{}",
            describe(&bundle_a, name),
            describe(&bundle_b, name)
        );
    }
    if differ > 0 {
        eprintln!(
            "{differ} name{} in one of `{}` and `{}` only (the values themselves stay sealed: only their readers can compare them)",
            if differ == 1 { "" } else { "s" },
            a.name,
            b.name
        );
        return Ok(ExitCode::from(1));
    }
    eprintln!(
        "`{}` and `{}` hold the same {} name{}",
        a.name,
        b.name,
        names.len(),
        if names.len() == 1 { "" } else { "s" }
    );
    Ok(ExitCode::SUCCESS)
}

/// `cargo sealed stage check`: per stage, the bundle against the set and `sealed!`'s checks; with
/// `--kms` a dry run of its private key (`--open`: every value opened), with the stage bound.
async fn check(args: &CheckArgs, emulator: bool) -> Result<ExitCode, String> {
    let set = crate::bundle_file::read_stage_set(&args.file)?;
    let mut chosen = Vec::new();
    for name in &args.stages {
        chosen.push(stage_of(&set, &args.file, name)?);
    }
    if chosen.is_empty() {
        chosen = set.stages.iter().collect();
    }
    if chosen.is_empty() {
        return Err(format!(
            "`{}` has no stages: add one with `cargo sealed stage new {} STAGE --key ARN`",
            args.file.display(),
            args.file.display()
        ));
    }
    let mut failed = 0;
    for stage in chosen {
        let path = bundle_path(&args.file, stage);
        let head = format!("{}  {}  key={}", stage.name, path.display(), stage.key);
        match check_stage(&args.file, stage, args, emulator).await {
            Ok(words) => println!("{head}  {GOOD}ok{GOOD:#} ({words})"),
            Err(message) => {
                failed += 1;
                println!("{head}  {BAD}fails{BAD:#}");
                for line in message.lines() {
                    println!("    {line}");
                }
            }
        }
    }
    if failed > 0 {
        Ok(ExitCode::from(1))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

/// One stage of `check`: what was proved, or what failed.
async fn check_stage(
    file: &Path,
    stage: &Stage,
    args: &CheckArgs,
    emulator: bool,
) -> Result<String, String> {
    let bundle = stage_bundle(file, stage)?;
    let path = bundle_path(file, stage);
    let options = sealed_format::Options {
        allow_emulator: emulator,
        ..sealed_format::Options::default()
    };
    bundle.inspect_private_key(&options).map_err(|e| {
        format!(
            "its private key is not one `sealed!` accepts: {e}\n  = help: {}",
            crate::messages::bundle_help(&e)
        )
    })?;
    for recipient in &bundle.recipients {
        recipient.inspect_private_key(&options).map_err(|e| {
            format!(
                "the private key of its recipient `{}` is not one `sealed!` accepts: {e}\n  = help: {}",
                recipient.key,
                crate::messages::bundle_help(&e)
            )
        })?;
    }
    let count = bundle.values.len();
    let mut values = format!("{count} value{}", if count == 1 { "" } else { "s" });
    let failover: Vec<&str> = stage.failover().map(|r| r.key.as_str()).collect();
    if !stage.recipients.is_empty() {
        values = format!("{values}, {} recipients", 1 + stage.recipients.len());
    }
    if !args.kms {
        return Ok(format!(
            "{values}; the set's pins hold; `--kms` proves KMS opens it"
        ));
    }
    let Some(first) = bundle.names().next() else {
        return Err(format!(
            "no values: nothing to prove it with; add one with `cargo sealed stage set {} {} NAME`",
            file.display(),
            stage.name
        ));
    };
    let text = bundle.render();
    let names: Vec<&str> = if args.open {
        bundle.names().collect()
    } else {
        vec![first]
    };
    // the stage's key, then each failover recipient's: the function may use any of them
    let keys: Vec<&str> = std::iter::once(stage.key.as_str())
        .chain(failover.iter().copied())
        .collect();
    let mut proved = None;
    for name in &names {
        let build = |key: &str| {
            Sealed::from_bundle(text.clone(), *name)
                .expect_key(key)
                .expect_id(hex::encode(stage.id))
                .path(path.display().to_string())
                .location(
                    file.display().to_string(),
                    u32::try_from(stage.line).unwrap_or(0),
                    0,
                )
                .allow_emulator(emulator)
                .build()
                .map_err(|e| crate::messages::built(&format!("`{}`", path.display()), &e))
        };
        let fix = format!(
            "set it again with `cargo sealed stage set {} {} {name}`",
            file.display(),
            stage.name
        );
        proved = Some(
            prove_keys(&keys, args.open, build)
                .await
                .map_err(|e| e.words(name, "the stage's key", &fix))?,
        );
    }
    let mut what = proved.map(|p| p.words(true)).unwrap_or_default();
    if !failover.is_empty() {
        what = format!(
            "{what}; so does each failover recipient's ({})",
            failover.join(", ")
        );
    }
    if stage.recipients.len() > failover.len() {
        what = format!("{what}; break-glass recipients are not tried (the function's role holds no grant on them)");
    }
    Ok(if args.open {
        format!("{values}; each {what}")
    } else {
        format!("{values}; {what}")
    })
}

/// `cargo sealed stage rm`: the value taken out of the stage's bundle, checked against the set
/// first (no pin changes, so the set is not written).
fn rm_value(args: &ValueArgs) -> Result<ExitCode, String> {
    let locked = locked_stage(&args.file, &args.stage, "nothing was removed")?;
    let bundle = without_value(&locked.path, locked.bundle, &args.name)?;
    locked.bundle_lock.write(&bundle)?;
    eprintln!(
        "removed `{}` from stage `{}` (`{}`); a `sealed!` that names it now fails to build",
        args.name,
        args.stage,
        locked.path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `cargo sealed stage delete`: the stage's bundle deleted, under its lock and only if it is the
/// stage's, then the stage's line taken out of the set (a run stopped between the two is run
/// again: a missing bundle is not an error). Locks: the set, then the bundle, as `rotate`.
fn delete(args: &StageFileArgs) -> Result<ExitCode, String> {
    let set_lock = crate::bundle_file::lock(&args.file)?;
    let mut set = set_lock.stage_set()?;
    let stage = stage_of(&set, &args.file, &args.stage)?.clone();
    let path = bundle_path(&args.file, &stage);
    let bundle = if path.exists() {
        let bundle_lock = crate::bundle_file::lock(&path)?;
        stage.check_bundle(&bundle_lock.bundle()?).map_err(|e| {
            format!(
                "`{}`: {e}; nothing was removed (restore the stage's own bundle from version control, or delete the file by hand if it is no stage's)",
                path.display()
            )
        })?;
        std::fs::remove_file(&path).map_err(|e| {
            format!(
                "cannot delete `{}`: {e}; nothing was removed",
                path.display()
            )
        })?;
        format!("and deleted its bundle `{}`", path.display())
    } else {
        format!("(its bundle `{}` was not there)", path.display())
    };
    set.stages.retain(|s| s.name != stage.name);
    set_lock.write_stage_set(&set)?;
    eprintln!(
        "removed stage `{}` from `{}` {bundle}; code that names it in `only = […]` now fails to build, and so does a binary's SEALED_STAGE={} at start-up once rebuilt. Retire its key's grants with its bundle id {}",
        stage.name,
        args.file.display(),
        stage.name,
        hex::encode(stage.id)
    );
    Ok(ExitCode::SUCCESS)
}

/// `cargo sealed stage rotate`: the stage's bundle rotated under its own key (its values opened
/// with that stage's credentials), then the set's id pin for it moved to the new id.
async fn rotate(args: &RotateArgs, emulator: bool) -> Result<ExitCode, String> {
    let LockedStage {
        set_lock,
        mut set,
        stage,
        path,
        bundle_lock,
        bundle: old,
    } = locked_stage(&args.file, &args.stage, "nothing was rotated")?;
    let key = KeyRef::parse(&stage.key).map_err(|e| format!("the stage's key: {e}"))?;
    let (mut bundle, plaintexts) = rotated(&path, &old, &key, emulator).await?;
    recipients_again(&old, &mut bundle, &plaintexts).await?;
    // the bundle first, then the set's pins, the set's lock held throughout; a set that cannot
    // be written puts the old bundle back, so that bundle and pins always agree
    bundle_lock.write(&bundle)?;
    if let Some(pinned) = set.stages.iter_mut().find(|s| s.name == stage.name) {
        pinned.id = bundle.id;
        pinned.public_key = STANDARD.encode(bundle.public_key());
        for recipient in &mut pinned.recipients {
            if let Some(new) = bundle.recipient(&recipient.key) {
                recipient.public_key = STANDARD.encode(new.public_key());
            }
        }
    }
    if let Err(error) = set_lock.write_stage_set(&set) {
        return Err(put_back(&path, &old, &bundle, &error));
    }
    remember(&bundle);
    eprintln!(
        "{}",
        rotation_report(
            &path,
            &old,
            &bundle,
            &format!("cargo sealed policy --stage {}", stage.name)
        )
    );
    eprintln!(
        "`{}` pins the new id for `{}`; the other stages are unchanged. Rebuild and deploy: the artifact carries every stage",
        args.file.display(),
        stage.name
    );
    if stage
        .failover()
        .any(|recipient| !same_account(&recipient.key, &stage.key))
    {
        eprintln!(
            "a failover key of `{}` is in another account: its key policy names the bundle id; give its owners the new statement (`cargo sealed policy --stage {} --key-policy`)",
            stage.name, stage.name
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `cargo sealed stage add-key`: with the reader's session every value opened (by the stage's
/// key or any recipient's, whichever this session can use), with the new key's session its key
/// pair made, every value sealed to it; then the bundle written and the recipient pinned in the
/// set, under both locks (set, then bundle), the old bundle put back if the set cannot be
/// written.
async fn add_key(args: &AddKeyArgs, emulator: bool) -> Result<ExitCode, String> {
    // the reader's session, handed to the values it opens (the runtime's shared client
    // otherwise)
    let mut reader_is = String::new();
    let mut reader_session = None;
    if let Some(profile) = &args.from_profile {
        let reader = crate::kms::session(Some(profile)).await;
        reader_is = format!(" (profile `{profile}`, {})", reader.identity);
        reader_session = Some(reader.client.config().clone());
    }
    let LockedStage {
        set_lock,
        mut set,
        stage,
        path,
        bundle_lock,
        bundle: old,
    } = locked_stage(&args.file, &args.stage, "nothing was added")?;
    let account = if args.other_account {
        None
    } else {
        stage.account.as_deref()
    };
    check_stage_key(&args.key, account).map_err(|e| {
        format!(
            "--key: {e}{}",
            if account.is_some() {
                " (a recipient in another account: `--other-account`)"
            } else {
                ""
            }
        )
    })?;
    let key = KeyRef::parse(&args.key).map_err(|e| format!("--key: {e}"))?;
    if args.key == stage.key || old.recipient(&args.key).is_some() {
        return Err(format!(
            "`{}` is a recipient of stage `{}` already",
            args.key, stage.name
        ));
    }
    let readers: Vec<String> = std::iter::once(stage.key.clone())
        .chain(stage.recipients.iter().map(|r| r.key.clone()))
        .collect();
    let (reader, plaintexts) =
        open_every_value(&path, &old, &readers, emulator, reader_session.as_ref()).await?;
    let maker = crate::kms::session(args.to_profile.as_deref()).await;
    let maker_is = match &args.to_profile {
        Some(profile) => format!(", made with profile `{profile}` ({})", maker.identity),
        None => String::new(),
    };
    let bundle = with_recipient(&maker.client, old.clone(), &key, &plaintexts).await?;
    let added = bundle
        .recipient(&args.key)
        .ok_or("the recipient was not added")?;
    let role = if args.break_glass {
        RecipientRole::BreakGlass
    } else {
        RecipientRole::Failover
    };
    bundle_lock.write(&bundle)?;
    if let Some(pinned) = set.stages.iter_mut().find(|s| s.name == stage.name) {
        pinned.recipients.push(StageRecipient {
            role,
            key: args.key.clone(),
            public_key: STANDARD.encode(added.public_key()),
        });
    }
    if let Err(error) = set_lock.write_stage_set(&set) {
        return Err(put_back(&path, &old, &bundle, &error));
    }
    remember(&bundle);
    eprintln!(
        "added `{}` to stage `{}` as a {} recipient: {} value{} opened with `{reader}`{reader_is} and sealed to its new key pair (public key {}){maker_is}; `{}` pins it",
        args.key,
        stage.name,
        role.as_str(),
        plaintexts.len(),
        if plaintexts.len() == 1 { "" } else { "s" },
        crate::kms::fingerprint_of(added.public_key()),
        args.file.display(),
    );
    if role == RecipientRole::Failover {
        eprintln!(
            "the function tries it when its first key's KMS does not answer (own region first); grant its role kms:Decrypt on it: `cargo sealed policy --stage {}`{}. Rebuild and deploy: the artifact embeds it",
            stage.name,
            if same_account(&args.key, &stage.key) {
                String::new()
            } else {
                format!(" (the key is in account {}: its key policy must allow the function's account too, `cargo sealed policy --stage {} --key-policy`)", key.account().unwrap_or("?"), stage.name)
            }
        );
    } else {
        eprintln!(
            "the function never tries it and its role needs no grant on it; in an incident, an operator with kms:Decrypt on it opens the bundle with `cargo sealed stage add-key {} {} --key NEW-KEY --from-profile BREAK-GLASS-PROFILE`",
            args.file.display(),
            stage.name
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether the key ARNs `a` and `b` are of one account.
fn same_account(a: &str, b: &str) -> bool {
    let account = |key: &str| {
        KeyRef::parse(key)
            .ok()
            .and_then(|k| k.account().map(str::to_owned))
    };
    account(a) == account(b)
}

/// The error of a set that could not be written after its stage's bundle was: the old bundle
/// put back if the file is still the one this command wrote (a `set` that came in between, once
/// the bundle's lock was released, is not overwritten), or both named for restoring.
fn put_back(
    path: &Path,
    old: &sealed_format::Bundle,
    new: &sealed_format::Bundle,
    error: &str,
) -> String {
    let restored = crate::bundle_file::lock(path).and_then(|locked| {
        if locked.bundle()?.render() != new.render() {
            return Err("it changed since it was written".to_owned());
        }
        locked.write(old)
    });
    match restored {
        Ok(()) => format!("{error}; the old bundle was put back: nothing changed"),
        Err(again) => format!(
            "{error}; and the old bundle could not be put back ({again}): `{}` (id {}) no longer matches the set's pins; restore both files from version control",
            path.display(),
            new.id_hex()
        ),
    }
}

/// `cargo sealed stage rm-key`: the recipient taken out of the stage's bundle (with every value's
/// sealing to it), then its pin out of the set, under both locks. No KMS call.
fn rm_key(args: &RmKeyArgs) -> Result<ExitCode, String> {
    let LockedStage {
        set_lock,
        mut set,
        stage,
        path,
        bundle_lock,
        bundle: old,
    } = locked_stage(&args.file, &args.stage, "nothing was removed")?;
    let Some(pinned) = stage.recipients.iter().find(|r| r.key == args.key) else {
        let keys: Vec<&str> = stage.recipients.iter().map(|r| r.key.as_str()).collect();
        return Err(format!(
            "stage `{}` has no recipient `{}`; its recipients: {}",
            stage.name,
            args.key,
            if keys.is_empty() {
                "none beside its key".to_owned()
            } else {
                keys.join(", ")
            }
        ));
    };
    let mut bundle = old.clone();
    bundle.remove_recipient(&args.key);
    bundle_lock.write(&bundle)?;
    if let Some(stage) = set.stages.iter_mut().find(|s| s.name == stage.name) {
        stage.recipients.retain(|r| r.key != args.key);
    }
    if let Err(error) = set_lock.write_stage_set(&set) {
        return Err(put_back(&path, &old, &bundle, &error));
    }
    remember(&bundle);
    eprintln!(
        "removed the {} recipient `{}` from stage `{}`: new values are no longer sealed to it. This revokes nothing: its key pair still opens every value in the history of `{}`; to cut it off, `cargo sealed stage rotate {} {}`, retire its grants, and change the secrets at their source if its holders are not trusted",
        pinned.role.as_str(),
        args.key,
        stage.name,
        path.display(),
        args.file.display(),
        stage.name
    );
    Ok(ExitCode::SUCCESS)
}
