use sealed_runtime::{sealed, Sealed};

// a readers pin from before they were written out, and one written by hand with an alias and no
// fingerprint: each says how a reader is pinned, and the second quotes the file's readers
static OLD_STYLE: Sealed = sealed!(
    bundle = "tests/fixtures/app.bundle",
    name = "db_password",
    key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    readers = "sha256:48724eaec689b9eb22299fa0de31ba501fa56aab64276ba6b280176a9f6e8add",
);
static BY_HAND: Sealed = sealed!(
    bundle = "tests/fixtures/app.bundle",
    name = "api_token",
    key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    readers = ["key alias/billing"],
);

fn main() {}
