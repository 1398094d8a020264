//! The property the `classify` fuzz target checks, shared with its corpus replay in
//! `sealed-format/tests/fuzz_corpus.rs`: for any text under every combination of options,
//! `inspect` never panics, whatever it accepts has 1..=6144 bytes, and an error's span lies within
//! the text. The first byte picks the options.

use sealed_format::{inspect, Algorithm, Options};

pub fn check(data: &[u8]) {
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
    match inspect(text, &options) {
        Ok(found) => assert!(!found.bytes().is_empty() && found.bytes().len() <= 6144),
        Err(error) => {
            let span = error.span();
            assert!(span.start <= span.end && span.end <= text.chars().count());
            assert!(!error.to_string().is_empty() && !error.help().is_empty());
        }
    }
}
