//! Any token text as the arguments of `sealed!`: the macro's parser and checks (`sealed-syntax`)
//! never panic, and an accepted invocation has a ciphertext (run: `cargo fuzz run syntax`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(tokens) = text.parse::<proc_macro2::TokenStream>() else {
        return;
    };
    let (invocation, parsed) = sealed_syntax::Invocation::parse(tokens);
    let checked = sealed_syntax::check(invocation, None, parsed.is_err(), data.len() % 2 == 0);
    if let (Ok(()), Ok(Some(checked))) = (parsed, checked) {
        assert!(!checked.blob.bytes().is_empty());
    }
});
