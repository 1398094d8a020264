use sealed_runtime::{sealed, Sealed};

static VALUE: Sealed = sealed!(bundle = "secrets/missing.bundle", name = "db_password");

fn main() {}
