//! Every valid sample of `shared/samples/kms-ciphertexts.tsv` compiles as a `static` and carries
//! the facts the table states (the invalid ones are UI tests under `ui/fail/`).

use sealed_runtime::{sealed, Sealed};

static SAMPLES: &[(&str, Sealed)] = &[
    ("legacy-blog-hello", sealed!("CiAUkK3nep3+LDfCjRPA5NDnd5NEXv5BWWjweqEySvaTLBKUAQEBAgB4FJCt53qd/iw3wo0TwOTQ53eTRF7+QVlo8HqhMkr2kywAAABrMGkGCSqGSIb3DQEHBqBcMFoCAQAwVQYJKoZIhvcNAQcBMB4GCWCGSAFlAwQBLjARBAxHrDshpbxSGRgMAXECARCAKHfUd1sJjxRX/7tq7twil6vaXjtPZsnr9AURI1gjR+RPL4WlQTvNDjE=")),
    ("legacy-encrypt-me", sealed!("CiBjAlyaUmDwthraHElNmJAnKubFyc56isanZcgHmKuysRKRAQEBAgB4YwJcmlJg8LYa2hxJTZiQJyrmxcnOeorGp2XIB5irsrEAAABoMGYGCSqGSIb3DQEHBqBZMFcCAQAwUgYJKoZIhvcNAQcBMB4GCWCGSAFlAwQBLjARBAxoOH9z7cfVTOc0mOACARCAJWsxzmWUOoeRGsRb4Kqlx4m9ecoqES/tM9xVK5BhS7q6x9s3XX4=")),
    ("botor-readme", sealed!("AQICAHhh7Ku/BWdSbCqos9k49Vnk1+WytvoesgX+1bOvLAlyegHa210D93pgytNnThR9qVVxAAAAmjCBlwYJKoZIhvcNAQcGoIGJMIGGAgEAMIGABgkqhkiG9w0BBwEwHgYJYIZIAWUDBAEuMBEEDKkH9le72xKmMsgjTQIBEIBT/7MbIV2sG6Hh+fb8BJQ9a6VNOZ1rhPAgvSET6IUdiki92fMZ6dDBOpmSSuaa3t8KIF9KtrlbQAYQNtPVHUvFl1GpyM0k8bD7jLSsUPeRjFNoI+Q=")),
    ("pagerduty-dev", sealed!("AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=")),
    ("cenv-mrk", sealed!("AQICAHjkqF+ZjkGsMGlSi1uxDcRNBU3E/Q197+RVLOnIGVn86gGQeOCdonNUP5W00dTIHFH0AAAAbDBqBgkqhkiG9w0BBwagXTBbAgEAMFYGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMz5ChRQkgJ+ABDrqvAgEQgCnU6vaMglYwDXzzBj5bUHuR9Tgw//effvVn3G6eQmucJt9L+o0627QhLg==")),
    ("servicensw-db-user", sealed!("AQICAHgjp8JqMhZ5vNctS3BExPMBqLTQzAZDjF0ZIhGwFC/zBwEMcZI5AmoM7RthJT74+ECPAAAAZTBjBgkqhkiG9w0BBwagVjBUAgEAME8GCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMr7xb/uRXUgskTuq7AgEQgCKrcUI5NmP/QbW0heolRfjQdKchoQjhE0O6rENu9PpZiT08")),
    ("esdk-edk-us-east-1", sealed!("AQIBAHgpWCg16wzJIjalcTPgnlL7hu63+Ck+8QQbS8vxXQnPlwE9eoikUfC7KWAaFBSsPtYUAAAAfjB8BgkqhkiG9w0BBwagbzBtAgEAMGgGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMlxF+SOXtakcxqsu0AgEQgDuZzamsVeUcmNMpsOc1ymbN4ALKLa0G0yreFWsYd2HZqQ7mZN/DP4HLoQevps940qgzYvrQccch6YesMg==")),
    ("lambda-data-key-qa", sealed!("AQIDAHh0DdonDMJJ3Zr8dpKyoPcWm9dlLHlh5Wy+tfrFm4vJ1wG2duQQ8ROeKvrtAGDumbR3AAAAfjB8BgkqhkiG9w0BBwagbzBtAgEAMGgGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQM1uzn4qmjQp8QUB1fAgEQgDvFE6DpF9gufiZ0iFBc6T4JrDidd75aYuuda7vWE6eenq8+3wt9Y40kzs9Q2PLftimO0+ooJCr9aMjPCg==")),
    ("awscli-gdk-example-v1", sealed!("AQEDAHjRYf5WytIc0C857tFSnBaPn2F8DgfmThbJlGfR8P3WlwAAAH4wfAYJKoZIhvcNAQcGoG8wbQIBADBoBgkqhkiG9w0BBwEwHgYJYIZIAWUDBAEuMBEEDEFogLqPWZconQhwHAIBEIA7d9AC7GeJJM34njQvg4Wf1d5sw0NIo1MrBqZa+YdhV8MrkBQPeac0ReRVNDt9qleAt+SHgIRF8P0H+7U=")),
    ("convox-registry-k", sealed!("AQEBAHhZfaDM9nag/rJj14qS3jZ+uhrcVvAPT3gOpF4GL4TYAAAAAH4wfAYJKoZIhvcNAQcGoG8wbQIBADBoBgkqhkiG9w0BBwEwHgYJYIZIAWUDBAEuMBEEDO0S9xrGCJKPJdHpDQIBEIA7m12OymJ0sCDdru7RxWOQkbnZtR2XO5WMoFUZW1QL9oU31InZ2Gg+NLqYgT5TgZjz1JhPPXur3kku4CU=")),
];

#[test]
fn every_valid_sample_compiles_with_its_family_and_plaintext_length() {
    let table = include_str!("../../sealed-format/tests/fixtures/kms-ciphertexts.tsv");
    let mut valid = 0;
    for line in table.lines().skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        if fields[2] != "valid" {
            continue;
        }
        valid += 1;
        let (_, value) = SAMPLES
            .iter()
            .find(|(id, _)| *id == fields[0])
            .expect(fields[0]);
        assert_eq!(value.family().name(), fields[3], "{}", fields[0]);
        assert_eq!(
            value.plaintext_len(),
            fields[4].parse().ok(),
            "{}",
            fields[0]
        );
        let decoded =
            sealed_format::inspect(fields[1], &sealed_format::Options::default()).unwrap();
        assert_eq!(value.ciphertext(), decoded.bytes(), "{}", fields[0]);
    }
    assert_eq!(valid, SAMPLES.len());
}
