//! The property the `syntax` fuzz target checks, shared with its corpus replay in
//! `sealed-syntax/tests/fuzz_corpus.rs`: any token text as the arguments of `sealed!` goes
//! through the macro's parser and checks without a panic, and an accepted invocation has a
//! ciphertext.

pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(tokens) = text.parse::<proc_macro2::TokenStream>() else {
        return;
    };
    let (invocation, parsed) = sealed_syntax::Invocation::parse(tokens);
    let checked = sealed_syntax::check(
        invocation,
        None,
        parsed.is_err(),
        data.len().is_multiple_of(2),
    );
    if let (Ok(()), Ok(Some(checked))) = (parsed, checked) {
        // without a crate directory no stage set can be read: what is accepted sends a ciphertext
        let sent = checked
            .sent()
            .expect("an accepted invocation sends a ciphertext");
        assert!(!sent.blob.bytes().is_empty());
    }
}
