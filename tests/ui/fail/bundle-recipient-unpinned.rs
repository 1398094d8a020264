use sealed_runtime::{sealed, Sealed};

// a bundle with another recipient, read outside a stage set: nothing pins that recipient.
static DB_PASSWORD: Sealed = sealed!(
    bundle = "tests/fixtures/recipients/app.prod.bundle",
    name = "db_password",
    key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
);

fn main() {}
