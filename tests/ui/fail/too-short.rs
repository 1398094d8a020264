use sealed_runtime::{sealed, Sealed};

static VALUE: Sealed = sealed!("cGFzc3dvcmQxMjM=");

fn main() {}
