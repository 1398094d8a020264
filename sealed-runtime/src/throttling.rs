//! Throttling waited out: a `Decrypt` that KMS still throttles after the SDK's own attempts is
//! sent again after a jittered pause, in rounds, until [`THROTTLED_RETRY_DEADLINE`].
//!
//! [`decrypt`] is where every `Decrypt` of the library starts, for a sealed value
//! (`sealed.rs`) as for a bundle's private key (`bundle.rs`): it calls `replica::call` once per
//! round, which calls `decrypt::send` once per region.

use std::time::{Duration, Instant};

use zeroize::Zeroizing;

use crate::declaration::Request;
use crate::decrypt::{Attempts, Mode, Outcome};
use crate::error::{Details, Error, ErrorKind};
use crate::replica;

/// How long a throttled `Decrypt` keeps being tried, from its first attempt: 9 s, inside
/// Lambda's 10 s INIT. Throttling is KMS's account-wide request quota, met by a fleet of cold
/// starts at once: each process's own attempts (3, with the SDK's back-off) end before the
/// quota frees up, so the library sends the request again after a jittered pause (0.5–1 s, then
/// 1–2 s) until this deadline, which also ends a round still in flight. Other errors are not
/// affected: an unreachable endpoint still fails after its 3 attempts.
pub const THROTTLED_RETRY_DEADLINE: Duration = Duration::from_secs(9);

/// The pause before sending a throttled request again, after `round` earlier pauses: half of
/// 1 s (then 2 s), plus a random share of the other half, so a fleet does not come back at once.
fn throttled_pause(round: u32) -> Duration {
    let base = if round == 0 { 1000 } else { 2000 };
    // drawn from the OS at each use: two environments restored from one SnapStart snapshot
    // never pause alike (a userspace generator seeded in INIT would be copied into both)
    let random = getrandom::u64().unwrap_or_else(|_| fastrand::u64(..));
    Duration::from_millis(base / 2 + random % (base / 2 + 1))
}

/// Decrypts `declared`; the plaintext is only ever held in a zeroizing buffer. Throttling is
/// tried again until [`THROTTLED_RETRY_DEADLINE`].
pub(crate) async fn decrypt(declared: &Request) -> Result<Zeroizing<Vec<u8>>, Error> {
    decrypt_by(declared, Instant::now() + THROTTLED_RETRY_DEADLINE, false).await
}

/// As [`decrypt`], ending by `deadline`: for a bundle with failover recipients, its share of the
/// one deadline they all have. A round after a pause ends by it whatever its own timeouts; the
/// first round too when `bound_first_round` (a bundle with failover recipients: without it the
/// client's own timeouts bound the first round, and a client installed with longer ones keeps
/// them).
pub(crate) async fn decrypt_by(
    declared: &Request,
    deadline: Instant,
    bound_first_round: bool,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let started = Instant::now();
    let attempts = Attempts::default();
    let mut throttled: Option<Error> = None;
    for round in 0.. {
        // every round ends by the deadline whatever its own timeouts
        let last = throttled.take();
        let left = deadline.saturating_duration_since(Instant::now());
        let call = replica::call(declared, Mode::Decrypt, &attempts);
        let bounded = if last.is_some() || bound_first_round {
            tokio::time::timeout(left, call).await
        } else {
            Ok(call.await)
        };
        // the attempts the cut round made count too
        let Ok(attempt) = bounded else {
            let last = last.unwrap_or_else(|| {
                let details = Details {
                    key: declared.key.map(str::to_owned),
                    timeout: Some(left),
                    ..Details::default()
                };
                Error::with(ErrorKind::TimedOut, details).at(declared.location)
            });
            return Err(last.with_totals(attempts.total(), started.elapsed()));
        };
        let error = match attempt {
            Ok(Outcome::Plaintext(plaintext)) => return Ok(plaintext),
            // Only a dry run can end without a plaintext, and this function never asks for one
            // (`Mode::Decrypt` above): should a server answer so anyway, no plaintext came back,
            // which is a service error rather than a panic.
            Ok(Outcome::DryRunPassed) => {
                return Err(Error::new(ErrorKind::Service).at(declared.location))
            }
            Err(error) => error,
        };
        let pause = throttled_pause(round);
        if error.kind() != &ErrorKind::Throttled || Instant::now() + pause >= deadline {
            return Err(if round == 0 {
                error
            } else {
                error.with_totals(attempts.total(), started.elapsed())
            });
        }
        tracing::debug!(value = %declared.location, attempts = attempts.total(), pause_ms = pause.as_millis(), "sealed: Decrypt throttled; sending it again after a pause");
        tokio::time::sleep(pause).await;
        throttled = Some(error);
    }
    unreachable!("the loop returns")
}
