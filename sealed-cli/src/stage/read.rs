//! The set read: its stages (`ls`), names × stages for the code (`matrix`), two stages side by side (`diff`).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::args::ScanArgs;
use crate::error::CliError;
use crate::output::println;

use crate::stage::pins::{bundle_path, stage_bundle, stage_of};

#[derive(Args)]
pub(crate) struct FileArgs {
    /// The stage set file
    file: PathBuf,
}

#[derive(Args)]
pub(crate) struct MatrixArgs {
    /// The stage set file
    file: PathBuf,
    #[command(flatten)]
    scan: ScanArgs,
}

#[derive(Args)]
pub(crate) struct DiffArgs {
    /// The stage set file
    file: PathBuf,
    /// One stage
    a: String,
    /// The other
    b: String,
}

pub(crate) fn ls(args: &FileArgs) -> Result<ExitCode, CliError> {
    let set = crate::bundle_file::read_stage_set(&args.file)?;
    eprintln!(
        "`{}`: selected by `{}`, {} stage{}",
        args.file.display(),
        set.selector,
        set.stages.len(),
        if set.stages.len() == 1 { "" } else { "s" }
    );
    for stage in &set.stages {
        let values = stage_bundle(&args.file, stage).map_or_else(
            |e| e.render(),
            |bundle| format!("{} values", bundle.values.len()),
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
        for recipient in &stage.recipients {
            println!(
                "{}	{}	{}",
                stage.name,
                recipient.role.as_str(),
                recipient.key
            );
        }
    }
    crate::bundle_ops::show_pin(&sealed_format::Readers::of_stage_set(&set));
    Ok(ExitCode::SUCCESS)
}

/// What a cell of the matrix holds.
pub(crate) fn cell(read: bool, wanted: bool, present: bool) -> (&'static str, bool) {
    match (read, wanted, present) {
        (true, true, true) => ("present", false),
        (true, true, false) => ("ABSENT", true),
        (true, false, _) => ("excluded", false),
        (false, _, true) => ("unused", false),
        (false, _, false) => ("-", false),
    }
}

pub(crate) fn matrix(args: &MatrixArgs, emulator: bool) -> Result<ExitCode, CliError> {
    let set = crate::bundle_file::read_stage_set(&args.file)?;
    let set_file = std::fs::canonicalize(&args.file)
        .map_err(|e| CliError::new(format!("cannot read `{}`", args.file.display())).because(e))?;
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

/// `cargo sealed stage diff`: one row per name in either stage, `generation N, L bytes` or
/// `ABSENT` in each column.
pub(crate) fn diff(args: &DiffArgs) -> Result<ExitCode, CliError> {
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
