use sealed_runtime::{sealed, Sealed};

// A key handed in as an expression fragment is checked like a key written in place.
macro_rules! secret {
    ($ciphertext:literal, $key:expr) => {
        sealed!($ciphertext, key = $key)
    };
}

static VALUE: Sealed = secret!(
    "AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=",
    "arn:aws:kms:eu-west-1:1111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
);

fn main() {}
