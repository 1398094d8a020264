use sealed_runtime::{sealed, Sealed};

// An expression fragment that is not a literal: said as it is, at the name.
macro_rules! secret {
    ($ciphertext:expr) => {
        sealed!($ciphertext)
    };
}

const CIPHERTEXT: &str = "AQICAH";

static VALUE: Sealed = secret!(CIPHERTEXT);

fn main() {}
