//! `cargo sealed stage`: a stage set, one bundle per stage, one artifact for every stage. Only
//! `add` calls KMS (the stage's key pair); `init`, `set`, `ls` and `matrix` need the files and
//! nothing else.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use sealed_format::{
    check_stage_key, check_stage_name, stage_bundle_name, KeyRef, Stage, StageSet, DEFAULT_SELECTOR,
};

use crate::args::{ContextArgs, ScanArgs};
use crate::bundle_ops::{bundle_error, new_key_pair, remember, set_value, SetValue};
use crate::kms::public_key_fingerprint;
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
    Add(AddArgs),
    /// Add or replace a value in one stage, read from stdin or a hidden prompt: no KMS call and
    /// no credentials (a writer cannot read)
    Set(SetArgs),
    /// List the stages: bundle, key, id, account, regions and values (no KMS call)
    Ls(FileArgs),
    /// Names × stages for the `sealed!(stages = …)` under PATHs: present, absent, left out by
    /// `only`, or in a bundle but read by no `sealed!`; exits 1 on a gap
    Matrix(MatrixArgs),
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
struct MatrixArgs {
    /// The stage set file
    file: PathBuf,
    #[command(flatten)]
    scan: ScanArgs,
}

pub async fn run(args: StageArgs) -> Result<ExitCode, String> {
    match args.command {
        StageCommand::Init(args) => init(&args),
        StageCommand::Add(args) => add(args).await,
        StageCommand::Set(args) => set(&args),
        StageCommand::Ls(args) => ls(&args),
        StageCommand::Matrix(args) => matrix(&args),
    }
}

fn init(args: &InitArgs) -> Result<ExitCode, String> {
    let set = StageSet::new(&args.selector).map_err(|e| format!("--selector: {e}"))?;
    crate::bundle_file::create_stage_set(&args.file, &set)?;
    eprintln!(
        "created `{}`, selected by `{}`; add stages with `cargo sealed stage add {} STAGE --key ARN`",
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
        account: args.account.clone(),
        regions: args.regions.clone(),
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
        let path = bundle_path(&args.file, stage);
        let values = crate::bundle_file::read(&path).map_or_else(
            |e| format!("unreadable: {e}"),
            |bundle| match stage.check_bundle(&bundle) {
                Ok(()) => format!("{} values", bundle.values.len()),
                Err(e) => format!("not this stage's: {e}"),
            },
        );
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

fn matrix(args: &MatrixArgs) -> Result<ExitCode, String> {
    let set = crate::bundle_file::read_stage_set(&args.file)?;
    let set_file = std::fs::canonicalize(&args.file)
        .map_err(|e| format!("cannot read `{}`: {e}", args.file.display()))?;
    let invocations = crate::scan::invocations(&args.scan)?;
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
