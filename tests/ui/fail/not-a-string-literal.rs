use sealed_runtime::{sealed, Sealed};

const CIPHERTEXT: &str = "AQICAH";

static VALUE: Sealed = sealed!(CIPHERTEXT);

fn main() {}
