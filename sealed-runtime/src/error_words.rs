//! The one place that says, for each kind of error, what happened and the one next step, from
//! the request's details.

use crate::credentials::Diagnosis;
use crate::error_kind::{Details, ErrorKind};

impl ErrorKind {
    /// The kind's name, as stable as the variant's: for metrics, logs and alarms that group by
    /// kind (Lambda's `errorType` is `sealed.` and this name, with the `lambda` feature).
    ///
    /// ```
    /// assert_eq!(sealed_runtime::ErrorKind::AccessDenied.name(), "AccessDenied");
    /// ```
    pub fn name(&self) -> &'static str {
        explain(self, &Details::default()).name
    }
}

/// What an error of `kind` says: its name, what happened and the one next step.
pub(crate) struct Explanation {
    pub(crate) name: &'static str,
    pub(crate) what: String,
    pub(crate) help: String,
}

fn says(name: &'static str, what: impl Into<String>, help: impl Into<String>) -> Explanation {
    Explanation {
        name,
        what: what.into(),
        help: help.into(),
    }
}

/// The one place that says, for each kind, what happened and what to do next (`d`: the
/// request's details, for the key, region, context and endpoint they name).
#[allow(clippy::too_many_lines)] // one arm per kind, each read on its own
pub(crate) fn explain(kind: &ErrorKind, d: &Details) -> Explanation {
    let key = d.key.as_deref().unwrap_or("the key");
    match kind {
        ErrorKind::AccessDenied => {
            let resource = match (&d.key, &d.region) {
                (Some(k), _) if k.starts_with("arn:") && k.contains(":key/") => k.clone(),
                (_, Some(region)) => format!("arn:aws:kms:{region}:ACCOUNT:key/KEY-ID"),
                _ => "arn:aws:kms:REGION:ACCOUNT:key/KEY-ID".to_owned(),
            };
            let lookup = match &d.key {
                Some(k) if !(k.starts_with("arn:") && k.contains(":key/")) => format!(
                    "; `{k}` is not a key ARN: `aws kms describe-key --key-id {k}` shows it"
                ),
                _ => String::new(),
            };
            says(
                "AccessDenied",
                "access denied to kms:Decrypt",
                format!("allow the function's role to decrypt with the key: add to its policy {{\"Effect\": \"Allow\", \"Action\": \"kms:Decrypt\", \"Resource\": \"{resource}\"}}{lookup} (and check that the key policy lets the account's IAM policies grant it)"),
            )
        }
        ErrorKind::InvalidCiphertext => {
            let sent = if d.context_keys.is_empty() {
                "no encryption context was sent".to_owned()
            } else {
                format!("the context keys sent were {}", list(&d.context_keys))
            };
            says(
                "InvalidCiphertext",
                "KMS rejected the ciphertext (InvalidCiphertextException)",
                format!("the encryption context must match the one used to encrypt, exactly ({sent}); values encrypted by the Lambda console's helpers need `context = {{ \"LambdaFunctionName\": env(\"AWS_LAMBDA_FUNCTION_NAME\") }}`; otherwise the ciphertext is corrupted: seal it again"),
            )
        }
        ErrorKind::IncorrectKey => says(
            "IncorrectKey",
            "the ciphertext is not for the pinned key (IncorrectKeyException)",
            format!("the ciphertext was not made with {key}: fix `key = …`, or seal the value again with `cargo sealed encrypt --key {key}`"),
        ),
        ErrorKind::KeyDisabled => says(
            "KeyDisabled",
            "the key is disabled",
            format!("enable the key: `aws kms enable-key --key-id {key}`; the next access will try again"),
        ),
        ErrorKind::KeyInvalidState => says(
            "KeyInvalidState",
            "the key is not in a usable state",
            format!("`aws kms describe-key --key-id {key}` shows its `KeyState` and `CustomKeyStoreId`: a key pending deletion is restored with `aws kms cancel-key-deletion`; a key in a custom key store (CloudHSM or external) needs that store connected (`aws kms describe-custom-key-stores`, `aws kms connect-custom-key-store`); a key pending import needs its key material imported"),
        ),
        ErrorKind::InvalidKeyUsage => says(
            "InvalidKeyUsage",
            "the key cannot decrypt this ciphertext (InvalidKeyUsageException)",
            format!("`aws kms describe-key --key-id {key}` shows its `KeyUsage` and `EncryptionAlgorithms`: seal the value with an `ENCRYPT_DECRYPT` key, or declare the `algorithm = …` it was encrypted with"),
        ),
        ErrorKind::KeyNotFound => says(
            "KeyNotFound",
            "the key was not found",
            format!(
                "check that {key} exists in region {} of this account: a key ARN's region must match, and a bare key id or alias is looked up in `AWS_REGION`",
                d.region.as_deref().unwrap_or("(unset)")
            ),
        ),
        ErrorKind::Throttled => says(
            "Throttled",
            "KMS kept throttling Decrypt through every retry",
            "the account's KMS request quota for this region stayed exhausted (tried until 9 s after the first attempt): call `prefetch()` once at start-up instead of decrypting per request, put a function's values in one bundle (`cargo sealed bundle`: one `Decrypt` per process), or ask for a higher quota",
        ),
        ErrorKind::TimedOut => says(
            "TimedOut",
            match d.timeout {
                Some(t) => format!("Decrypt timed out after {} ms", t.as_millis()),
                None => "Decrypt timed out".into(),
            },
            "KMS did not answer in time: check the network path (VPC endpoint or NAT for functions in a VPC), or raise the timeouts with `set_client`",
        ),
        ErrorKind::Unreachable => match &d.certificate {
            Some(words) => says(
                "Unreachable",
                "KMS is unreachable: its TLS certificate was refused",
                certificate_help(words, d.endpoint.as_deref()),
            ),
            None => says(
                "Unreachable",
                "KMS is unreachable",
                format!(
                    "check the network and the endpoint ({}): functions in a VPC need a KMS VPC endpoint or a NAT gateway",
                    d.endpoint.as_deref().unwrap_or("the default KMS endpoint")
                ),
            ),
        },
        ErrorKind::Credentials => says(
            "Credentials",
            "no usable AWS credentials",
            d.credentials.as_ref().map_or_else(
                || "give the process AWS credentials (`aws sso login`, `aws configure`, or the Lambda execution role)".to_owned(),
                Diagnosis::help,
            ),
        ),
        ErrorKind::Service => says(
            "Service",
            "KMS failed to decrypt",
            "KMS reported an error on its side: the next access will try again",
        ),
        ErrorKind::InvalidRequest => says(
            "InvalidRequest",
            "KMS refused the Decrypt request",
            if d.request_id.is_none() && d.code.is_none() && d.http_status.is_none() {
                "the SDK could not build the request (its words are above): check `AWS_REGION` and `AWS_ENDPOINT_URL_KMS`"
            } else {
                "KMS's message says what it refused; this is not transient: the same request fails again until it changes (if it names nothing you control, report it with the request id)"
            },
        ),
        ErrorKind::KeyMismatch { returned } => says(
            "KeyMismatch",
            format!("KMS answered for key `{returned}`, not the pinned key"),
            format!("KMS decrypted with another key than {key}: the ciphertext belongs to that other key; seal it again under {key}"),
        ),
        ErrorKind::InsecureEndpoint { endpoint } => says(
            "InsecureEndpoint",
            format!("refused to send Decrypt over plain HTTP to `{endpoint}`, which is not this machine"),
            "a Decrypt answer carries the plaintext, and over plain HTTP anyone on the path can read or replace it: use an `https://` endpoint (check `AWS_ENDPOINT_URL_KMS` and `AWS_ENDPOINT_URL`); plain HTTP is for a local KMS on loopback (`127.0.0.1`, `::1`, `localhost`), or with the `emulator` feature",
        ),
        ErrorKind::KeyNotReturned => says(
            "KeyNotReturned",
            "KMS's answer does not say which key decrypted (no `KeyId`), so it cannot be held to the pinned key",
            format!("AWS KMS always names the key: something between the function and KMS answered instead (check `AWS_ENDPOINT_URL_KMS`, `AWS_ENDPOINT_URL` and any proxy; the endpoint was {})", d.endpoint.as_deref().unwrap_or("the default")),
        ),
        ErrorKind::NotUtf8 { len, valid_up_to } => says(
            "NotUtf8",
            format!("the plaintext ({len} bytes) is not UTF-8: invalid byte at offset {valid_up_to}"),
            "use `expose()` for binary secrets, or seal the text again from a UTF-8 file",
        ),
        ErrorKind::MissingEnvVar { name } => says(
            "MissingEnvVar",
            format!("the encryption context needs `{name}`, which is not set"),
            format!("set `{name}` in the environment (Lambda sets `AWS_LAMBDA_FUNCTION_NAME` itself)"),
        ),
        ErrorKind::NoRegion => says(
            "NoRegion",
            "no region to send Decrypt to",
            "set `AWS_REGION`, or write the key as an ARN (`arn:aws:kms:REGION:ACCOUNT:key/KEY-ID`)",
        ),
        ErrorKind::Panicked => says(
            "Panicked",
            "the decryption attempt panicked",
            "the panic's message was printed by the panic hook; fix the credentials provider, interceptor or HTTP client that panicked (installed with `set_client`); the next access will try again",
        ),
        ErrorKind::BlockingInAttempt => says(
            "BlockingInAttempt",
            "`get_blocking` was called from inside a decryption attempt",
            "use `get().await`, or read the value before the KMS client's own code runs",
        ),
        ErrorKind::BundleValueRejected => {
            let (path, name) = d.bundle.unwrap_or(("FILE", "NAME"));
            says(
                "BundleValueRejected",
                "the bundle value does not open with the bundle's private key",
                format!("the file was edited, or this value was copied from another name, generation or bundle (which never opens): restore `{path}` from version control, or set the value again with `cargo sealed bundle set {path} {name}`"),
            )
        }
        ErrorKind::BundleKeyMismatch | ErrorKind::BundlePrivateKey => {
            let (path, _) = d.bundle.unwrap_or(("FILE", "NAME"));
            let help = format!("the `public-key` line of `{path}` was changed, or `private-key` was copied from another bundle: restore both lines from version control (a bundle's key pair changes only with `cargo sealed bundle rotate`, which gives it a new id too)");
            if *kind == ErrorKind::BundleKeyMismatch {
                says(
                    "BundleKeyMismatch",
                    "the bundle's private key (from KMS) is not the pair of the public key in the file",
                    help,
                )
            } else {
                says(
                    "BundlePrivateKey",
                    "KMS decrypted the bundle's private key to something that is not a P-256 private key",
                    help,
                )
            }
        }
        ErrorKind::StageNotSelected { variable, stages } => {
            let example = stages.last().map_or("prod", String::as_str);
            says(
                "StageNotSelected",
                format!("`{variable}` is not set, so no stage is selected (this binary holds {}; it never guesses one)", list(stages)),
                format!("set `{variable}` in the function's environment to its stage: SAM `Environment: {{Variables: {{{variable}: {example}}}}}`; CDK `environment: {{ {variable}: '{example}' }}`; Serverless `provider: {{environment: {{{variable}: {example}}}}}`; `cargo lambda deploy --env-var {variable}={example}`; locally `{variable}={example} cargo run`"),
            )
        }
        ErrorKind::UnknownStage { variable, value, length, stages } => {
            let names: Vec<&str> = stages.iter().map(String::as_str).collect();
            let near = sealed_format::did_you_mean(value, &names)
                .map(|hint| format!("{hint} "))
                .unwrap_or_default();
            let what = if value.is_empty() {
                format!("`{variable}` names no stage of this binary (its value, {length} characters, is not shown: it is not close to a stage's name; the binary holds {})", list(stages))
            } else {
                format!("`{variable}` is `{value}`, which is no stage of this binary (it holds {})", list(stages))
            };
            says(
                "UnknownStage",
                what,
                format!("{near}set `{variable}` to one of {}; a new stage needs `cargo sealed stage new` and a new build", list(stages)),
            )
        }
        ErrorKind::StageMismatch { stage, region, regions } if region.is_empty() => says(
            "StageMismatch",
            format!("the stage `{stage}` runs in {}, and no region is known here (`AWS_REGION` is not set)", list(regions)),
            "Lambda sets `AWS_REGION`; elsewhere, set it to the region this runs in: a stage pinned to regions is never chosen without one",
        ),
        ErrorKind::StageMismatch { stage, region, regions } => {
            let (set, _) = d.stage_set.unwrap_or(("the stage set", "NAME"));
            says(
                "StageMismatch",
                format!("the stage `{stage}` runs in {}, but `AWS_REGION` is `{region}`", list(regions)),
                format!("the stage is selected in the wrong place: fix the selector where this function is deployed in {region}; if `{stage}` runs there on purpose, add `{region}` to the `regions=` of its line in `{set}` (a reviewed change) and build again"),
            )
        }
        ErrorKind::StageExcluded { stage, only } => {
            let (set, name) = d.stage_set.unwrap_or(("FILE", "NAME"));
            says(
                "StageExcluded",
                format!("the value is not in stage `{stage}`: `only = […]` gives it to {} alone", list(only)),
                format!("do not read it in `{stage}`, or give `{stage}` the value: `printf %s \"$VALUE\" | cargo sealed stage set {set} {stage} {name}` and add `\"{stage}\"` to `only`"),
            )
        }
    }
}

fn list(items: &[String]) -> String {
    items
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What to do about a server certificate TLS refused (`words`: rustls's, such as `invalid peer
/// certificate: UnknownIssuer`): trust its authority when no trusted root signs it, else look at
/// the certificate itself.
fn certificate_help(words: &str, endpoint: Option<&str>) -> String {
    let endpoint = endpoint.unwrap_or("the default KMS endpoint");
    if !words.contains("UnknownIssuer") {
        return format!(
            "the endpoint ({endpoint}) presented a certificate TLS refused ({words}): check its host name against the endpoint's, its validity dates and this machine's clock"
        );
    }
    let trusted = match crate::tls::roots() {
        crate::tls::Roots::CompiledIn => "the roots compiled into sealed-runtime (Mozilla's list, which signs every AWS endpoint)",
        crate::tls::Roots::Platform => "the certificates SSL_CERT_FILE or SSL_CERT_DIR name, else the system's store (`native-roots`)",
    };
    format!(
        "the endpoint ({endpoint}) presented a certificate that none of the trusted roots signs ({words}); trusted are {trusted}: behind a proxy or endpoint with a private certificate authority, name its certificate with SSL_CERT_FILE, or build with sealed-runtime's `native-roots` feature to trust the system's store"
    )
}

#[cfg(test)]
mod certificate_tests {
    use crate::error_words::certificate_help;

    #[test]
    fn a_certificate_no_root_signs_names_the_roots_and_another_refusal_the_certificate() {
        let unknown = certificate_help(
            "invalid peer certificate: UnknownIssuer",
            Some("https://kms.example"),
        );
        assert!(
            unknown.contains("none of the trusted roots signs"),
            "{unknown}"
        );
        assert!(
            unknown.contains("SSL_CERT_FILE") && unknown.contains("native-roots"),
            "{unknown}"
        );
        let expired = certificate_help("invalid peer certificate: Expired", None);
        assert!(
            expired.contains("validity dates and this machine's clock"),
            "{expired}"
        );
        assert!(!expired.contains("SSL_CERT_FILE"), "{expired}");
    }
}
