//! Reading token trees: top-level commas, invisible groups, string literals, and errors that
//! span or show what was found.

use std::borrow::Cow;

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use syn::LitStr;

/// Splits `tokens` at top-level commas (groups are single trees, so nested commas stay).
pub(crate) fn split_commas(tokens: TokenStream) -> Vec<Vec<TokenTree>> {
    let mut parts = vec![Vec::new()];
    for tree in tokens {
        match &tree {
            TokenTree::Punct(p) if p.as_char() == ',' => parts.push(Vec::new()),
            _ => parts.last_mut().expect("never empty").push(tree),
        }
    }
    if parts.last().is_some_and(Vec::is_empty) {
        parts.pop();
    }
    parts
}

/// `tokens` with invisible groups opened: a `macro_rules!` fragment (`$c:literal`, `$k:expr`)
/// reaches a macro wrapped in a group with `Delimiter::None`, which stands for the one literal
/// (or expression) it holds.
pub(crate) fn visible(tokens: &[TokenTree]) -> Cow<'_, [TokenTree]> {
    match tokens {
        [TokenTree::Group(group)] if group.delimiter() == Delimiter::None => {
            let inner: Vec<TokenTree> = group.stream().into_iter().collect();
            Cow::Owned(visible(&inner).into_owned())
        }
        _ => Cow::Borrowed(tokens),
    }
}

/// Where `tokens` start; the call site for none.
pub(crate) fn span_of(tokens: &[TokenTree]) -> Span {
    tokens.first().map_or_else(Span::call_site, TokenTree::span)
}

/// An error spanning `tokens` from the first to the last.
pub(crate) fn error_over(tokens: &[TokenTree], message: impl std::fmt::Display) -> syn::Error {
    if tokens.is_empty() {
        return syn::Error::new(Span::call_site(), message);
    }
    syn::Error::new_spanned(tokens.iter().cloned().collect::<TokenStream>(), message)
}

/// `tokens` as written, cut after 40 characters, to show what was found.
pub(crate) fn describe(tokens: &[TokenTree]) -> String {
    let text = tokens.iter().cloned().collect::<TokenStream>().to_string();
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text
    }
}

/// A string literal, or an error that says what was found instead.
pub(crate) fn string_literal(tokens: &[TokenTree], what: &str) -> Result<LitStr, syn::Error> {
    let tokens = &*visible(tokens);
    if let [TokenTree::Literal(literal)] = tokens {
        match syn::Lit::new(literal.clone()) {
            syn::Lit::Str(s) => return Ok(s),
            syn::Lit::ByteStr(_) => {
                return Err(syn::Error::new(
                    literal.span(),
                    format!("expected {what} as a string literal, found a byte string"),
                ))
            }
            _ => {}
        }
    }
    let found = if tokens.is_empty() {
        "nothing".to_owned()
    } else {
        format!("`{}`", describe(tokens))
    };
    Err(error_over(
        tokens,
        format!("expected {what} as a string literal, found {found}"),
    ))
}
