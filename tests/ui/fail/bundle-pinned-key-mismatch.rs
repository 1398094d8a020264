use sealed_runtime::{sealed, Sealed};

static VALUE: Sealed = sealed!(
    bundle = "tests/fixtures/app.bundle",
    name = "db_password",
    key = "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    readers = ["key arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab _AHzKh-i-Adv2mWviT2leifB0O5hblYSh2Pu3mgFKUA"],
);

fn main() {}
