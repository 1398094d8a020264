use sealed_runtime::{sealed, Sealed};

static VALUE: Sealed = sealed!(name = "db_password");

fn main() {}
