use sealed_runtime::{sealed, Sealed};

static VALUE: Sealed = sealed!(bundle = "tests/fixtures/truncated.bundle", name = "db_password");

fn main() {}
