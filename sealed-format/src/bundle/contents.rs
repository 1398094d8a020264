//! What a bundle holds, and editing it in memory: its values set and removed under the bundle's
//! generation, its recipients added and removed, its wrapped private keys checked, the KMS
//! context those keys are bound to.

use crate::blob::inspection::{Inspection, Options};
use crate::bundle::binding::hpke_info;
use crate::bundle::error::{BundleError, BundleErrorKind};
use crate::bundle::format::{
    BUNDLE_CONTEXT_KEY, BUNDLE_ID_LEN, MAX_GENERATION, POINT_LEN, STAGE_CONTEXT_KEY,
};
use crate::bundle::public_key::{check_public_key, point_of};
use crate::bundle::recipient::{inspect_wrapped, Recipient};
use crate::bundle::value::{check_sealed_len, check_value_name, BundleValue};
use crate::context::ContextValue;
use crate::family::BlobFamily;

/// A bundle file, parsed and checked (but its private key: [`Bundle::inspect_private_key`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    /// The bundle's id.
    pub id: [u8; BUNDLE_ID_LEN],
    /// The KMS key the private key is wrapped under, as written.
    pub key: String,
    /// The stage of a stage set this bundle belongs to (`stage NAME`): bound into the KMS
    /// context of its private key (`sealed:stage`) and into every value's sealing.
    pub stage: Option<String>,
    /// The encryption context of the wrapped private key as the file writes it, in the order
    /// written: without the `sealed:bundle` entry that `sealed` adds ([`Bundle::kms_context`]).
    pub context: Vec<(String, ContextValue<String>)>,
    /// The public key, a DER P-256 `SubjectPublicKeyInfo` (checked: [`Bundle::new`]).
    pub(crate) public_key: Vec<u8>,
    /// The wrapped private key (KMS `GenerateDataKeyPairWithoutPlaintext`'s
    /// `PrivateKeyCiphertextBlob`), base64 as written.
    pub private_key: String,
    /// The line of `private-key` (from 1), for messages; 0 for a bundle built in memory.
    pub private_key_line: usize,
    /// The other recipients (`recipient` lines), in the order written: each value is sealed to
    /// `key`'s pair first, then to each of theirs in this order.
    pub recipients: Vec<Recipient>,
    /// The highest generation given to a value of this bundle so far.
    pub generation: u64,
    /// The values, in the order written.
    pub values: Vec<BundleValue>,
}

impl Bundle {
    /// A new bundle with no values, for the key pair KMS made: `public_key` (DER
    /// `SubjectPublicKeyInfo`) and `private_key` (the wrapped private key, base64).
    pub fn new(
        id: [u8; BUNDLE_ID_LEN],
        key: String,
        context: Vec<(String, ContextValue<String>)>,
        public_key: Vec<u8>,
        private_key: String,
    ) -> Result<Bundle, BundleErrorKind> {
        check_public_key(&public_key)?;
        Ok(Bundle {
            id,
            key,
            stage: None,
            context,
            public_key,
            private_key,
            private_key_line: 0,
            recipients: Vec::new(),
            generation: 0,
            values: Vec::new(),
        })
    }

    /// The public key: a DER P-256 `SubjectPublicKeyInfo`, 91 bytes.
    pub fn public_key(&self) -> &[u8] {
        &self.public_key
    }

    /// The public key's uncompressed point (`0x04 ‖ X ‖ Y`): what values are sealed to.
    pub fn public_point(&self) -> [u8; POINT_LEN] {
        point_of(&self.public_key)
    }

    /// The bundle id in hex, as the file and the KMS context write it.
    pub fn id_hex(&self) -> String {
        hex::encode(self.id)
    }

    /// The HPKE `info` of this bundle's values: its id and stage bound ([`hpke_info`]).
    pub fn hpke_info(&self) -> Vec<u8> {
        hpke_info(&self.id, self.stage.as_deref().unwrap_or(""))
    }

    /// The encryption context the private key is wrapped under, as KMS is sent it: the file's
    /// entries, then `sealed:stage` = the stage for a bundle of a stage set, then
    /// `sealed:bundle` = the id in hex.
    pub fn kms_context(&self) -> Vec<(String, ContextValue<String>)> {
        let mut context = self.context.clone();
        if let Some(stage) = &self.stage {
            context.push((
                STAGE_CONTEXT_KEY.to_owned(),
                ContextValue::Literal(stage.clone()),
            ));
        }
        context.push((
            BUNDLE_CONTEXT_KEY.to_owned(),
            ContextValue::Literal(self.id_hex()),
        ));
        context
    }

    /// Checks the wrapped private key as `sealed!` checks a ciphertext, and that it holds a
    /// P-256 PKCS#8 private key's length.
    pub fn inspect_private_key(&self, options: &Options) -> Result<Inspection, BundleError> {
        inspect_wrapped(&self.private_key, self.private_key_line, *options)
    }

    /// Whether every private key the file holds — its own and each recipient's — is a local
    /// emulator's ciphertext, which no AWS key opens: data a script makes afresh with new keys,
    /// whose readers code need not pin. (Whether emulator ciphertexts are accepted at all is the
    /// caller's check of the private key, with its own [`Options`].)
    pub fn only_emulator_keys(&self) -> bool {
        let options = Options {
            allow_emulator: true,
            ..Options::default()
        };
        let emulator = |inspected: Result<Inspection, BundleError>| {
            inspected.is_ok_and(|i| matches!(i.family(), BlobFamily::Emulator(_)))
        };
        emulator(self.inspect_private_key(&options))
            && self
                .recipients
                .iter()
                .all(|r| emulator(r.inspect_private_key(&options)))
    }

    /// The public points every value is sealed to, in the order of its sealings: `key`'s pair,
    /// then each recipient's.
    pub fn public_points(&self) -> Vec<[u8; POINT_LEN]> {
        std::iter::once(self.public_point())
            .chain(self.recipients.iter().map(Recipient::public_point))
            .collect()
    }

    /// The recipient whose KMS key is `key` (as written), if any.
    pub fn recipient(&self, key: &str) -> Option<&Recipient> {
        self.recipients.iter().find(|r| r.key == key)
    }

    /// Adds `recipient`, with each value's sealing to it (`sealings`, one per value in the
    /// order of [`Bundle::values`]); its key must be none of the bundle's yet. Generations stay:
    /// the values are the same.
    pub fn add_recipient(
        &mut self,
        recipient: Recipient,
        sealings: Vec<Vec<u8>>,
    ) -> Result<(), BundleErrorKind> {
        if recipient.key == self.key || self.recipient(&recipient.key).is_some() {
            return Err(BundleErrorKind::DuplicateRecipient(recipient.key));
        }
        if self.public_points().contains(&recipient.public_point()) {
            return Err(BundleErrorKind::SharedPublicKey(recipient.key));
        }
        if self.recipients.len() >= crate::bundle::format::MAX_RECIPIENTS {
            return Err(BundleErrorKind::TooManyRecipients);
        }
        if sealings.len() != self.values.len() {
            return Err(BundleErrorKind::Sealings {
                name: String::new(),
                expected: self.values.len(),
                found: sealings.len(),
            });
        }
        for (value, sealed) in self.values.iter().zip(&sealings) {
            check_sealed_len(&value.name, sealed.len())?;
        }
        for (value, sealed) in self.values.iter_mut().zip(sealings) {
            value.others.push(sealed);
        }
        self.recipients.push(recipient);
        Ok(())
    }

    /// Removes the recipient whose key is `key`, and every value's sealing to it; whether it
    /// was there. Revokes nothing: the removed pair still opens the values in the file's
    /// history (rotate for that).
    pub fn remove_recipient(&mut self, key: &str) -> bool {
        let Some(index) = self.recipients.iter().position(|r| r.key == key) else {
            return false;
        };
        self.recipients.remove(index);
        for value in &mut self.values {
            // every value has a sealing per recipient: `parse` and `set` see to it
            value.others.remove(index);
        }
        true
    }

    /// The value called `name`.
    pub fn value(&self, name: &str) -> Option<&BundleValue> {
        self.values.iter().find(|v| v.name == name)
    }

    /// The values' names, in the order written.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(|v| v.name.as_str())
    }

    /// The generation the next value set will have.
    pub fn next_generation(&self) -> Result<u64, BundleErrorKind> {
        self.generation
            .checked_add(1)
            .filter(|g| *g <= MAX_GENERATION)
            .ok_or(BundleErrorKind::GenerationsExhausted)
    }

    /// Sets `name` to its sealings (one per recipient, in the order of
    /// [`Bundle::public_points`]), sealed with `generation` (which must be newer than every
    /// generation given so far: [`Bundle::next_generation`]): replaced in place, or added at the
    /// end. Returns whether it replaced a value.
    pub fn set(
        &mut self,
        name: &str,
        generation: u64,
        mut sealings: Vec<Vec<u8>>,
    ) -> Result<bool, BundleErrorKind> {
        check_value_name(name)?;
        if sealings.len() != 1 + self.recipients.len() {
            return Err(BundleErrorKind::Sealings {
                name: name.to_owned(),
                expected: 1 + self.recipients.len(),
                found: sealings.len(),
            });
        }
        for sealed in &sealings {
            check_sealed_len(name, sealed.len())?;
        }
        let sealed = sealings.remove(0);
        let others = sealings;
        if generation <= self.generation {
            return Err(BundleErrorKind::GenerationNotNew {
                generation,
                bundle: self.generation,
            });
        }
        self.generation = generation;
        if let Some(value) = self.values.iter_mut().find(|v| v.name == name) {
            value.generation = generation;
            value.sealed = sealed;
            value.others = others;
            return Ok(true);
        }
        self.values.push(BundleValue {
            name: name.to_owned(),
            generation,
            sealed,
            others,
            line: 0,
        });
        Ok(false)
    }

    /// Removes `name`; whether it was there. The generation stays: a number once given is never
    /// given again.
    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.values.len();
        self.values.retain(|v| v.name != name);
        self.values.len() != before
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::bundle::format::P256_SPKI_PREFIX;

    /// A structurally valid P-256 public key (its point is not on the curve: no crypto here).
    pub(crate) fn public_key() -> Vec<u8> {
        let mut spki = P256_SPKI_PREFIX.to_vec();
        spki.push(4);
        spki.extend_from_slice(&[0x5a; 64]);
        spki
    }

    /// A bundle with three context entries (a literal with what percent-encoding must encode,
    /// an environment variable, an empty value under a non-ASCII key) and two values.
    pub(crate) fn sample() -> Bundle {
        let mut bundle = Bundle::new(
            [7; BUNDLE_ID_LEN],
            "alias/app".into(),
            vec![
                (
                    "app".into(),
                    ContextValue::Literal("billing team #2 %".into()),
                ),
                (
                    "fn".into(),
                    ContextValue::Env("AWS_LAMBDA_FUNCTION_NAME".into()),
                ),
                ("ünï".into(), ContextValue::Literal(String::new())),
            ],
            public_key(),
            "AQIDAHh".into(),
        )
        .unwrap();
        bundle.set("db_password", 1, vec![vec![1; 90]]).unwrap();
        bundle.set("api.token-2", 2, vec![vec![2; 82]]).unwrap();
        bundle
    }

    #[test]
    fn set_replaces_in_place_with_a_new_generation_and_remove_removes() {
        let mut bundle = sample();
        assert_eq!(bundle.next_generation(), Ok(3));
        assert!(bundle.set("db_password", 3, vec![vec![3; 82]]).unwrap());
        assert_eq!(bundle.value("db_password").unwrap().generation, 3);
        assert_eq!(
            bundle.names().collect::<Vec<_>>(),
            ["db_password", "api.token-2"]
        );
        assert_eq!(
            bundle.set("db_password", 3, vec![vec![3; 82]]),
            Err(BundleErrorKind::GenerationNotNew {
                generation: 3,
                bundle: 3
            })
        );
        assert!(bundle.remove("db_password"));
        assert!(!bundle.remove("db_password"));
        assert_eq!(bundle.names().collect::<Vec<_>>(), ["api.token-2"]);
        assert_eq!(bundle.generation, 3);
        assert!(matches!(
            bundle.set("bad name", 4, vec![vec![1; 90]]),
            Err(BundleErrorKind::BadName(_))
        ));
        assert!(matches!(
            bundle.set("empty", 4, vec![vec![1; 81]]),
            Err(BundleErrorKind::BadLength { .. })
        ));
        bundle.generation = MAX_GENERATION;
        assert_eq!(
            bundle.next_generation(),
            Err(BundleErrorKind::GenerationsExhausted)
        );
    }

    #[test]
    fn the_kms_context_adds_the_bundle_entry_last() {
        let bundle = sample();
        let context = bundle.kms_context();
        assert_eq!(context.len(), 4);
        assert_eq!(
            context[3],
            (
                "sealed:bundle".to_owned(),
                ContextValue::Literal("07".repeat(16))
            )
        );
        assert_eq!(bundle.public_point()[..2], [4, 0x5a]);
        let mut staged = bundle;
        staged.stage = Some("prod".into());
        let context = staged.kms_context();
        assert_eq!(context.len(), 5);
        assert_eq!(
            context[3],
            (
                "sealed:stage".to_owned(),
                ContextValue::Literal("prod".into())
            )
        );
        assert_eq!(context[4].0, "sealed:bundle");
        assert_ne!(staged.hpke_info(), sample().hpke_info());
    }

    #[test]
    fn a_public_key_of_another_curve_is_refused() {
        let mut other = public_key();
        other[20] ^= 1;
        assert!(matches!(
            Bundle::new([1; 16], "alias/a".into(), vec![], other, "AQ".into()),
            Err(BundleErrorKind::BadPublicKey(_))
        ));
    }
}
