//! Bundle values: one `Decrypt` of the bundle's wrapped private key per process, shared by
//! every value of the bundle however many tasks ask (single flight per bundle), the key checked
//! against the file's public key (with failover recipients: the first recipient whose KMS
//! answers, the function's own region first, under one deadline), then each value opened locally (HPKE, `key_pair`) on its own
//! first access: `prefetch` only unwraps ([`unwrap`]), and once the key is there a value opens
//! in the caller's thread without waiting ([`open_now`]).
//!
//! Also the sealing side that `cargo sealed bundle` uses ([`seal_value`], [`new_bundle_id`],
//! reached through `__tools`), so that one module holds both halves of HPKE's use.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use sealed_format::{hpke_aad, hpke_info, POINT_LEN};
use zeroize::Zeroizing;

use crate::declaration::{BundleMember, Request};
use crate::error::{Details, Error, ErrorKind};
use crate::flight::SingleFlight;
use crate::key_pair::{self, KeyError, PrivateKey};
use crate::throttling;

type Cell = SingleFlight<PrivateKey, Error>;

/// The private-key cell of each key pair met so far: a bundle's own, or one of its recipients'.
/// A key pair is the whole `Decrypt` of its private key (wrapped key, key and context, whose
/// `sealed:bundle` entry is the bundle's id) and the public point it must match: the values of
/// one file share it, whichever crates name them, and a copy with another key, context or public
/// key line is another pair, which KMS and the key check judge for themselves. Few entries: one
/// per recipient of each bundle file in the binary.
static PAIRS: Mutex<Vec<(&'static Request, [u8; POINT_LEN], &'static Cell)>> =
    Mutex::new(Vec::new());

fn same_pair(a: &Request, b: &Request) -> bool {
    a.ciphertext == b.ciphertext && a.key == b.key && a.context == b.context
}

fn cell_of(declared: &'static Request, point: &[u8; POINT_LEN]) -> &'static Cell {
    let mut pairs = PAIRS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, _, cell)) = pairs
        .iter()
        .find(|(known, known_point, _)| known_point == point && same_pair(known, declared))
    {
        return cell;
    }
    let cell: &'static Cell = Box::leak(Box::new(SingleFlight::new()));
    pairs.push((declared, *point, cell));
    cell
}

/// The recipients whose KMS did not answer in this process (their `Decrypt`s, by address): a
/// later access skips them while another recipient is left to try, so that callers arriving
/// during an outage do not each wait out the same dead endpoint. Once a recipient's private key
/// is unwrapped, no access asks KMS again.
static DOWN: Mutex<Vec<usize>> = Mutex::new(Vec::new());

/// Forgets which recipients' KMS did not answer: a SnapStart restore starts in another moment
/// (and the outage INIT met should not steer every restored environment).
pub(crate) fn forget_outages() {
    DOWN.lock().unwrap_or_else(PoisonError::into_inner).clear();
}

fn address(declared: &'static Request) -> usize {
    std::ptr::from_ref(declared) as usize
}

fn is_down(declared: &'static Request) -> bool {
    DOWN.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .contains(&address(declared))
}

fn mark_down(declared: &'static Request) {
    let mut down = DOWN.lock().unwrap_or_else(PoisonError::into_inner);
    if !down.contains(&address(declared)) {
        down.push(address(declared));
    }
}

/// For `cargo sealed bundle set`: `plaintext` sealed as the value `name`, generation
/// `generation`, of `bundle`, to each of its recipients in order (to the public key, its id and
/// stage bound: encapsulated key ‖ ciphertext ‖ tag). Needs no key but the public ones: a
/// writer cannot read.
pub fn seal_value(
    bundle: &sealed_format::Bundle,
    name: &str,
    generation: u64,
    plaintext: &[u8],
) -> Result<Vec<Vec<u8>>, String> {
    bundle
        .public_points()
        .iter()
        .map(|point| seal_to(bundle, point, name, generation, plaintext))
        .collect()
}

/// For `cargo sealed stage add-key`: `plaintext` sealed as the value `name`, generation
/// `generation`, of `bundle`, to the one public point `point` (a recipient being added).
pub fn seal_to(
    bundle: &sealed_format::Bundle,
    point: &[u8; POINT_LEN],
    name: &str,
    generation: u64,
    plaintext: &[u8],
) -> Result<Vec<u8>, String> {
    key_pair::seal(point, &bundle.hpke_info(), &hpke_aad(name, generation), plaintext).map_err(|_| {
        "cannot seal: a public key of the bundle is not a point of P-256 (restore its `public-key` or `recipient` line), or the system's random generator failed"
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

/// One recipient of a bundle as the function may use it: its `Decrypt`, its public point, the
/// value sealed to it.
#[derive(Clone, Copy)]
struct Recipient {
    declared: &'static Request,
    point: &'static [u8; POINT_LEN],
    sealed: &'static [u8],
}

/// The recipients of the bundle value `declared` the function may use, in the order it tries
/// them: those whose key is in the function's own region (`AWS_REGION`) first, then the
/// others, each group in the order the trust anchor pins them (the stage's key, then its
/// `failover=` keys). Break-glass recipients are never here: the macro does not embed them.
fn recipients(declared: &'static Request, bundle: &'static BundleMember) -> Vec<Recipient> {
    let mut all = vec![Recipient {
        declared,
        point: &bundle.public_point,
        sealed: bundle.sealed,
    }];
    all.extend(bundle.failover.iter().map(|other| Recipient {
        declared: &other.request,
        point: &other.public_point,
        sealed: other.sealed,
    }));
    if all.len() > 1 {
        let own = crate::client::own_region();
        let region_of = |r: &Recipient| {
            r.declared
                .key
                .and_then(|key| sealed_format::KeyRef::parse(key).ok())
                .and_then(|key| key.region().map(str::to_owned))
        };
        // a stable sort: the pinned order within each group
        all.sort_by_key(|r| own.is_none() || region_of(r) != own);
    }
    all
}

/// Whether a recipient's `Decrypt` failed for want of its KMS (the next recipient is tried):
/// no answer in time, no connection, or KMS's own failure (`KMSInternalException`,
/// `DependencyTimeoutException`, `KeyUnavailableException`). Not throttling (waited out as
/// for any value), not a refusal (`AccessDenied`, a disabled or deleted key: how incident
/// response cuts a function off), never an answer that the file was tampered with.
fn fails_over(kind: &ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::TimedOut | ErrorKind::Unreachable | ErrorKind::Service
    )
}

/// The time kept for each recipient still to try when an earlier one's KMS does not answer:
/// the first recipient's `Decrypt` is cut this long before the shared deadline (for each
/// recipient after it), so that a failover always has an attempt's time (2 s) and a connection
/// (1 s) left, whatever timeouts the client was installed with.
const FAILOVER_RESERVE: Duration = Duration::from_millis(2500);

/// The bundle's private key: unwrapped with one `Decrypt` per key pair (single flight), checked
/// against the file's public key; a failure is not cached, the next access asks KMS again. With
/// failover recipients: the first whose KMS answers, all tries under one deadline, each cut early
/// enough to leave [`FAILOVER_RESERVE`] to every recipient after it; and which one it is.
async fn private_key_of(
    declared: &'static Request,
    bundle: &'static BundleMember,
) -> Result<(&'static PrivateKey, Recipient), Error> {
    let all = recipients(declared, bundle);
    if let Some(unwrapped) = unwrapped(&all) {
        return Ok(unwrapped);
    }
    // recipients found down earlier in this process go last, not first
    let (up, down): (Vec<Recipient>, Vec<Recipient>) =
        all.iter().partition(|r| !is_down(r.declared));
    let order: Vec<Recipient> = up.into_iter().chain(down).collect();
    let several = order.len() > 1;
    let deadline = Instant::now() + throttling::THROTTLED_RETRY_DEADLINE;
    let mut earlier: Vec<String> = Vec::new();
    for (i, recipient) in order.iter().enumerate() {
        if let Some(unwrapped) = unwrapped(&order) {
            return Ok(unwrapped);
        }
        let after = u32::try_from(order.len() - 1 - i).unwrap_or(u32::MAX);
        let until = deadline
            .checked_sub(FAILOVER_RESERVE * after)
            .unwrap_or(deadline);
        let result = cell_of(recipient.declared, recipient.point)
            .get_or_try_init(|| {
                let unwrap = throttling::decrypt_by(recipient.declared, until, several);
                let (declared, point) = (recipient.declared, recipient.point);
                async move {
                    let pkcs8 = unwrap.await?;
                    private_key(&pkcs8, point).map_err(|kind| Error::with(kind, details(declared)))
                }
            })
            .await;
        match result {
            Ok(key) => {
                if !earlier.is_empty() {
                    tracing::warn!(value = %declared.location, key = recipient.declared.key.unwrap_or(""), tried = %earlier.join("; "), "sealed: an earlier recipient of the bundle did not answer; opened it with a failover recipient");
                }
                return Ok((key, *recipient));
            }
            Err(error) if fails_over(error.kind()) && i + 1 < order.len() => {
                mark_down(recipient.declared);
                earlier.push(format!(
                    "`{}`: {}",
                    recipient.declared.key.unwrap_or("?"),
                    error.kind().name()
                ));
            }
            Err(error) if earlier.is_empty() => return Err(error),
            Err(error) => return Err(error.after_failover(earlier)),
        }
    }
    unreachable!("the last recipient returns")
}

/// The first recipient in `order` whose private key is unwrapped already.
fn unwrapped(order: &[Recipient]) -> Option<(&'static PrivateKey, Recipient)> {
    order
        .iter()
        .find_map(|r| cell_of(r.declared, r.point).get().map(|key| (key, *r)))
}

fn details(declared: &Request) -> Details {
    Details {
        key: declared.key.map(str::to_owned),
        ..Details::default()
    }
}

/// For `prefetch`: the bundle's private key unwrapped and checked, no value opened (each opens
/// on its first access: an ECDH each, CPU a small function pays in 100 ms periods at start-up).
pub(crate) async fn unwrap(
    declared: &'static Request,
    bundle: &'static BundleMember,
) -> Result<(), Error> {
    private_key_of(declared, bundle).await.map(|_| ())
}

/// The plaintext of the bundle value `declared` now, without waiting, if its bundle's private key
/// is unwrapped already; `None` if it is not.
pub(crate) fn open_now(
    declared: &'static Request,
    bundle: &'static BundleMember,
) -> Option<Result<Zeroizing<Vec<u8>>, Error>> {
    let (key, recipient) = unwrapped(&recipients(declared, bundle))?;
    Some(open_with(key, recipient, bundle))
}

/// The plaintext of the bundle value `declared`: its bundle's private key unwrapped if it is not
/// yet, then the value opened.
pub(crate) async fn open(
    declared: &'static Request,
    bundle: &'static BundleMember,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let (key, recipient) = private_key_of(declared, bundle).await?;
    open_with(key, recipient, bundle)
}

/// The value sealed to `recipient` opened with its private key `key`.
fn open_with(
    key: &PrivateKey,
    recipient: Recipient,
    bundle: &BundleMember,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    key_pair::open(
        key,
        &hpke_info(&bundle.id, bundle.stage),
        &hpke_aad(bundle.name, bundle.generation),
        recipient.sealed,
    )
    .ok_or_else(|| Error::with(ErrorKind::BundleValueRejected, details(recipient.declared)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_outage_fails_over_never_a_refusal_or_a_tampered_file() {
        for kind in [
            ErrorKind::TimedOut,
            ErrorKind::Unreachable,
            ErrorKind::Service,
        ] {
            assert!(fails_over(&kind), "{kind:?}");
        }
        for kind in [
            ErrorKind::Throttled,
            ErrorKind::AccessDenied,
            ErrorKind::KeyDisabled,
            ErrorKind::KeyInvalidState,
            ErrorKind::KeyNotFound,
            ErrorKind::Credentials,
            ErrorKind::InvalidCiphertext,
            ErrorKind::IncorrectKey,
            ErrorKind::BundleKeyMismatch,
            ErrorKind::BundlePrivateKey,
            ErrorKind::BundleValueRejected,
        ] {
            assert!(!fails_over(&kind), "{kind:?}");
        }
    }
}
