use sealed_runtime::{sealed, Sealed};

// Finding L1 of issue 34: a pull request that touches only a bundle file makes its context read
// `GITHUB_TOKEN`, which every `check --kms` on the branch would send to KMS, and CloudTrail
// log in clear. The code allows no such variable, so the build (and `check`) refuse it.
static DB_PASSWORD: Sealed = sealed!(
    bundle = "tests/fixtures/context/github-token.bundle",
    name = "db_password",
    key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    readers = ["key arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab _AHzKh-i-Adv2mWviT2leifB0O5hblYSh2Pu3mgFKUA"],
);

fn main() {
    let _ = DB_PASSWORD;
}
