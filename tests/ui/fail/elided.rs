use sealed_runtime::{sealed, Sealed};

static VALUE: Sealed = sealed!("AQICAHh...base64ciphertext...==");

fn main() {}
