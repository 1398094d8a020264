//! Compile errors: every one collected, so that all are reported at once, and `sealed-format`'s
//! messages with their next step.

use proc_macro2::Span;

/// Accumulates errors so that all of them are reported at once.
#[derive(Default)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    /// Adds an error.
    pub fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    /// Adds an error at `span`.
    pub fn at(&mut self, span: Span, message: impl std::fmt::Display) {
        self.push(syn::Error::new(span, message));
    }

    /// All errors, combined, if there was any.
    pub fn finish(self) -> Result<(), syn::Error> {
        self.0.map_or(Ok(()), Err)
    }

    /// The errors so far, combined, for a check that cannot go on; an empty set says so.
    pub fn take(&mut self) -> syn::Error {
        self.0
            .take()
            .unwrap_or_else(|| syn::Error::new(Span::call_site(), "invalid `sealed!`"))
    }
}

/// A `sealed-format` error as a compile error: the message, then the next step.
pub fn format_error(span: Span, error: &dyn std::fmt::Display, help: &str) -> syn::Error {
    syn::Error::new(span, format!("{error}\n= help: {help}"))
}
