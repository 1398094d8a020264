use sealed_runtime::{sealed, Sealed};

// A pull request that touches only data files added a break-glass reader to prod (a key and a
// public key its author holds): every later `stage set` would seal to it. The pin below is the
// readers of the set before that change, so the build fails and lists who can read now.
static DB_PASSWORD: Sealed = sealed!(
    stages = "tests/fixtures/readers/break-glass.stages",
    name = "db_password",
    readers = [
        "dev key arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab _AHzKh-i-Adv2mWviT2leifB0O5hblYSh2Pu3mgFKUA",
        "prod key arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab _AHzKh-i-Adv2mWviT2leifB0O5hblYSh2Pu3mgFKUA",
        "prod failover arn:aws:kms:eu-west-1:444455556666:key/abcd1234-12ab-34cd-56ef-1234567890ab 8r3FYyC5B5VQlKqTjNAZbRvRydYci-G2DJ3xB3wmGyo",
    ],
);

fn main() {}
