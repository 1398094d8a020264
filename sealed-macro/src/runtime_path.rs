//! The path of `sealed-runtime` that every path of the expansion starts with: the `$crate` that
//! `sealed_runtime::sealed!` hands in as `(@runtime $crate)`, or `::sealed_runtime` for a direct
//! call.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::quote;

/// Splits off the leading `(@runtime $crate)` that `sealed_runtime::sealed!` passes.
pub(crate) fn split(input: TokenStream) -> (TokenStream, TokenStream) {
    let mut trees = input.clone().into_iter();
    if let Some(TokenTree::Group(group)) = trees.next() {
        let mut marker = group.stream().into_iter();
        let is_marker = group.delimiter() == Delimiter::Parenthesis
            && matches!(marker.next(), Some(TokenTree::Punct(p)) if p.as_char() == '@')
            && matches!(marker.next(), Some(TokenTree::Ident(i)) if i == "runtime");
        if is_marker {
            return (marker.collect(), trees.collect());
        }
    }
    (quote!(::sealed_runtime), input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_is_split_off_and_a_direct_call_gets_the_crate_name() {
        let (runtime, rest) =
            split(quote!((@runtime ::facade::sealed_runtime) "AQICAH", key = "k"));
        assert_eq!(
            runtime.to_string(),
            quote!(::facade::sealed_runtime).to_string()
        );
        assert_eq!(rest.to_string(), quote!("AQICAH", key = "k").to_string());
        let (runtime, rest) = split(quote!("AQICAH"));
        assert_eq!(runtime.to_string(), quote!(::sealed_runtime).to_string());
        assert_eq!(rest.to_string(), quote!("AQICAH").to_string());
    }
}
