use sealed_runtime::{sealed, Sealed};

// A fake rotation: someone with `kms:Encrypt` wrapped a key pair they hold under a new id and
// committed the bundle (same key, same context). The code pins the bundle's readers, public key
// included, so the build fails.
static DB_PASSWORD: Sealed = sealed!(
    bundle = "tests/fixtures/readers/planted.bundle",
    name = "db_password",
    key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    readers = ["key arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab _AHzKh-i-Adv2mWviT2leifB0O5hblYSh2Pu3mgFKUA"],
);

fn main() {}
