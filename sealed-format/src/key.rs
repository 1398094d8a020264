//! Key references (`key = …`): key ids, key ARNs, alias names and alias ARNs.

use core::fmt;

/// What kind of key reference a [`KeyRef`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyKind {
    /// `1234abcd-12ab-34cd-56ef-1234567890ab`
    KeyId,
    /// `mrk-` and 32 hex digits: a multi-Region key id.
    MultiRegionKeyId,
    /// `arn:aws:kms:REGION:ACCOUNT:key/KEY-ID`
    KeyArn,
    /// `alias/NAME`
    AliasName,
    /// `arn:aws:kms:REGION:ACCOUNT:alias/NAME`
    AliasArn,
}

/// A checked key reference: key id, multi-Region key id, key ARN, alias name or alias ARN.
///
/// ```
/// use sealed_format::{KeyKind, KeyRef};
///
/// let key = KeyRef::parse("arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")?;
/// assert_eq!(key.kind(), KeyKind::KeyArn);
/// assert_eq!(key.region(), Some("eu-west-1"));
/// assert_eq!(key.account(), Some("111122223333"));
/// assert_eq!(key.resource(), "1234abcd-12ab-34cd-56ef-1234567890ab");
///
/// let error = KeyRef::parse("arn:aws:kms:eu-west-1:1111:key/1234abcd-12ab-34cd-56ef-1234567890ab").unwrap_err();
/// assert_eq!(error.to_string(), "account `1111` in the key ARN is not 12 digits");
/// # Ok::<(), sealed_format::KeyError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyRef<'a> {
    text: &'a str,
    kind: KeyKind,
    partition: Option<&'a str>,
    region: Option<&'a str>,
    account: Option<&'a str>,
    resource: &'a str,
}

/// Why a key reference is not valid.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// Nothing at all.
    Empty,
    /// Neither an id, an ARN nor an alias.
    Unrecognised(String),
    /// Not `KEY-ID` (UUID) nor `mrk-` + 32 hex digits.
    BadKeyId(String),
    /// An alias name with characters outside `a-zA-Z0-9/_-`, empty, or too long.
    BadAlias(String),
    /// An ARN with the wrong number of fields, or a service other than `kms`.
    BadArn(String),
    /// An unknown partition.
    BadPartition(String),
    /// Not region syntax (`eu-west-1`).
    BadRegion(String),
    /// Not 12 digits.
    BadAccount(String),
    /// A region that belongs to another partition (`arn:aws:kms:cn-north-1:…`).
    PartitionMismatch {
        /// The ARN's partition.
        partition: String,
        /// The ARN's region.
        region: String,
        /// The partition the region belongs to.
        expected: &'static str,
    },
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::Empty => f.write_str("empty key; expected a key id, key ARN, `alias/NAME` or alias ARN"),
            KeyError::Unrecognised(text) => write!(f, "`{text}` is not a KMS key reference; expected a key id, key ARN, `alias/NAME` or alias ARN"),
            KeyError::BadKeyId(text) => write!(f, "`{text}` is not a key id; expected a UUID like `1234abcd-12ab-34cd-56ef-1234567890ab` or a multi-Region id `mrk-` followed by 32 hex digits"),
            KeyError::BadAlias(text) => write!(f, "`{text}` is not a valid alias; expected `alias/` followed by 1 ..= 250 characters of `a-z A-Z 0-9 / _ -`"),
            KeyError::BadArn(text) => write!(f, "`{text}` is not a KMS key ARN; expected `arn:PARTITION:kms:REGION:ACCOUNT:key/KEY-ID` or `…:alias/NAME`"),
            KeyError::BadPartition(text) => write!(f, "unknown partition `{text}` in the key ARN; expected `aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`, `aws-iso-e`, `aws-iso-f` or `aws-eusc`"),
            KeyError::BadRegion(text) => write!(f, "`{text}` in the key ARN is not a region; expected a region code like `eu-west-1`"),
            KeyError::BadAccount(text) => write!(f, "account `{text}` in the key ARN is not 12 digits"),
            KeyError::PartitionMismatch { partition, region, expected } => write!(f, "region `{region}` is in partition `{expected}`, but the key ARN says `{partition}`"),
        }
    }
}

impl std::error::Error for KeyError {}

fn is_hex(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(part, len)| part.len() == len && is_hex(part))
}

fn key_id_kind(id: &str) -> Option<KeyKind> {
    if is_uuid(id) {
        Some(KeyKind::KeyId)
    } else if id.len() == 36 && id.starts_with("mrk-") && is_hex(&id[4..]) {
        Some(KeyKind::MultiRegionKeyId)
    } else {
        None
    }
}

fn is_alias_name(name: &str) -> bool {
    // `alias/` + name: at most 256 characters in all.
    !name.is_empty()
        && name.len() <= 250
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-'))
}

const PARTITIONS: [&str; 8] = [
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// `eu-west-1`, `us-gov-west-1`, `cn-north-1`, `us-isob-east-1`, `eusc-de-east-1`.
fn is_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    let Some((number, words)) = parts.split_last() else {
        return false;
    };
    words.len() >= 2
        && words.len() <= 4
        && words
            .iter()
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
        && (1..=2).contains(&number.len())
        && number.bytes().all(|b| b.is_ascii_digit())
}

fn region_partition(region: &str) -> Option<&'static str> {
    let prefix = |p: &str| region.starts_with(p);
    if prefix("cn-") {
        Some("aws-cn")
    } else if prefix("us-gov-") {
        Some("aws-us-gov")
    } else if prefix("us-iso-") {
        Some("aws-iso")
    } else if prefix("us-isob-") {
        Some("aws-iso-b")
    } else if prefix("eu-isoe-") {
        Some("aws-iso-e")
    } else if prefix("us-isof-") {
        Some("aws-iso-f")
    } else if prefix("eusc-") {
        Some("aws-eusc")
    } else {
        None
    }
}

impl<'a> KeyRef<'a> {
    /// Checks `text` against the grammar of KMS key references.
    pub fn parse(text: &'a str) -> Result<Self, KeyError> {
        let plain = |kind, resource| KeyRef {
            text,
            kind,
            partition: None,
            region: None,
            account: None,
            resource,
        };
        if text.is_empty() {
            return Err(KeyError::Empty);
        }
        if let Some(name) = text.strip_prefix("alias/") {
            return if is_alias_name(name) {
                Ok(plain(KeyKind::AliasName, name))
            } else {
                Err(KeyError::BadAlias(text.to_owned()))
            };
        }
        if let Some(rest) = text.strip_prefix("arn:") {
            return Self::parse_arn(text, rest);
        }
        if let Some(kind) = key_id_kind(text) {
            return Ok(plain(kind, text));
        }
        let looks_like_id = text.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
        if looks_like_id || text.starts_with("mrk-") {
            Err(KeyError::BadKeyId(text.to_owned()))
        } else {
            Err(KeyError::Unrecognised(text.to_owned()))
        }
    }

    fn parse_arn(text: &'a str, rest: &'a str) -> Result<Self, KeyError> {
        let fields: Vec<&str> = rest.splitn(5, ':').collect();
        let [partition, service, region, account, resource] = fields[..] else {
            return Err(KeyError::BadArn(text.to_owned()));
        };
        if service != "kms" {
            return Err(KeyError::BadArn(text.to_owned()));
        }
        if !PARTITIONS.contains(&partition) {
            return Err(KeyError::BadPartition(partition.to_owned()));
        }
        if !is_region(region) {
            return Err(KeyError::BadRegion(region.to_owned()));
        }
        let expected = region_partition(region).unwrap_or("aws");
        if expected != partition {
            return Err(KeyError::PartitionMismatch {
                partition: partition.to_owned(),
                region: region.to_owned(),
                expected,
            });
        }
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(KeyError::BadAccount(account.to_owned()));
        }
        let (kind, resource) = if let Some(id) = resource.strip_prefix("key/") {
            if key_id_kind(id).is_none() {
                return Err(KeyError::BadKeyId(id.to_owned()));
            }
            (KeyKind::KeyArn, id)
        } else if let Some(name) = resource.strip_prefix("alias/") {
            if !is_alias_name(name) {
                return Err(KeyError::BadAlias(resource.to_owned()));
            }
            (KeyKind::AliasArn, name)
        } else {
            return Err(KeyError::BadArn(text.to_owned()));
        };
        Ok(KeyRef {
            text,
            kind,
            partition: Some(partition),
            region: Some(region),
            account: Some(account),
            resource,
        })
    }

    /// The reference as written.
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    /// Which form it has.
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// The partition of an ARN.
    pub fn partition(&self) -> Option<&'a str> {
        self.partition
    }

    /// The region of an ARN: where `Decrypt` must be sent.
    pub fn region(&self) -> Option<&'a str> {
        self.region
    }

    /// The account of an ARN.
    pub fn account(&self) -> Option<&'a str> {
        self.account
    }

    /// The key id (of a key id or key ARN) or the alias name without `alias/` (of an alias).
    pub fn resource(&self) -> &'a str {
        self.resource
    }

    /// Whether this names an alias, which IAM policies cannot name as a resource.
    pub fn is_alias(&self) -> bool {
        matches!(self.kind, KeyKind::AliasName | KeyKind::AliasArn)
    }

    /// Whether this names a multi-Region key (`mrk-…`, as an id or in a key ARN): the same key
    /// material in several regions, each replica with its own ARN.
    pub fn is_multi_region(&self) -> bool {
        matches!(self.kind, KeyKind::KeyArn | KeyKind::MultiRegionKeyId)
            && self.resource.starts_with("mrk-")
    }

    /// The ARN of this multi-Region key's replica in `region`, when this is a multi-Region key
    /// ARN in another region of the same partition (a replica never leaves its partition).
    ///
    /// ```
    /// use sealed_format::KeyRef;
    /// let key = KeyRef::parse("arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab")?;
    /// assert_eq!(
    ///     key.replica_in("eu-west-1").as_deref(),
    ///     Some("arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab")
    /// );
    /// assert_eq!(key.replica_in("us-east-1"), None); // its own region
    /// assert_eq!(key.replica_in("cn-north-1"), None); // another partition
    /// # Ok::<(), sealed_format::KeyError>(())
    /// ```
    pub fn replica_in(&self, region: &str) -> Option<String> {
        let (Some(partition), Some(own), Some(account)) =
            (self.partition, self.region, self.account)
        else {
            return None;
        };
        let same_partition = region_partition(region).unwrap_or("aws") == partition;
        (self.kind == KeyKind::KeyArn
            && self.is_multi_region()
            && is_region(region)
            && region != own
            && same_partition)
            .then(|| {
                format!(
                    "arn:{partition}:kms:{region}:{account}:key/{}",
                    self.resource
                )
            })
    }

    /// Whether a key ARN returned by KMS (`Decrypt`'s `KeyId`) is the key this reference names.
    /// Aliases match any key: the alias is resolved by KMS. A multi-Region key ARN matches its
    /// replicas in any region of the same partition and account, as the AWS Encryption SDK's
    /// multi-Region-aware keyrings accept them.
    ///
    /// ```
    /// use sealed_format::KeyRef;
    /// let arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    /// assert!(KeyRef::parse("1234abcd-12ab-34cd-56ef-1234567890ab")?.matches_key_arn(arn));
    /// assert!(!KeyRef::parse("0000abcd-12ab-34cd-56ef-1234567890ab")?.matches_key_arn(arn));
    ///
    /// let mrk = KeyRef::parse("arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab")?;
    /// assert!(mrk.matches_key_arn("arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab"));
    /// assert!(!mrk.matches_key_arn("arn:aws:kms:eu-west-1:444455556666:key/mrk-1234abcd12ab34cd56ef1234567890ab"));
    /// # Ok::<(), sealed_format::KeyError>(())
    /// ```
    pub fn matches_key_arn(&self, arn: &str) -> bool {
        match self.kind {
            KeyKind::KeyArn if self.is_multi_region() => KeyRef::parse(arn).is_ok_and(|returned| {
                returned.kind == KeyKind::KeyArn
                    && returned.partition == self.partition
                    && returned.account == self.account
                    && returned.resource == self.resource
            }),
            KeyKind::KeyArn => self.text == arn,
            KeyKind::KeyId | KeyKind::MultiRegionKeyId => {
                arn == self.text
                    || arn
                        .rsplit_once(":key/")
                        .is_some_and(|(_, id)| id == self.text)
            }
            KeyKind::AliasName | KeyKind::AliasArn => true,
        }
    }
}

impl fmt::Display for KeyRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_parses() {
        let cases = [
            ("1234abcd-12ab-34cd-56ef-1234567890ab", KeyKind::KeyId, None),
            (
                "mrk-1234abcd12ab34cd56ef1234567890ab",
                KeyKind::MultiRegionKeyId,
                None,
            ),
            ("alias/lambda", KeyKind::AliasName, None),
            ("alias/aws/lambda", KeyKind::AliasName, None),
            (
                "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                KeyKind::KeyArn,
                Some("eu-west-1"),
            ),
            (
                "arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab",
                KeyKind::KeyArn,
                Some("us-east-1"),
            ),
            (
                "arn:aws-cn:kms:cn-north-1:111122223333:alias/app",
                KeyKind::AliasArn,
                Some("cn-north-1"),
            ),
            (
                "arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/app",
                KeyKind::AliasArn,
                Some("us-gov-west-1"),
            ),
            (
                "arn:aws-iso-b:kms:us-isob-east-1:111122223333:alias/app",
                KeyKind::AliasArn,
                Some("us-isob-east-1"),
            ),
            (
                "arn:aws:kms:ap-southeast-5:111122223333:alias/app",
                KeyKind::AliasArn,
                Some("ap-southeast-5"),
            ),
        ];
        for (text, kind, region) in cases {
            let key = KeyRef::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(key.kind(), kind, "{text}");
            assert_eq!(key.region(), region, "{text}");
            assert_eq!(key.as_str(), text);
        }
    }

    #[test]
    fn every_mistake_is_named() {
        type Check = fn(&KeyError) -> bool;
        let cases: [(&str, Check); 12] = [
            ("", |e| matches!(e, KeyError::Empty)),
            ("my-key", |e| matches!(e, KeyError::Unrecognised(_))),
            ("1234abcd-12ab-34cd-56ef-1234567890", |e| {
                matches!(e, KeyError::BadKeyId(_))
            }),
            ("mrk-1234", |e| matches!(e, KeyError::BadKeyId(_))),
            ("alias/", |e| matches!(e, KeyError::BadAlias(_))),
            ("alias/has space", |e| matches!(e, KeyError::BadAlias(_))),
            (
                "arn:aws:s3:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                |e| matches!(e, KeyError::BadArn(_)),
            ),
            (
                "arn:azure:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                |e| matches!(e, KeyError::BadPartition(_)),
            ),
            (
                "arn:aws:kms:europe:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                |e| matches!(e, KeyError::BadRegion(_)),
            ),
            (
                "arn:aws:kms:eu-west-1:11112222333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                |e| matches!(e, KeyError::BadAccount(_)),
            ),
            (
                "arn:aws:kms:cn-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                |e| {
                    matches!(
                        e,
                        KeyError::PartitionMismatch {
                            expected: "aws-cn",
                            ..
                        }
                    )
                },
            ),
            ("arn:aws:kms:eu-west-1:111122223333:key/nope", |e| {
                matches!(e, KeyError::BadKeyId(_))
            }),
        ];
        for (text, check) in cases {
            let error = KeyRef::parse(text).expect_err(text);
            assert!(check(&error), "{text}: {error:?}");
        }
    }

    #[test]
    fn response_key_check() {
        let arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        assert!(KeyRef::parse(arn).unwrap().matches_key_arn(arn));
        assert!(!KeyRef::parse(arn)
            .unwrap()
            .matches_key_arn(&arn.replace("1234abcd", "9999abcd")));
        assert!(KeyRef::parse("alias/x").unwrap().matches_key_arn(arn));
    }
}
