//! Key pairs and recipients: a stage rotated, another recipient added with two sessions, one removed (`rotate`, `add-key`, `rm-key`).

use std::path::PathBuf;
use std::process::ExitCode;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use clap::Args;
use sealed_format::{check_stage_key, KeyRef, RecipientRole, StageRecipient};

use crate::bundle_ops::{remember, rotated, rotation_report};
use crate::error::CliError;
use crate::recipients::{open_every_value, recipients_again, with_recipient};

use crate::stage::pins::{guard_set, locked_stage};

#[derive(Args)]
pub(crate) struct RotateArgs {
    /// The stage set file
    file: PathBuf,
    /// The stage
    stage: String,
    /// Seal again to readers that the default branch's version of the set does not have (after
    /// checking each with whoever holds its key); the code's `readers = […]` must name them too
    #[arg(long)]
    new_readers: bool,
}

#[derive(Args)]
pub(crate) struct AddKeyArgs {
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
    /// Seal to readers of the stage that the default branch's version of the set does not have
    /// (after checking each with whoever holds its key); the code's `readers = […]` must name
    /// them too
    #[arg(long)]
    new_readers: bool,
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
pub(crate) struct RmKeyArgs {
    /// The stage set file
    file: PathBuf,
    /// The stage
    stage: String,
    /// The recipient's KMS key, as the set pins it
    #[arg(long)]
    key: String,
}

/// `cargo sealed stage rotate`: the stage's bundle rotated under its own key (its values opened
/// with that stage's credentials), then the set's id pin for it moved to the new id.
pub(crate) async fn rotate(args: &RotateArgs, emulator: bool) -> Result<ExitCode, CliError> {
    let mut locked = locked_stage(&args.file, &args.stage, "nothing was rotated")?;
    let (stage, path, old) = (
        locked.stage.clone(),
        locked.path.clone(),
        locked.bundle.clone(),
    );
    let key =
        KeyRef::parse(&stage.key).map_err(|e| CliError::from(format!("the stage's key: {e}")))?;
    guard_set(&args.file, &locked.set, &old, args.new_readers)?;
    let (mut bundle, plaintexts) = rotated(&path, &old, &key, emulator).await?;
    recipients_again(&old, &mut bundle, &plaintexts).await?;
    if let Some(pinned) = locked.set.stage_mut(&stage.name) {
        pinned.pin_rotated(&bundle);
    }
    locked.commit(&bundle)?;
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
        .any(|recipient| recipient.account() != stage.key_account())
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
pub(crate) async fn add_key(args: &AddKeyArgs, emulator: bool) -> Result<ExitCode, CliError> {
    // the reader's session, handed to the values it opens (the runtime's shared client
    // otherwise)
    let mut reader_is = String::new();
    let mut reader_session = None;
    if let Some(profile) = &args.from_profile {
        let reader = crate::kms::session(Some(profile)).await;
        reader_is = format!(" (profile `{profile}`, {})", reader.identity);
        reader_session = Some(reader.client.config().clone());
    }
    let mut locked = locked_stage(&args.file, &args.stage, "nothing was added")?;
    let (stage, path, old) = (
        locked.stage.clone(),
        locked.path.clone(),
        locked.bundle.clone(),
    );
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
    let key = KeyRef::parse(&args.key).map_err(|e| CliError::from(format!("--key: {e}")))?;
    guard_set(&args.file, &locked.set, &old, args.new_readers)?;
    if args.key == stage.key || old.recipient(&args.key).is_some() {
        return Err(format!(
            "`{}` is a recipient of stage `{}` already",
            args.key, stage.name
        )
        .into());
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
    // the new pin checked before anything is written
    let recipient = StageRecipient {
        role,
        key: args.key.clone(),
        public_key: STANDARD.encode(added.public_key()),
    };
    locked
        .set
        .stage_mut(&stage.name)
        .map_or(Ok(()), |pinned| pinned.add_recipient(recipient))
        .map_err(|e| CliError::from(format!("{e}; nothing was added")))?;
    locked.commit(&bundle)?;
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
            if key.account() == stage.key_account() {
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

/// `cargo sealed stage rm-key`: the recipient taken out of the stage's bundle (with every value's
/// sealing to it), then its pin out of the set, under both locks. No KMS call.
pub(crate) fn rm_key(args: &RmKeyArgs) -> Result<ExitCode, CliError> {
    let mut locked = locked_stage(&args.file, &args.stage, "nothing was removed")?;
    let (stage, path, old) = (
        locked.stage.clone(),
        locked.path.clone(),
        locked.bundle.clone(),
    );
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
        )
        .into());
    };
    let mut bundle = old.clone();
    bundle.remove_recipient(&args.key);
    if let Some(pinned) = locked.set.stage_mut(&stage.name) {
        pinned.remove_recipient(&args.key);
    }
    locked.commit(&bundle)?;
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
