use sealed_runtime::{sealed, Sealed};

// The user's macro hands `sealed!` a literal fragment: the error is the real one, at the literal.
macro_rules! secret {
    ($ciphertext:literal) => {
        sealed!($ciphertext)
    };
}

static VALUE: Sealed = secret!("AQEDAHjRYf5WytIc0C857tFSnBaPn2F8DgfmThbJlGfR8P3WlwAAAH4wfAYJKoZIhvcNAQcGoG8wbQIBADBoBgkqhkiG9w0BBwEwHgYJYIZIAWUDBAEuMBEEDEFogL");

fn main() {}
