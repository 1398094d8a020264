use sealed_runtime::{sealed, Sealed};

// the file alone would choose the key: a bundle value pins it in code
static VALUE: Sealed = sealed!(bundle = "tests/fixtures/app.bundle", name = "db_password");

fn main() {}
