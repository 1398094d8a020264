//! Step two: from bytes to a layout (docs/KMS-FORMAT.md §2–§4), or the first byte that breaks it.
//!
//! The rooms, each importing only those listed before it:
//!
//! * [`layout`]: what every layout reader returns, the facts of a recognised blob or the error
//!   at a byte range, and the helpers that word those errors;
//! * [`der`]: a strict DER reader that names what it expected where it fails;
//! * [`cms`]: the CMS `EncryptedData` skeleton inside the AWS symmetric layouts;
//! * [`aws`]: the three AWS symmetric layouts (v2, v1, the legacy protobuf wrapper);
//! * [`sm2`]: SM2PKE ciphertexts;
//! * [`emulator`]: the layouts of local KMS emulators (moto, LocalStack, local-kms);
//! * [`inspection`]: what [`inspect`](inspect::inspect) takes ([`Options`](inspection::Options))
//!   and gives ([`Inspection`](inspection::Inspection));
//! * [`classify`]: which layout the declared algorithm allows, and which one the bytes have;
//! * [`inspect`]: the entry point: decode, classify, and word the outcome for the literal.

pub(crate) mod aws;
pub(crate) mod classify;
pub(crate) mod cms;
pub(crate) mod der;
pub(crate) mod emulator;
pub(crate) mod inspect;
pub(crate) mod inspection;
pub(crate) mod layout;
pub(crate) mod sm2;
