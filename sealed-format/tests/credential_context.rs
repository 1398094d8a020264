//! The context rules that guard what KMS is sent, wherever a context is written: in a bundle
//! file's `context` lines as in `sealed!` (tested in `tests/ui`). A credential variable is
//! refused as an `env("…")` value; a `sealed:` key is refused as `sealed`'s own.

use sealed_format::{check_env_name, Bundle, ContextError, CREDENTIAL_VARIABLES};

#[test]
fn a_bundle_whose_context_reads_a_credential_does_not_parse() {
    let bundle = "sealed-bundle 2\nid 0f1e2d3c4b5a69788796a5b4c3d2e1f0\nkey alias/app\n\
        context-env token AWS_SESSION_TOKEN\n\
        public-key MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWg==\n\
        private-key AQICAHj9uUJYN6V8X0hbhtAklrIPNNRT8W9qlxe/OY9wzUUeQgGrOlS4PAAo5jnHfc9IL1x2AAAA7TCB6gYJKoZIhvcNAQcGoIHcMIHZAgEAMIHTBgkqhkiG9w0BBwEwHgYJYIZIAWUDBAEuMBEEDLMZuECPLhG4mX8EqAIBEICBpUUaXfQvnE0a5+/aUg+tnyp20H0uJP0QbEhSfNuuNhYWLmNsU0hBNTK3F6x34OFwqQtzAE0R/YLnZVS8Jq9fN68NoRYlGumyA7vQI9e0meuYVYtZCJ1BSpvmRvQcTOH9i2TnHnQT2j6f3IsxLoTVam55jQaBDIrk07wSwpSIQM1aDDYT0Q/+Fe2+c3x1aPlJoYR4LQAuy9aoAhU0qDEifTm2Xj7hjQ==\n\
        generation 0\n";
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
    let bundle = "sealed-bundle 2\nid 0f1e2d3c4b5a69788796a5b4c3d2e1f0\nkey alias/app\n\
        context app billing\ncontext SEALED:bundle 0f1e2d3c4b5a69788796a5b4c3d2e1f0\n\
        public-key MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWg==\n\
        private-key AQICAHj9uUJYN6V8X0hbhtAklrIPNNRT8W9qlxe/OY9wzUUeQgGrOlS4PAAo5jnHfc9IL1x2AAAA7TCB6gYJKoZIhvcNAQcGoIHcMIHZAgEAMIHTBgkqhkiG9w0BBwEwHgYJYIZIAWUDBAEuMBEEDLMZuECPLhG4mX8EqAIBEICBpUUaXfQvnE0a5+/aUg+tnyp20H0uJP0QbEhSfNuuNhYWLmNsU0hBNTK3F6x34OFwqQtzAE0R/YLnZVS8Jq9fN68NoRYlGumyA7vQI9e0meuYVYtZCJ1BSpvmRvQcTOH9i2TnHnQT2j6f3IsxLoTVam55jQaBDIrk07wSwpSIQM1aDDYT0Q/+Fe2+c3x1aPlJoYR4LQAuy9aoAhU0qDEifTm2Xj7hjQ==\n\
        generation 0\n";
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
