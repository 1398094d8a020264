use sealed_runtime::{sealed, Sealed};

static VALUE: Sealed = sealed!(bundle = "tests/fixtures/emulator.bundle", name = "db_password");

fn main() {}
