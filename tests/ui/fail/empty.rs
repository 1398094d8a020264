use sealed_runtime::{sealed, Sealed};

static VALUE: Sealed = sealed!("");

fn main() {}
