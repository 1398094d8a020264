//! Bundle values: one `Decrypt` of the bundle's data key per process, shared by every value of
//! the bundle however many tasks ask (single flight per bundle), then a local AEAD open.

use std::sync::{Mutex, PoisonError};

use sealed_format::{associated_data, DATA_KEY_LEN};
use zeroize::Zeroizing;

use crate::aead;
use crate::decrypt;
use crate::error::{Details, Error, ErrorKind};
use crate::facts::{BundleParts, EntryParts};
use crate::flight::SingleFlight;

/// A bundle's data key, zeroed when dropped.
pub(crate) struct DataKey(Zeroizing<[u8; DATA_KEY_LEN]>);

type Cell = SingleFlight<DataKey, Error>;

/// The data-key cell of each bundle met so far. A bundle is its id and the whole `Decrypt` of
/// its data key (wrapped key, key and context): the values of one file share it, whichever
/// crates name them, and a copy with another key or context line is another bundle, which KMS
/// judges for itself. Few entries: one per bundle file in the binary.
static BUNDLES: Mutex<Vec<(&'static EntryParts, &'static Cell)>> = Mutex::new(Vec::new());

fn same_bundle(a: &EntryParts, b: &EntryParts) -> bool {
    let id = |parts: &EntryParts| parts.bundle.as_ref().map(|bundle| bundle.id);
    id(a) == id(b) && a.ciphertext == b.ciphertext && a.key == b.key && a.context == b.context
}

fn cell_of(parts: &'static EntryParts) -> &'static Cell {
    let mut bundles = BUNDLES.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, cell)) = bundles.iter().find(|(known, _)| same_bundle(known, parts)) {
        return cell;
    }
    let cell: &'static Cell = Box::leak(Box::new(SingleFlight::new()));
    bundles.push((parts, cell));
    cell
}

/// The plaintext of the bundle value `parts`.
pub(crate) async fn open(
    parts: &'static EntryParts,
    bundle: &'static BundleParts,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let data_key = cell_of(parts)
        .get_or_try_init(|| {
            let unwrap = decrypt::decrypt(parts);
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
        bundle.sealed,
    )
    .ok_or_else(|| {
        let details = Details {
            key: parts.key.map(str::to_owned),
            ..Details::default()
        };
        Error::with(ErrorKind::BundleValueRejected, details)
    })
}
