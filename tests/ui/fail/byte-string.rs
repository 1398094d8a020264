use sealed_runtime::{sealed, Sealed};

static VALUE: Sealed = sealed!(b"AQICAH");

fn main() {}
