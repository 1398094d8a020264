use sealed_runtime::{sealed, Sealed};

fn uses(value: &Sealed) -> Option<usize> {
    value.plaintext_len()
}

static VALUE: Sealed = sealed!("AQICAHh...base64ciphertext...==");

const ALSO: Sealed = sealed!("AQICAHh...base64ciphertext...==");

fn _use() {
    let _ = uses(&VALUE);
    let _ = uses(&ALSO);
}

fn main() {}
