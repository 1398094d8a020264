//! Who may open a sealed value: its KMS keys in the order they are tried, stage by stage for a
//! value of a stage set, as `Sealed`'s `Debug` shows them (never a plaintext).

use core::fmt;

use crate::declaration::{Declaration, StagedValue};
use crate::sealed::Sealed;

/// The KMS keys that may open the value `declared` (a value's, or one stage's), in the order the
/// trust anchor pins them: for a value of a bundle, its key then its failover recipients' (a
/// stage's `failover=` keys,
/// [`BundleValueBuilder::failover`](crate::build::BundleValueBuilder::failover)); for any other
/// value, its key. Break-glass recipients are never among them. At run time the ones in the
/// function's region (`AWS_REGION`) are tried first.
fn keys_of(declared: &'static Declaration) -> Vec<&'static str> {
    let failover = declared
        .bundle()
        .into_iter()
        .flat_map(|b| b.failover.iter().filter_map(|f| f.request.key));
    let own = declared.request().and_then(|r| r.key);
    own.into_iter().chain(failover).collect()
}

/// Who may open a value of a stage set, stage by stage, for `Debug`: each stage's keys, or
/// `None` where `only = […]` leaves the value out.
struct Readers(&'static StagedValue);

impl fmt::Debug for Readers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(
                self.0
                    .stages
                    .iter()
                    .map(|stage| (stage.name, stage.declared.map(keys_of))),
            )
            .finish()
    }
}

/// Says where the value is written, what was checked of it, and who may open it (the KMS keys,
/// in the order the trust anchor pins them, those in the function's region tried first at run
/// time; break-glass recipients never among them); never a plaintext.
impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let context_keys: Vec<&str> = self.context().iter().map(|(k, _)| *k).collect();
        let mut out = f.debug_struct("Sealed");
        out.field("location", &format_args!("{}", self.location()))
            .field("family", &self.family())
            .field("key", &self.request().and_then(|r| r.key))
            .field("context_keys", &context_keys)
            .field("algorithm", &self.algorithm())
            .field("ciphertext_len", &self.ciphertext().len());
        match self.declaration() {
            declared @ Declaration::Bundled(_, member) => {
                out.field("bundle", &(member.path, member.name))
                    .field("recipients", &keys_of(declared));
            }
            Declaration::Staged(_, value) => {
                out.field("stage_set", &value.set)
                    .field("name", &value.name)
                    .field("recipients", &Readers(value));
            }
            Declaration::Ciphertext(_) | Declaration::Invalid(_) => {}
        }
        out.finish_non_exhaustive()
    }
}
