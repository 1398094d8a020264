//! Missing or expired credentials, through the real credential chain (`aws-config` defaults, the
//! library's own client): no credentials at all, an `AWS_PROFILE` that does not exist, and an
//! `aws sso login` session that has expired. None of them needs the network: the chain fails
//! before any request, so the KMS endpoint is a loopback port where nothing listens.
//!
//! Each situation runs in a child process of this test binary with exactly the environment it
//! describes (the chain reads the process's environment, and the client is built once per
//! process).

use std::path::Path;

use sealed_runtime::Sealed;

use sealed_test_support as support;

const CIPHERTEXT: &str = "AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=";

/// In the child: one first access with the library's default client; its error, as lines the
/// parent reads.
#[tokio::test]
async fn child_first_access() {
    if std::env::var_os("SEALED_CREDENTIALS_CHILD").is_none() {
        return; // only ever run by the tests below, in a child process
    }
    let value = Sealed::builder(CIPHERTEXT)
        .key("alias/app")
        .build()
        .unwrap();
    let error = value.get().await.unwrap_err();
    println!(); // after the harness's `test … ... `
    println!("kind: {:?}", error.kind());
    println!("transient: {}", error.is_transient());
    println!("display: {error}");
    println!(
        "source: {}",
        std::error::Error::source(&error).map_or_else(|| "none".to_owned(), ToString::to_string)
    );
}

/// Runs the child with a clean AWS environment plus `env`, HOME in `home`.
fn run_child(home: &Path, env: &[(&str, &str)]) -> String {
    let mut command = support::child_test("child_first_access");
    command
        .env("SEALED_CREDENTIALS_CHILD", "1")
        .env("HOME", home)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        // nothing listens there: a request that got this far would be refused
        .env("AWS_ENDPOINT_URL_KMS", "http://127.0.0.1:9")
        .env("AWS_CONFIG_FILE", home.join(".aws/config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join(".aws/credentials"));
    for (name, value) in env {
        command.env(name, value);
    }
    let stdout = support::stdout_of(&mut command);
    assert!(stdout.contains("kind: "), "the child ran: {stdout}");
    stdout
}

fn line<'a>(stdout: &'a str, name: &str) -> &'a str {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .unwrap_or_else(|| panic!("no `{name}` in {stdout}"))
}

fn assert_credentials_error(stdout: &str) {
    assert!(line(stdout, "kind").starts_with("Credentials"), "{stdout}");
    assert_eq!(line(stdout, "transient"), "false", "{stdout}");
    let display = line(stdout, "display");
    assert!(
        display.starts_with("no usable AWS credentials for the sealed value at "),
        "{display}"
    );
    assert!(!display.contains("unreachable"), "{display}");
    assert!(!display.contains("VPC"), "{display}");
    assert_ne!(line(stdout, "source"), "none", "{stdout}");
}

#[test]
fn no_credentials_at_all_is_a_credentials_error_naming_what_the_chain_read() {
    let home = tempfile::tempdir().unwrap();
    let stdout = run_child(home.path(), &[]);
    assert_credentials_error(&stdout);
    let display = line(&stdout, "display");
    // the chain's own words are kept
    assert!(
        display.contains("no credentials found in chain"),
        "{display}"
    );
    // which variables the chain read, and the next step
    assert!(display.contains("AWS_ACCESS_KEY_ID"), "{display}");
    assert!(display.contains("AWS_PROFILE (unset)"), "{display}");
    assert!(
        display.contains("; help: give the process credentials: `aws sso login --profile NAME`"),
        "{display}"
    );
}

#[test]
fn a_profile_that_does_not_exist_is_named_with_the_file_read() {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    std::fs::write(
        home.path().join(".aws/config"),
        "[profile dev]\nregion = us-east-1\n",
    )
    .unwrap();
    let stdout = run_child(home.path(), &[("AWS_PROFILE", "prod")]);
    assert_credentials_error(&stdout);
    let display = line(&stdout, "display");
    assert!(display.contains("`prod`"), "{display}");
    assert!(display.contains("AWS_PROFILE=prod"), "{display}");
    assert!(
        display.contains(&home.path().join(".aws/config").display().to_string()),
        "{display}"
    );
    assert!(display.contains("aws configure list-profiles"), "{display}");
}

#[test]
fn an_expired_sso_session_says_aws_sso_login_with_the_profile() {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".aws/sso/cache")).unwrap();
    std::fs::write(
        home.path().join(".aws/config"),
        "[profile dev]\nsso_session = company\nsso_account_id = 111122223333\nsso_role_name = Developer\nregion = us-east-1\n\n[sso-session company]\nsso_start_url = https://company.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n",
    )
    .unwrap();
    // the token `aws sso login` cached, expired an hour ago: the file is named for the
    // session's SHA-1
    let expired = "2026-01-01T00:00:00Z";
    std::fs::write(
        home.path()
            .join(".aws/sso/cache/71b21161ffa1e6516bcc072aaf5ef38cbe85b511.json"),
        format!("{{\"startUrl\": \"https://company.awsapps.com/start\", \"region\": \"us-east-1\", \"accessToken\": \"expired-token\", \"expiresAt\": \"{expired}\"}}"),
    )
    .unwrap();
    let stdout = run_child(home.path(), &[("AWS_PROFILE", "dev")]);
    assert_credentials_error(&stdout);
    let display = line(&stdout, "display");
    // the chain read the cached token (its file is named for the session's SHA-1) and found it
    // expired: its own words
    assert!(
        display.contains("the SSO token has expired and cannot be refreshed"),
        "{display}"
    );
    assert!(
        display.contains("help: sign in again: `aws sso login --profile dev`"),
        "{display}"
    );
    assert!(display.contains("AWS_PROFILE=dev"), "{display}");
}
