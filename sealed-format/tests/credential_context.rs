//! The context rules that guard what KMS is sent, wherever a context is written: in a bundle
//! file's `context` lines as in `sealed!` (tested in `tests/ui`). A credential variable is
//! refused as an `env("…")` value; a `sealed:` key is refused as `sealed`'s own.

use sealed_format::{check_env_name, Bundle, ContextError, CREDENTIAL_VARIABLES};

#[test]
fn a_bundle_whose_context_reads_a_credential_does_not_parse() {
    let bundle = "sealed-bundle 1\nid 0f1e2d3c4b5a69788796a5b4c3d2e1f0\nkey alias/app\n\
        context-env token AWS_SESSION_TOKEN\n\
        data-key AQIDAHh0DdonDMJJ3Zr8dpKyoPcWm9dlLHlh5Wy+tfrFm4vJ1wG2duQQ8ROeKvrtAGDumbR3AAAAfjB8BgkqhkiG9w0BBwagbzBtAgEAMGgGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQM1uzn4qmjQp8QUB1fAgEQgDvFE6DpF9gufiZ0iFBc6T4JrDidd75aYuuda7vWE6eenq8+3wt9Y40kzs9Q2PLftimO0+ooJCr9aMjPCg==\n";
    let error = Bundle::parse(bundle).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("would send an AWS credential to KMS"),
        "{error}"
    );
    assert!(
        Bundle::parse(&bundle.replace("AWS_SESSION_TOKEN", "AWS_LAMBDA_FUNCTION_NAME")).is_ok()
    );
}

#[test]
fn every_credential_variable_is_refused_and_its_neighbours_are_not() {
    for listed in CREDENTIAL_VARIABLES {
        let name = listed.replace('*', "_FILE");
        assert_eq!(
            check_env_name(&name),
            Err(ContextError::CredentialVariable(name.clone()))
        );
    }
    for fine in [
        "AWS_REGION",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_ACCESS_KEY_ID_NOTE",
        "STAGE",
    ] {
        assert_eq!(check_env_name(fine), Ok(()), "{fine}");
    }
}

#[test]
fn a_bundle_whose_context_names_a_reserved_key_does_not_parse() {
    let bundle = "sealed-bundle 1\nid 0f1e2d3c4b5a69788796a5b4c3d2e1f0\nkey alias/app\n\
        context app billing\ncontext SEALED:bundle 0f1e2d3c4b5a69788796a5b4c3d2e1f0\n\
        data-key AQIDAHh0DdonDMJJ3Zr8dpKyoPcWm9dlLHlh5Wy+tfrFm4vJ1wG2duQQ8ROeKvrtAGDumbR3AAAAfjB8BgkqhkiG9w0BBwagbzBtAgEAMGgGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQM1uzn4qmjQp8QUB1fAgEQgDvFE6DpF9gufiZ0iFBc6T4JrDidd75aYuuda7vWE6eenq8+3wt9Y40kzs9Q2PLftimO0+ooJCr9aMjPCg==\n";
    let error = Bundle::parse(bundle).unwrap_err();
    assert_eq!(error.line, Some(5), "{error}");
    assert!(
        error
            .to_string()
            .contains("the encryption-context key `SEALED:bundle` is reserved"),
        "{error}"
    );
    assert!(Bundle::parse(&bundle.replace("SEALED:bundle", "sealed-bundle")).is_ok());
}
