use sealed_runtime::{sealed, Sealed};

// `readers = …` pins a bundle's or a stage set's readers: a plain ciphertext has one, its key.
static TOKEN: Sealed = sealed!(
    "AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=",
    key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    readers = ["key arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab _AHzKh-i-Adv2mWviT2leifB0O5hblYSh2Pu3mgFKUA"],
);

fn main() {}
