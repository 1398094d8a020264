//! Bundle values: one `Decrypt` of the bundle's data key per process, shared by every value of
//! the bundle however many tasks ask (single flight per bundle), then a local AEAD open.
//!
//! Also the sealing side that `cargo sealed bundle` uses ([`seal_value`], [`new_bundle_id`],
//! reached through `__tools`), so that one module holds both halves of the AEAD's use.

use std::sync::{Mutex, PoisonError};

use sealed_format::{associated_data, DATA_KEY_LEN};
use zeroize::Zeroizing;

use crate::aead;
use crate::declaration::{BundleMember, Declaration};
use crate::error::{Details, Error, ErrorKind};
use crate::flight::SingleFlight;
use crate::throttling;

/// A bundle's data key, zeroed when dropped.
pub(crate) struct DataKey(Zeroizing<[u8; DATA_KEY_LEN]>);

type Cell = SingleFlight<DataKey, Error>;

/// The data-key cell of each bundle met so far. A bundle is its id and the whole `Decrypt` of
/// its data key (wrapped key, key and context): the values of one file share it, whichever
/// crates name them, and a copy with another key or context line is another bundle, which KMS
/// judges for itself. Few entries: one per bundle file in the binary.
static BUNDLES: Mutex<Vec<(&'static Declaration, &'static Cell)>> = Mutex::new(Vec::new());

fn same_bundle(a: &Declaration, b: &Declaration) -> bool {
    let id = |declared: &Declaration| declared.bundle.as_ref().map(|bundle| bundle.id);
    id(a) == id(b) && a.ciphertext == b.ciphertext && a.key == b.key && a.context == b.context
}

fn cell_of(declared: &'static Declaration) -> &'static Cell {
    let mut bundles = BUNDLES.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, cell)) = bundles
        .iter()
        .find(|(known, _)| same_bundle(known, declared))
    {
        return cell;
    }
    let cell: &'static Cell = Box::leak(Box::new(SingleFlight::new()));
    bundles.push((declared, cell));
    cell
}

/// For `cargo sealed bundle set`: `plaintext` sealed as the value `name` of the bundle `id`
/// under its data key (nonce ‖ ciphertext ‖ tag).
pub fn seal_value(
    data_key: &[u8],
    id: &[u8; 16],
    name: &str,
    plaintext: &[u8],
) -> Result<Vec<u8>, String> {
    aead::seal(data_key, &associated_data(id, name), plaintext).map_err(|_| {
        "cannot seal: the data key is not 32 bytes, or the system's random generator failed"
            .to_owned()
    })
}

/// For `cargo sealed bundle new`: a random bundle id.
pub fn new_bundle_id() -> Result<[u8; 16], String> {
    aead::random().map_err(|_| "the system's random generator failed".to_owned())
}

/// The plaintext of the bundle value `declared`.
pub(crate) async fn open(
    declared: &'static Declaration,
    bundle: &'static BundleMember,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let data_key = cell_of(declared)
        .get_or_try_init(|| {
            let unwrap = throttling::decrypt(declared);
            async move {
                let plaintext = unwrap.await?;
                if plaintext.len() != DATA_KEY_LEN {
                    return Err(Error::new(ErrorKind::BundleDataKey {
                        len: plaintext.len(),
                    }));
                }
                // copied straight into its zeroizing home: no copy on the stack
                let mut key = Zeroizing::new([0; DATA_KEY_LEN]);
                key.copy_from_slice(&plaintext);
                Ok(DataKey(key))
            }
        })
        .await?;
    aead::open(
        &*data_key.0,
        &associated_data(&bundle.id, bundle.name),
        bundle.encrypted,
    )
    .ok_or_else(|| {
        let details = Details {
            key: declared.key.map(str::to_owned),
            ..Details::default()
        };
        Error::with(ErrorKind::BundleValueRejected, details)
    })
}
