//! What is wrong with a stage set, or with a bundle against its stage: one kind per rule, with
//! what the message names, and the line where there is one.

use core::fmt;

use crate::bundle::error::BundleError;
use crate::bundle::format::BUNDLE_ID_LEN;
use crate::context::ContextError;
use crate::key::KeyError;
use crate::stages::model::{RecipientRole, STAGES_HEADER};

/// What is wrong with a stage set (or with a bundle against its stage).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageSetError {
    /// The line (from 1), if the problem is on one.
    pub line: Option<usize>,
    /// What is wrong.
    pub kind: StageSetErrorKind,
}

/// The rule a stage set (or a bundle against its stage) breaks.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StageSetErrorKind {
    /// The first line is a newer format's.
    NewerFormat(String),
    /// The first line is not `sealed-stages 1`.
    NotAStageSet,
    /// No `selector` line.
    NoSelector,
    /// `selector` with other than one field.
    SelectorFields,
    /// The selector is no variable a set may name.
    BadSelector(ContextError),
    /// `selector` twice.
    SelectorTwice,
    /// A directive neither `selector` nor `stage`.
    UnknownDirective(String),
    /// A `stage` line without its name and bundle.
    StageFields,
    /// A field of a `stage` line that is not `NAME=VALUE`.
    NotAField(String),
    /// A field of a `stage` line given twice.
    FieldTwice(String),
    /// A field a `stage` line does not take.
    UnknownField(String),
    /// `id=` that is not the bundle id's hex.
    BadId,
    /// `failover=`/`break-glass=` without `ARN#PUBLIC-KEY`.
    RecipientFormat(String),
    /// A stage without a required field.
    MissingField {
        /// The stage.
        stage: String,
        /// The field (`key`, `id`, `public-key`).
        field: &'static str,
    },
    /// The same stage twice.
    DuplicateStage(String),
    /// One bundle file for two stages.
    DuplicateBundle(String),
    /// A stage name the bundles refuse.
    BadStageName(BundleError),
    /// A bundle file name that is not a file beside the set.
    BadBundleFile {
        /// The stage.
        stage: String,
        /// The file name written.
        name: String,
    },
    /// An account that is not 12 digits.
    BadAccount(String),
    /// A region that is not a region's name.
    BadRegion(String),
    /// A key that does not parse.
    BadKey {
        /// The key written.
        key: String,
        /// Why.
        error: KeyError,
    },
    /// A key that is not a key ARN.
    KeyNotArn(String),
    /// A key in another account than the stage's.
    KeyInOtherAccount {
        /// The key.
        key: String,
        /// Its account.
        of_key: String,
        /// The stage's.
        account: String,
    },
    /// A pinned public key that is not a P-256 public key in base64.
    BadPublicKey(String),
    /// A recipient's key twice in one stage (or the stage's own key).
    DuplicateRecipient {
        /// The key.
        key: String,
        /// The stage.
        stage: String,
    },
    /// Two recipients of one stage with one public key.
    SharedPublicKey {
        /// The key.
        key: String,
        /// The stage.
        stage: String,
    },
    /// More recipients in one stage than [`MAX_RECIPIENTS`](crate::bundle::format::MAX_RECIPIENTS).
    TooManyRecipients {
        /// The stage.
        stage: String,
    },
    /// A file larger than [`MAX_FILE_BYTES`](crate::bundle::format::MAX_FILE_BYTES): its length.
    TooLarge(usize),
    /// A bundle of another stage, or of none.
    NotTheStagesBundle {
        /// The bundle file.
        bundle: String,
        /// The stage pinning it.
        stage: String,
        /// The bundle's own `stage` line, if any.
        other: Option<String>,
    },
    /// A bundle whose key is not the pinned one.
    KeyNotPinned {
        /// The bundle file.
        bundle: String,
        /// Its key.
        found: String,
        /// The pinned key.
        pinned: String,
        /// The stage.
        stage: String,
    },
    /// A bundle whose id is not the pinned one.
    IdNotPinned {
        /// The bundle file.
        bundle: String,
        /// Its id.
        found: [u8; BUNDLE_ID_LEN],
        /// The pinned id.
        pinned: [u8; BUNDLE_ID_LEN],
        /// The stage.
        stage: String,
    },
    /// A bundle whose public key is not the pinned one.
    PublicKeyNotPinned {
        /// The bundle file.
        bundle: String,
        /// The stage.
        stage: String,
    },
    /// A recipient in the bundle that the set does not pin.
    UnpinnedRecipient {
        /// The bundle file.
        bundle: String,
        /// The recipient's key.
        key: String,
        /// The stage.
        stage: String,
    },
    /// A recipient whose public key is not the pinned one.
    RecipientPublicKeyNotPinned {
        /// The recipient's key.
        key: String,
        /// The bundle file.
        bundle: String,
        /// The stage.
        stage: String,
    },
    /// A pinned recipient the bundle lacks.
    MissingRecipient {
        /// The recipient's key.
        key: String,
        /// Its role.
        role: RecipientRole,
        /// The stage.
        stage: String,
    },
}

impl fmt::Display for StageSetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        fmt::Display::fmt(&self.kind, f)
    }
}

impl fmt::Display for StageSetErrorKind {
    #[allow(clippy::too_many_lines)] // one message per rule
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use StageSetErrorKind as K;
        match self {
            K::NewerFormat(first) => write!(f, "stage set format `{first}` is newer than this version of sealed reads (`{STAGES_HEADER}`)"),
            K::NotAStageSet => write!(f, "not a stage set: the first line must be `{STAGES_HEADER}`"),
            K::NoSelector => f.write_str("no `selector` line"),
            K::SelectorFields => f.write_str("`selector` takes one field: the environment variable that names the stage"),
            K::BadSelector(error) => write!(f, "{error}"),
            K::SelectorTwice => f.write_str("`selector` given twice"),
            K::UnknownDirective(other) => write!(f, "unknown directive `{other}`; expected `selector` or `stage`"),
            K::StageFields => f.write_str("`stage` takes the stage's name, its bundle file, then `key=ARN id=HEX public-key=BASE64` and optionally `account=ID`, `regions=R1,R2` and recipients (`failover=ARN#BASE64`, `break-glass=ARN#BASE64`)"),
            K::NotAField(field) => write!(f, "`{field}` is not `key=…`, `id=…`, `public-key=…`, `account=…`, `regions=…`, `failover=…` or `break-glass=…`"),
            K::FieldTwice(what) => write!(f, "`{what}=` given twice"),
            K::UnknownField(other) => write!(f, "unknown field `{other}=`; expected `key=`, `id=`, `public-key=`, `account=`, `regions=`, `failover=` or `break-glass=`"),
            K::BadId => write!(f, "`id=` must be {} hex digits", BUNDLE_ID_LEN * 2),
            K::RecipientFormat(what) => write!(f, "`{what}=` takes `ARN#PUBLIC-KEY`: the recipient's key and the public key of its pair"),
            K::MissingField { stage, field } => write!(f, "the stage `{stage}` has no `{field}=`"),
            K::DuplicateStage(name) => write!(f, "the stage `{name}` is given twice"),
            K::DuplicateBundle(bundle) => write!(f, "the bundle `{bundle}` is given to two stages"),
            K::BadStageName(error) => write!(f, "{error}"),
            K::BadBundleFile { stage, name } => write!(f, "the bundle of stage `{stage}` is `{name}`; it must be a file name beside the set ending in `.bundle` (`app.{stage}.bundle`)"),
            K::BadAccount(account) => write!(f, "account `{account}` is not 12 digits"),
            K::BadRegion(region) => write!(f, "region `{region}` is not a region name (`eu-west-1`)"),
            K::BadKey { key, error } => write!(f, "invalid key `{key}`: {error}"),
            K::KeyNotArn(key) => write!(f, "the key of a stage is a key ARN (`arn:aws:kms:REGION:ACCOUNT:key/KEY-ID`), not `{key}`: an alias cannot be pinned by IAM and names another key in each region (`aws kms describe-key --key-id {key}` shows its ARN)"),
            K::KeyInOtherAccount { key, of_key, account } => write!(f, "the key `{key}` is in account {of_key}, not the stage's account {account}"),
            K::BadPublicKey(key) => write!(f, "the public key pinned for `{key}` is not a P-256 public key in base64"),
            K::DuplicateRecipient { key, stage } => write!(f, "the key `{key}` is a recipient of stage `{stage}` already"),
            K::TooManyRecipients { stage } => write!(f, "stage `{stage}` has more than {} recipients beside its key: `cargo sealed` never writes that many", crate::bundle::format::MAX_RECIPIENTS),
            K::TooLarge(len) => write!(f, "the file is {len} bytes, more than the {} a stage set may be", crate::bundle::format::MAX_FILE_BYTES),
            K::SharedPublicKey { key, stage } => write!(f, "the public key pinned for `{key}` is another recipient's of stage `{stage}`: each recipient has a key pair of its own"),
            K::NotTheStagesBundle { bundle, stage, other: Some(other) } => write!(f, "`{bundle}` is the bundle of stage `{other}`, not of `{stage}`: it was copied from another stage"),
            K::NotTheStagesBundle { bundle, other: None, .. } => write!(f, "`{bundle}` is not the bundle of a stage (it has no `stage` line): create it with `cargo sealed stage new`"),
            K::KeyNotPinned { bundle, found, pinned, stage } => write!(f, "the key of `{bundle}` is `{found}`, not `{pinned}`, the key the stage set pins for `{stage}`: restore the bundle from version control"),
            K::IdNotPinned { bundle, found, pinned, stage } => write!(f, "the id of `{bundle}` is `{}`, not `{}`, the id the stage set pins for `{stage}`: restore the bundle from version control (a rotation changes both, with `cargo sealed stage rotate`)", hex::encode(found), hex::encode(pinned)),
            K::PublicKeyNotPinned { bundle, stage } => write!(f, "the public key of `{bundle}` is not the one the stage set pins for `{stage}`: someone swapped it to read what is sealed to it; restore the bundle from version control"),
            K::UnpinnedRecipient { bundle, key, stage } => write!(f, "`{bundle}` has a recipient `{key}` that the stage set does not pin for `{stage}`: whoever wrote it could read every value sealed after; remove it (`cargo sealed stage rm-key`) or restore the bundle from version control"),
            K::RecipientPublicKeyNotPinned { key, bundle, stage } => write!(f, "the public key of recipient `{key}` in `{bundle}` is not the one the stage set pins for `{stage}`: someone swapped it to read what is sealed to it; restore the bundle from version control"),
            K::MissingRecipient { key, role, stage } => write!(f, "the stage set pins `{key}` as a {} recipient of `{stage}`, but the bundle has no such recipient: restore the bundle from version control, or add it with `cargo sealed stage add-key`", role.as_str()),
        }
    }
}

impl std::error::Error for StageSetError {}

impl StageSetError {
    /// `kind` on line `line` (from 1).
    pub(crate) fn at(line: usize, kind: StageSetErrorKind) -> Self {
        StageSetError {
            line: Some(line),
            kind,
        }
    }

    /// The next step.
    pub fn help(&self) -> String {
        "a stage set is written by `cargo sealed stage`: restore the file from version control, or add the stage again with `cargo sealed stage new FILE STAGE --key ARN`".to_owned()
    }
}

impl From<StageSetErrorKind> for StageSetError {
    /// `kind` on no line.
    fn from(kind: StageSetErrorKind) -> Self {
        StageSetError { line: None, kind }
    }
}
