//! What a bundle holds, and editing it in memory: its values set and removed, its data key
//! checked.

use crate::blob::inspect::inspect;
use crate::blob::inspection::{Inspection, Options};
use crate::bundle::error::{BundleError, BundleErrorKind};
use crate::bundle::format::{BUNDLE_ID_LEN, DATA_KEY_LEN};
use crate::bundle::value::{check_sealed_len, check_value_name, BundleValue};
use crate::context::ContextValue;

/// A bundle file, parsed and checked (but its data key: [`Bundle::inspect_data_key`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    /// The bundle's id.
    pub id: [u8; BUNDLE_ID_LEN],
    /// The KMS key the data key is wrapped under, as written.
    pub key: String,
    /// The data key's encryption context, in the order written.
    pub context: Vec<(String, ContextValue<String>)>,
    /// The wrapped data key, base64 as written.
    pub data_key: String,
    /// The line of `data-key` (from 1), for messages; 0 for a bundle built in memory.
    pub data_key_line: usize,
    /// The values, in the order written.
    pub values: Vec<BundleValue>,
}

impl Bundle {
    /// A new bundle with no values.
    pub fn new(
        id: [u8; BUNDLE_ID_LEN],
        key: String,
        context: Vec<(String, ContextValue<String>)>,
        data_key: String,
    ) -> Bundle {
        Bundle {
            id,
            key,
            context,
            data_key,
            data_key_line: 0,
            values: Vec::new(),
        }
    }

    /// Checks the data key as `sealed!` checks a ciphertext, and that it holds 32 bytes.
    pub fn inspect_data_key(&self, options: &Options) -> Result<Inspection, BundleError> {
        let line = (self.data_key_line > 0).then_some(self.data_key_line);
        let inspection = inspect(&self.data_key, options).map_err(|e| BundleError {
            line,
            kind: BundleErrorKind::DataKey(e),
        })?;
        match inspection.plaintext_len() {
            Some(len) if len != DATA_KEY_LEN => Err(BundleError {
                line,
                kind: BundleErrorKind::DataKeyLength(len),
            }),
            _ => Ok(inspection),
        }
    }

    /// The value called `name`.
    pub fn value(&self, name: &str) -> Option<&BundleValue> {
        self.values.iter().find(|v| v.name == name)
    }

    /// The values' names, in the order written.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(|v| v.name.as_str())
    }

    /// Sets `name` to `sealed`: replaced in place, or added at the end. Returns whether it
    /// replaced a value.
    pub fn set(&mut self, name: &str, sealed: Vec<u8>) -> Result<bool, BundleErrorKind> {
        check_value_name(name)?;
        check_sealed_len(name, sealed.len())?;
        if let Some(value) = self.values.iter_mut().find(|v| v.name == name) {
            value.sealed = sealed;
            return Ok(true);
        }
        self.values.push(BundleValue {
            name: name.to_owned(),
            sealed,
            line: 0,
        });
        Ok(false)
    }

    /// Removes `name`; whether it was there.
    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.values.len();
        self.values.retain(|v| v.name != name);
        self.values.len() != before
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

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
            "AQIDAHh".into(),
        );
        bundle.set("db_password", vec![1; 40]).unwrap();
        bundle.set("api.token-2", vec![2; 29]).unwrap();
        bundle
    }

    #[test]
    fn set_replaces_in_place_and_remove_removes() {
        let mut bundle = sample();
        assert!(bundle.set("db_password", vec![3; 30]).unwrap());
        assert_eq!(
            bundle.names().collect::<Vec<_>>(),
            ["db_password", "api.token-2"]
        );
        assert!(bundle.remove("db_password"));
        assert!(!bundle.remove("db_password"));
        assert_eq!(bundle.names().collect::<Vec<_>>(), ["api.token-2"]);
        assert!(matches!(
            bundle.set("bad name", vec![1; 30]),
            Err(BundleErrorKind::BadName(_))
        ));
        assert!(matches!(
            bundle.set("empty", vec![1; 28]),
            Err(BundleErrorKind::BadLength { .. })
        ));
    }
}
