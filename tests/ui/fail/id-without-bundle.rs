use sealed_runtime::{sealed, Sealed};

static VALUE: Sealed = sealed!(id = "5b0e8f7c2d4a4e1b9c3f6a8d7e2b1c0f");

fn main() {}
