use sealed_runtime::{sealed, Sealed};

static VALUE: Sealed = sealed!(file = "secrets/missing.kms", key = "alias/lambda");

fn main() {}
