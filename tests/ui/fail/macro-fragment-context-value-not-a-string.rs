use sealed_runtime::{sealed, Sealed};

// A context value handed in as a literal fragment that is not a string.
macro_rules! secret {
    ($ciphertext:literal, $app:literal) => {
        sealed!($ciphertext, context = { "app": $app })
    };
}

static VALUE: Sealed = secret!(
    "AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=",
    42
);

fn main() {}
