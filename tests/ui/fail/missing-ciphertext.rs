use sealed_runtime::{sealed, Sealed};

static VALUE: Sealed = sealed!(key = "alias/lambda");

fn main() {}
