use sealed_runtime::{sealed, Sealed};

static VALUE: Sealed = sealed!("correct horse battery staple");

fn main() {}
