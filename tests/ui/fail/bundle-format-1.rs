use sealed_runtime::{sealed, Sealed};

// a bundle of format 1, whose writers could read every value: refused, with the way forward
static VALUE: Sealed = sealed!(bundle = "tests/fixtures/format1.bundle", name = "db_password");

fn main() {}
