//! Bundle values: one `Decrypt` of the bundle's wrapped private key per process, shared by
//! every value of the bundle however many tasks ask (single flight per bundle), the key checked
//! against the file's public key, then each value opened locally (HPKE, `key_pair`) on its own
//! first access: `prefetch` only unwraps ([`unwrap`]), and once the key is there a value opens
//! in the caller's thread without waiting ([`open_now`]).
//!
//! Also the sealing side that `cargo sealed bundle` uses ([`seal_value`], [`new_bundle_id`],
//! reached through `__tools`), so that one module holds both halves of HPKE's use.

use std::sync::{Mutex, PoisonError};

use sealed_format::{hpke_aad, hpke_info, POINT_LEN};
use zeroize::Zeroizing;

use crate::declaration::{BundleMember, Declaration};
use crate::error::{Details, Error, ErrorKind};
use crate::flight::SingleFlight;
use crate::key_pair::{self, KeyError, PrivateKey};
use crate::throttling;

type Cell = SingleFlight<PrivateKey, Error>;

/// The private-key cell of each bundle met so far. A bundle is its id, its public key and the
/// whole `Decrypt` of its private key (wrapped key, key and context): the values of one file
/// share it, whichever crates name them, and a copy with another key or context line is another
/// bundle, which KMS judges for itself. Few entries: one per bundle file in the binary.
static BUNDLES: Mutex<Vec<(&'static Declaration, &'static Cell)>> = Mutex::new(Vec::new());

fn same_bundle(a: &Declaration, b: &Declaration) -> bool {
    let pair = |declared: &Declaration| {
        declared
            .bundle
            .as_ref()
            .map(|bundle| (bundle.id, bundle.public_point))
    };
    pair(a) == pair(b) && a.ciphertext == b.ciphertext && a.key == b.key && a.context == b.context
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

/// For `cargo sealed bundle set`: `plaintext` sealed as the value `name`, generation
/// `generation`, of `bundle` (to its public key, its id and stage bound: encapsulated key ‖
/// ciphertext ‖ tag). Needs no key but the public one: a writer cannot read.
pub fn seal_value(
    bundle: &sealed_format::Bundle,
    name: &str,
    generation: u64,
    plaintext: &[u8],
) -> Result<Vec<u8>, String> {
    let point: [u8; POINT_LEN] = bundle.public_point();
    key_pair::seal(&point, &bundle.hpke_info(), &hpke_aad(name, generation), plaintext).map_err(|_| {
        "cannot seal: the bundle's public key is not a point of P-256 (restore its `public-key` line), or the system's random generator failed"
            .to_owned()
    })
}

/// For `cargo sealed bundle new`: a random bundle id.
pub fn new_bundle_id() -> Result<[u8; 16], String> {
    key_pair::random().map_err(|_| "the system's random generator failed".to_owned())
}

fn private_key(pkcs8: &[u8], point: &[u8; POINT_LEN]) -> Result<PrivateKey, ErrorKind> {
    key_pair::private_key(pkcs8, point).map_err(|error| match error {
        KeyError::Mismatch => ErrorKind::BundleKeyMismatch,
        KeyError::NotP256 => ErrorKind::BundlePrivateKey,
    })
}

/// The bundle's private key: unwrapped with one `Decrypt` per bundle (single flight), checked
/// against the file's public key; a failure is not cached, the next access asks KMS again.
async fn private_key_of(
    declared: &'static Declaration,
    bundle: &'static BundleMember,
) -> Result<&'static PrivateKey, Error> {
    cell_of(declared)
        .get_or_try_init(|| {
            let unwrap = throttling::decrypt(declared);
            async move {
                let pkcs8 = unwrap.await?;
                private_key(&pkcs8, &bundle.public_point)
                    .map_err(|kind| Error::with(kind, details(declared)))
            }
        })
        .await
}

fn details(declared: &Declaration) -> Details {
    Details {
        key: declared.key.map(str::to_owned),
        ..Details::default()
    }
}

/// For `prefetch`: the bundle's private key unwrapped and checked, no value opened (each opens
/// on its first access: an ECDH each, CPU a small function pays in 100 ms periods at start-up).
pub(crate) async fn unwrap(
    declared: &'static Declaration,
    bundle: &'static BundleMember,
) -> Result<(), Error> {
    private_key_of(declared, bundle).await.map(|_| ())
}

/// The plaintext of the bundle value `declared` now, without waiting, if its bundle's private key
/// is unwrapped already; `None` if it is not.
pub(crate) fn open_now(
    declared: &'static Declaration,
    bundle: &'static BundleMember,
) -> Option<Result<Zeroizing<Vec<u8>>, Error>> {
    let key = cell_of(declared).get()?;
    Some(open_with(key, declared, bundle))
}

/// The plaintext of the bundle value `declared`: its bundle's private key unwrapped if it is not
/// yet, then the value opened.
pub(crate) async fn open(
    declared: &'static Declaration,
    bundle: &'static BundleMember,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let key = private_key_of(declared, bundle).await?;
    open_with(key, declared, bundle)
}

fn open_with(
    key: &PrivateKey,
    declared: &Declaration,
    bundle: &BundleMember,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    key_pair::open(
        key,
        &hpke_info(&bundle.id, bundle.stage),
        &hpke_aad(bundle.name, bundle.generation),
        bundle.sealed,
    )
    .ok_or_else(|| Error::with(ErrorKind::BundleValueRejected, details(declared)))
}
