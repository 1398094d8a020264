//! Why a request had no usable credentials, in the words of the credential chain, and the next
//! step: the most common failure on a developer's machine (an expired `aws sso login`, an
//! `AWS_PROFILE` that does not exist, no credentials at all), and KMS rejecting the credentials
//! it was sent.

use std::error::Error as StdError;

use aws_credential_types::provider::error::CredentialsError;

use crate::emulator;

/// The variables the default credential chain reads, in its order; values are shown only for
/// those that are names or paths, never for keys or tokens.
const CHAIN_VARIABLES: [(&str, bool); 9] = [
    ("AWS_ACCESS_KEY_ID", false),
    ("AWS_SECRET_ACCESS_KEY", false),
    ("AWS_SESSION_TOKEN", false),
    ("AWS_PROFILE", true),
    ("AWS_CONFIG_FILE", true),
    ("AWS_SHARED_CREDENTIALS_FILE", true),
    ("AWS_WEB_IDENTITY_TOKEN_FILE", true),
    ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", true),
    ("AWS_CONTAINER_CREDENTIALS_FULL_URI", true),
];

/// What the user has to do differently.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Situation {
    /// The chain found nothing at all.
    NoneFound,
    /// `AWS_PROFILE` (or the default profile) names a profile no file defines.
    ProfileMissing(String),
    /// An IAM Identity Center session (`aws sso login`) expired or was never started.
    SsoSession,
    /// A credentials endpoint (instance metadata, the container endpoint) did not answer in
    /// time: transient.
    TimedOut,
    /// The profile needs a cargo feature of `sealed-runtime` that the build turned off.
    FeatureMissing(String),
    /// The chain failed otherwise (a `credential_process` that failed, a container endpoint
    /// that refused, …): its message says how.
    Failed,
    /// KMS rejected the credentials it was sent, with this error code.
    Rejected(String),
}

/// The credentials failure, with what the chain read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Diagnosis {
    pub(crate) situation: Situation,
    /// The profile in effect: `AWS_PROFILE`, else `default`.
    pub(crate) profile: String,
    /// `AWS_ACCESS_KEY_ID (unset), AWS_PROFILE=dev, …`
    pub(crate) read: String,
}

/// The credential chain's error, when that is why the request was never sent.
fn chain_failure<'a>(error: &'a (dyn StdError + 'static)) -> Option<&'a CredentialsError> {
    let mut next = Some(error);
    while let Some(error) = next {
        if let Some(found) = error.downcast_ref() {
            return Some(found);
        }
        next = error.source();
    }
    None
}

/// The chain's own words on one line: each error of the chain once, its listing of the
/// providers tried folded into `; `.
fn chain_message(error: &CredentialsError) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(error) = next {
        let text = error
            .to_string()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        // a wrapper that only repeats what its source says adds nothing
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        next = error.source();
    }
    parts.join(": ")
}

/// When `error`'s chain holds a credential chain failure: its words on one line, and what to do.
pub(crate) fn diagnose(error: &(dyn StdError + 'static)) -> Option<(String, Diagnosis)> {
    let failure = chain_failure(error)?;
    let message = chain_message(failure);
    let situation = if let CredentialsError::ProviderTimedOut(_) = failure {
        Situation::TimedOut
    } else {
        situation_of(&message)
    };
    Some((message, diagnosis(situation)))
}

/// What the chain's words say happened. The profile check comes first: a profile's name may
/// hold any word.
fn situation_of(message: &str) -> Situation {
    if let Some(profile) = missing_profile(message) {
        Situation::ProfileMissing(profile)
    } else if let Some((_, feature)) =
        message.split_once("requires following cargo feature(s) enabled: ")
    {
        Situation::FeatureMissing(
            feature
                .split(|c: char| !(c.is_alphanumeric() || c == '-'))
                .next()
                .unwrap_or_default()
                .to_owned(),
        )
    } else if message.contains("SSO token") {
        // `the SSO token has expired and cannot be refreshed`, `failed to load the cached SSO
        // token` (never signed in), `… in cached SSO token file`
        Situation::SsoSession
    } else if message.contains("no credentials found in chain") {
        Situation::NoneFound
    } else {
        Situation::Failed
    }
}

/// KMS's codes for credentials it does not accept (and their spellings in services that answer
/// in XML, as an emulator's IAM layer does: `emulator`).
pub(crate) fn is_rejection(code: &str) -> bool {
    matches!(
        code,
        "UnrecognizedClientException"
            | "InvalidSignatureException"
            | "ExpiredTokenException"
            | "IncompleteSignatureException"
            | "MissingAuthenticationTokenException"
    ) || emulator::XML_CREDENTIAL_REJECTIONS.contains(&code)
}

/// KMS rejected the credentials with `code`.
pub(crate) fn diagnose_rejection(code: &str) -> Diagnosis {
    diagnosis(Situation::Rejected(code.to_owned()))
}

fn diagnosis(situation: Situation) -> Diagnosis {
    Diagnosis {
        situation,
        profile: std::env::var("AWS_PROFILE").unwrap_or_else(|_| "default".to_owned()),
        read: chain_read(),
    }
}

/// For `cargo sealed`'s own KMS calls (`Encrypt`, `ReEncrypt`, …): when `error` (an SDK error,
/// with its KMS error code if any) is about credentials — the chain had none usable, or KMS
/// rejected them — what happened and the next step, as `Decrypt` errors say them.
pub fn explain_failure(
    error: &(dyn StdError + 'static),
    code: Option<&str>,
) -> Option<(String, String)> {
    if let Some((message, diagnosis)) = diagnose(error) {
        return Some((
            format!("no usable AWS credentials: {message}"),
            diagnosis.help(),
        ));
    }
    let code = code.filter(|code| is_rejection(code))?;
    Some((
        format!("KMS rejected the credentials ({code})"),
        diagnose_rejection(code).help(),
    ))
}

/// `profile `prod` was not defined` → `prod`.
fn missing_profile(message: &str) -> Option<String> {
    let (_, rest) = message.split_once("profile `")?;
    let (name, rest) = rest.split_once('`')?;
    rest.trim_start()
        .starts_with("was not defined")
        .then(|| name.to_owned())
}

/// What the chain read from the environment: names and paths with their values, keys and tokens
/// only as set or unset.
fn chain_read() -> String {
    CHAIN_VARIABLES
        .iter()
        .map(|&(name, show)| match std::env::var_os(name) {
            None => format!("{name} (unset)"),
            Some(value) if show => format!("{name}={}", value.to_string_lossy()),
            Some(_) => format!("{name} (set)"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl Diagnosis {
    /// Whether the same access may succeed later without a change.
    pub(crate) fn is_transient(&self) -> bool {
        self.situation == Situation::TimedOut
    }

    /// The next step.
    pub(crate) fn help(&self) -> String {
        let profile = &self.profile;
        let step = match &self.situation {
            Situation::SsoSession => format!(
                "sign in again: `aws sso login --profile {profile}`"
            ),
            Situation::ProfileMissing(missing) => format!(
                "no config or credentials file defines the profile `{missing}`: `aws configure list-profiles` lists those that exist; set `AWS_PROFILE` to one of them, or create it with `aws configure --profile {missing}` or `aws configure sso`"
            ),
            Situation::TimedOut => "a credentials endpoint (instance metadata or the container endpoint) did not answer in time; the next access will try again".to_owned(),
            Situation::FeatureMissing(feature) => format!(
                "the profile `{profile}` needs the `{feature}` feature of `sealed-runtime`, which this build turned off: enable it (`features = [\"{feature}\"]`), or use another profile"
            ),
            Situation::NoneFound => "give the process credentials: `aws sso login --profile NAME` with `AWS_PROFILE=NAME`, or `aws configure`, or `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`; in Lambda the execution role provides them".to_owned(),
            Situation::Failed => format!(
                "the credential chain says why above; `aws sts get-caller-identity --profile {profile}` shows whether the AWS CLI gets credentials from the same configuration"
            ),
            Situation::Rejected(code) => match code.as_str() {
                "ExpiredTokenException" => format!(
                    "the session token has expired: sign in again (`aws sso login --profile {profile}`) or assume the role again"
                ),
                "RequestExpired" => "the request was signed too long ago: this machine's clock is off (clock skew: compare `date -u` with the real time, sync it with NTP)".to_owned(),
                "InvalidSignatureException" | "SignatureDoesNotMatch" | "IncompleteSignatureException" | "IncompleteSignature" => "the request's signature was not accepted: the secret access key does not belong to the access key id, or this machine's clock is off (clock skew: compare `date -u` with the real time, sync it with NTP)".to_owned(),
                _ => format!(
                    "AWS does not know the access key id: it was deleted or deactivated, or belongs to another partition; `aws sts get-caller-identity --profile {profile}` checks the credentials"
                ),
            },
        };
        format!("{step} (the credential chain read {})", self.read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn situations_are_told_apart_by_the_chains_words() {
        let sso = "an error occurred while loading an access token: the SSO token has expired and cannot be refreshed";
        assert_eq!(situation_of(sso), Situation::SsoSession);
        let profile = "no credentials found in chain. Attempted:; Profile: profile `prod` was not defined: could not find source profile prod";
        assert_eq!(
            situation_of(profile),
            Situation::ProfileMissing("prod".into())
        );
        // a profile whose name holds "sso" is still a missing profile
        let sso_named = "no credentials found in chain. Attempted:; Profile: profile `sso-dev` was not defined: could not find source profile sso-dev";
        assert_eq!(
            situation_of(sso_named),
            Situation::ProfileMissing("sso-dev".into())
        );
        let feature = "This behavior requires following cargo feature(s) enabled: sso. In order to spawn a session";
        assert_eq!(
            situation_of(feature),
            Situation::FeatureMissing("sso".into())
        );
        assert!(diagnosis(situation_of(feature))
            .help()
            .contains("`sso` feature"));
        let none = "the credential provider was not enabled: no credentials found in chain";
        assert_eq!(situation_of(none), Situation::NoneFound);
        assert_eq!(
            situation_of("credential_process exited with 1"),
            Situation::Failed
        );
    }

    #[test]
    fn a_provider_that_timed_out_is_transient() {
        let error = CredentialsError::provider_timed_out(std::time::Duration::from_secs(1));
        let (message, diagnosis) = diagnose(&error).unwrap();
        assert_eq!(diagnosis.situation, Situation::TimedOut, "{message}");
        assert!(diagnosis.is_transient());
        assert!(!diagnose(&CredentialsError::not_loaded("none"))
            .unwrap()
            .1
            .is_transient());
    }

    #[test]
    fn rejections_say_what_to_check() {
        assert!(diagnose_rejection("InvalidSignatureException")
            .help()
            .contains("clock skew"));
        assert!(diagnose_rejection("ExpiredTokenException")
            .help()
            .contains("aws sso login"));
        assert!(diagnose_rejection("UnrecognizedClientException")
            .help()
            .contains("aws sts get-caller-identity"));
        assert!(is_rejection("ExpiredTokenException"));
        assert!(is_rejection("IncompleteSignatureException"));
        assert!(is_rejection("MissingAuthenticationTokenException"));
        assert!(diagnose_rejection("RequestExpired")
            .help()
            .contains("clock skew"));
        assert!(!is_rejection("AccessDeniedException"));
    }

    #[test]
    fn keys_and_tokens_are_never_shown() {
        let read = chain_read();
        for name in [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
        ] {
            assert!(
                read.contains(&format!("{name} (set)"))
                    || read.contains(&format!("{name} (unset)")),
                "{read}"
            );
        }
    }
}
