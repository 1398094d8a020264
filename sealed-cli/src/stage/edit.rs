//! The set made (`init`), a stage added (`new`) or taken out (`delete`), a value of one stage
//! set (`set`) or removed (`rm`).

use std::path::PathBuf;
use std::process::ExitCode;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use clap::Args;
use sealed_format::{
    check_stage_key, check_stage_name, stage_bundle_name, KeyRef, Readers, Stage, StageSet,
    DEFAULT_SELECTOR,
};

use crate::args::ContextArgs;
use crate::bundle_ops::{
    bundle_error, name_readers, new_key_pair, remember, set_value, without_value, SetValue,
};
use crate::error::CliError;
use crate::kms::public_key_fingerprint;
use crate::output::println;
use crate::readers_guard::ReadersGuard;
use crate::runtime_tools::new_bundle_id;

use crate::stage::pins::{bundle_path, locked_stage, stage_of};

#[derive(Args)]
pub(crate) struct InitArgs {
    /// The stage set file to create (`secrets/app.stages`)
    file: PathBuf,
    /// The environment variable that selects the stage at start-up
    #[arg(long, default_value = DEFAULT_SELECTOR)]
    selector: String,
}

#[derive(Args)]
pub(crate) struct NewArgs {
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
pub(crate) struct SetArgs {
    /// The stage set file
    file: PathBuf,
    /// The stage
    stage: String,
    /// The value's name (`A-Z a-z 0-9 _ . -`)
    name: String,
    #[command(flatten)]
    write: crate::args::WriteArgs,
}

#[derive(Args)]
pub(crate) struct ValueArgs {
    /// The stage set file
    file: PathBuf,
    /// The stage
    stage: String,
    /// The value's name
    name: String,
}

#[derive(Args)]
pub(crate) struct StageFileArgs {
    /// The stage set file
    file: PathBuf,
    /// The stage
    stage: String,
}

pub(crate) fn init(args: &InitArgs) -> Result<ExitCode, CliError> {
    let set =
        StageSet::new(&args.selector).map_err(|e| CliError::from(format!("--selector: {e}")))?;
    crate::bundle_file::create_stage_set(&args.file, &set)?;
    eprintln!(
        "created `{}`, selected by `{}`; add stages with `cargo sealed stage new {} STAGE --key ARN`",
        args.file.display(),
        set.selector,
        args.file.display()
    );
    eprintln!("{}", codeowners(&args.file));
    Ok(ExitCode::SUCCESS)
}

/// The CODEOWNERS stanza `stage init` offers for the set `file`: who can read is decided by the
/// set and by the code's `readers = […]`, so both get an owner's review.
fn codeowners(file: &std::path::Path) -> String {
    let path = file.to_string_lossy().replace('\\', "/");
    let path = path.trim_start_matches("./");
    format!(
        "who can read its values is decided here and by the `readers = […]` beside each `stages = \"{path}\"` in your code: to have every change of readers reviewed by their owners, add to `.github/CODEOWNERS` (naming your team, and the files that hold those pins):\n  /{path} @your-org/secrets-owners\n  /src/secrets.rs @your-org/secrets-owners"
    )
}

pub(crate) async fn new(args: NewArgs) -> Result<ExitCode, CliError> {
    check_stage_name(&args.stage).map_err(bundle_error)?;
    check_stage_key(&args.key, args.account.as_deref())
        .map_err(|e| CliError::from(format!("--key: {e}")))?;
    let key = KeyRef::parse(&args.key).map_err(|e| CliError::from(format!("--key: {e}")))?;
    let entries = args.context.entries()?;
    let locked = crate::bundle_file::lock(&args.file)?;
    let mut set = locked.stage_set()?;
    if set.stage(&args.stage).is_some() {
        return Err(format!(
            "`{}` has a stage `{}` already",
            args.file.display(),
            args.stage
        )
        .into());
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
    let path = bundle_path(&args.file, &stage);
    // the stage checked into the set before its bundle is written: a refusal leaves no file
    set.add_stage(stage)
        .map_err(|e| CliError::new(format!("{e}; nothing was added")).help(e.help()))?;
    crate::bundle_file::create(&path, &bundle, false)?;
    remember(&bundle);
    locked.write_stage_set(&set)?;
    crate::bundle_ops::show_new_pin(&Readers::of_stage_set(&set));
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

/// `cargo sealed stage set`: the stage's bundle checked against the set (its stage, key and id),
/// the value sealed to its public key. No KMS client is built, no credential read.
pub(crate) fn set(args: &SetArgs) -> Result<ExitCode, CliError> {
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
                    .map_err(|e| CliError::from(format!("{e}; nothing was sealed")))
            },
            trust_new_key: args.write.trust_new_key,
            strip_newline: args.write.strip_newline,
            guard: ReadersGuard {
                file: &args.file,
                readers: &|_| Readers::of_stage_set(&set),
                read: crate::stage::pins::set_readers,
                new_readers: args.write.new_readers,
            },
        },
    )?;
    let readers = Readers::of_stage_set(&set);
    name_readers(
        &readers
            .readers
            .iter()
            .filter(|r| r.stage.as_deref() == Some(args.stage.as_str()))
            .cloned()
            .collect::<Vec<_>>(),
    );
    println!(
        "sealed!(stages = {:?}, name = {:?}, readers = {})",
        args.file.display().to_string(),
        args.name,
        readers.inline()
    );
    Ok(ExitCode::SUCCESS)
}

/// `cargo sealed stage rm`: the value taken out of the stage's bundle, checked against the set
/// first (no pin changes, so the set is not written).
pub(crate) fn rm(args: &ValueArgs) -> Result<ExitCode, CliError> {
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
pub(crate) fn delete(args: &StageFileArgs) -> Result<ExitCode, CliError> {
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
    set.remove_stage(&stage.name);
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
