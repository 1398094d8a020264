//! Who may open a sealed value: its KMS keys in the order they are tried, stage by stage for a
//! value of a stage set, as `Sealed`'s `Debug` shows them (never a plaintext).

use core::fmt;

use crate::declaration::Declaration;
use crate::sealed::Sealed;

impl Sealed {
    /// For a value of a stage set (`sealed!(stages = …, name = …)`): the set file as written,
    /// the value's name, and the stages it is in (all of the set's unless `only = […]` says);
    /// shown by `Debug`.
    pub(crate) fn stage_set(self) -> Option<(&'static str, &'static str, Vec<&'static str>)> {
        let Declaration::Staged(_, value) = self.declaration() else {
            return None;
        };
        let stages = value
            .stages
            .iter()
            .filter(|s| s.declared.is_some())
            .map(|s| s.name)
            .collect();
        Some((value.set, value.name, stages))
    }

    /// The KMS keys that may open this value, in the order the trust anchor pins them: for a
    /// value of a bundle, its key then its failover recipients' (a stage's `failover=` keys,
    /// [`BundleValueBuilder::failover`](crate::build::BundleValueBuilder::failover)); for a value of a
    /// stage set, those of `stage` (`None` for a stage that does not hold it); for any other
    /// value, its key. Break-glass recipients are never among them. At run time the ones in the
    /// function's region (`AWS_REGION`) are tried first. Shown by `Debug`.
    pub(crate) fn recipients(self, stage: Option<&str>) -> Option<Vec<&'static str>> {
        let mut declared = self.declaration();
        if let Declaration::Staged(_, staged) = declared {
            let stage = stage?;
            declared = staged.stages.iter().find(|s| s.name == stage)?.declared?;
        }
        let failover = declared
            .bundle()
            .into_iter()
            .flat_map(|b| b.failover.iter().filter_map(|f| f.request.key));
        let own = declared.request().and_then(|r| r.key);
        Some(own.into_iter().chain(failover).collect())
    }
}

/// Who may open a value of a stage set, stage by stage, for `Debug`: each stage's keys, or
/// `None` where `only = […]` leaves the value out.
struct Readers(Sealed, Vec<&'static str>);

impl fmt::Debug for Readers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(
                self.1
                    .iter()
                    .map(|stage| (stage, self.0.recipients(Some(stage)))),
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
        if let Some(bundle) = self.bundle() {
            out.field("bundle", &bundle)
                .field("recipients", &self.recipients(None).unwrap_or_default());
        }
        if let Some((set, name, _)) = self.stage_set() {
            let every: Vec<&str> = match self.declaration() {
                Declaration::Staged(_, value) => value.stages.iter().map(|s| s.name).collect(),
                _ => Vec::new(),
            };
            out.field("stage_set", &set)
                .field("name", &name)
                .field("recipients", &Readers(*self, every));
        }
        out.finish_non_exhaustive()
    }
}
