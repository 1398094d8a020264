use sealed_runtime::{sealed, Sealed};

// An encryption context is logged in clear by CloudTrail: a variable of the build or CI
// environment, which may hold a secret, is read into one only where code allows it.
static VALUE: Sealed = sealed!(
    "AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=",
    context = { "ci": env("GITHUB_TOKEN") },
);

fn main() {
    let _ = VALUE;
}
