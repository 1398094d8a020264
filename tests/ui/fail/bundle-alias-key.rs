use sealed_runtime::{sealed, Sealed};

// A bundle's key is an alias: whoever can move the alias chooses who opens the bundle.
static DB_PASSWORD: Sealed = sealed!(
    bundle = "tests/fixtures/readers/alias.bundle",
    name = "db_password",
    key = "alias/billing",
);

fn main() {}
