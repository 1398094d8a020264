use sealed_runtime::{sealed, Sealed};

// the code pins the bundle it was reviewed with: a file with another id is refused
static VALUE: Sealed = sealed!(
    bundle = "tests/fixtures/app.bundle",
    name = "db_password",
    key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    id = "00000000000000000000000000000000",
    readers = ["key arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab _AHzKh-i-Adv2mWviT2leifB0O5hblYSh2Pu3mgFKUA"],
);

fn main() {}
