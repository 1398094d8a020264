//! Parse: the tokens of `sealed!(…)` into arguments, collecting every syntax error.

use std::borrow::Cow;

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use syn::parse::{Parse, ParseStream, Parser as _};
use syn::punctuated::Punctuated;
use syn::{Ident, LitStr, Token};

/// The argument names, in the order the messages list them.
pub const ARGUMENTS: [&str; 7] = [
    "key",
    "context",
    "algorithm",
    "file",
    "unchecked",
    "bundle",
    "name",
];

/// `sealed!(…)` as written, before any check of the values.
#[derive(Default)]
pub struct Invocation {
    /// The ciphertext literal.
    pub literal: Option<LitStr>,
    /// `file = "…"`.
    pub file: Option<LitStr>,
    /// `key = "…"`.
    pub key: Option<LitStr>,
    /// `context = { … }`.
    pub context: Option<Context>,
    /// `algorithm = "…"`.
    pub algorithm: Option<LitStr>,
    /// `unchecked`.
    pub unchecked: Option<Ident>,
    /// `bundle = "…"`: the bundle file.
    pub bundle: Option<LitStr>,
    /// `name = "…"`: the value's name in the bundle.
    pub name: Option<LitStr>,
}

/// `context = { "k": "v", "k2": env("VAR") }`.
pub struct Context {
    /// The entries in the order written.
    pub entries: Vec<ContextEntry>,
}

/// One context entry.
pub struct ContextEntry {
    /// The key.
    pub key: LitStr,
    /// The value.
    pub value: ContextValue,
}

/// A context value as written: its literal, or the literal naming the variable of `env(…)`.
pub type ContextValue = sealed_format::ContextValue<LitStr>;

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

/// Splits `tokens` at top-level commas (groups are single trees, so nested commas stay).
fn split_commas(tokens: TokenStream) -> Vec<Vec<TokenTree>> {
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
fn visible(tokens: &[TokenTree]) -> Cow<'_, [TokenTree]> {
    match tokens {
        [TokenTree::Group(group)] if group.delimiter() == Delimiter::None => {
            let inner: Vec<TokenTree> = group.stream().into_iter().collect();
            Cow::Owned(visible(&inner).into_owned())
        }
        _ => Cow::Borrowed(tokens),
    }
}

fn span_of(tokens: &[TokenTree]) -> Span {
    tokens.first().map_or_else(Span::call_site, TokenTree::span)
}

/// An error spanning `tokens` from the first to the last.
fn error_over(tokens: &[TokenTree], message: impl std::fmt::Display) -> syn::Error {
    if tokens.is_empty() {
        return syn::Error::new(Span::call_site(), message);
    }
    syn::Error::new_spanned(tokens.iter().cloned().collect::<TokenStream>(), message)
}

fn describe(tokens: &[TokenTree]) -> String {
    let text = tokens.iter().cloned().collect::<TokenStream>().to_string();
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text
    }
}

/// A string literal, or an error that says what was found instead.
fn string_literal(tokens: &[TokenTree], what: &str) -> Result<LitStr, syn::Error> {
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

impl Invocation {
    /// Parses every argument; returns the invocation with what could be read, and all errors.
    pub fn parse(tokens: TokenStream) -> (Invocation, Result<(), syn::Error>) {
        let mut invocation = Invocation::default();
        let mut errors = Errors::default();
        let mut seen: Vec<String> = Vec::new();
        for part in split_commas(tokens) {
            let part = visible(&part);
            let span = span_of(&part);
            match &*part {
                [] => errors.at(span, "unexpected `,`; expected an argument"),
                [TokenTree::Ident(name)] if name == "unchecked" => {
                    if seen.iter().any(|s| s == "unchecked") {
                        errors.at(name.span(), "duplicate argument `unchecked`");
                    }
                    seen.push("unchecked".into());
                    invocation.unchecked = Some(name.clone());
                }
                [TokenTree::Ident(name), TokenTree::Punct(eq), value @ ..]
                    if eq.as_char() == '=' =>
                {
                    let label = name.to_string();
                    if !ARGUMENTS.contains(&label.as_str()) {
                        errors.at(
                            name.span(),
                            format!(
                                "unknown argument `{label}`; expected one of: {}",
                                ARGUMENTS.map(|a| format!("`{a}`")).join(", ")
                            ),
                        );
                        continue;
                    }
                    if label == "unchecked" {
                        errors.at(span, "`unchecked` takes no value; write `unchecked` alone");
                        continue;
                    }
                    if seen.contains(&label) {
                        errors.at(name.span(), format!("duplicate argument `{label}`"));
                        continue;
                    }
                    seen.push(label.clone());
                    if let Err(error) = invocation.argument(&label, value) {
                        errors.push(error);
                    }
                }
                [TokenTree::Ident(name), ..]
                    if !ARGUMENTS.contains(&name.to_string().as_str()) && part.len() == 1 =>
                {
                    errors.at(
                        name.span(),
                        format!(
                            "expected the ciphertext as a string literal, found `{name}`; `sealed!` checks the ciphertext at compile time, so write it in place or use `file = \"…\"`"
                        ),
                    );
                }
                [TokenTree::Ident(name), ..] if ARGUMENTS.contains(&name.to_string().as_str()) => {
                    errors.at(span, format!("expected `{name} = …`"));
                }
                _ => match string_literal(&part, "the ciphertext") {
                    Ok(literal) if invocation.literal.is_some() => errors.at(
                        literal.span(),
                        "a second ciphertext literal; `sealed!` takes one ciphertext",
                    ),
                    Ok(literal) => invocation.literal = Some(literal),
                    Err(error) => errors.push(error),
                },
            }
        }
        (invocation, errors.finish())
    }

    fn argument(&mut self, name: &str, value: &[TokenTree]) -> Result<(), syn::Error> {
        match name {
            "key" => self.key = Some(string_literal(value, "the key")?),
            "algorithm" => self.algorithm = Some(string_literal(value, "the algorithm")?),
            "file" => self.file = Some(string_literal(value, "the file path")?),
            "bundle" => self.bundle = Some(string_literal(value, "the bundle file's path")?),
            "name" => self.name = Some(string_literal(value, "the value's name in the bundle")?),
            "context" => self.context = Some(parse_context(value)?),
            _ => unreachable!("checked against ARGUMENTS"),
        }
        Ok(())
    }
}

fn parse_context(value: &[TokenTree]) -> Result<Context, syn::Error> {
    let value = &*visible(value);
    let group = match value {
        [TokenTree::Group(group)] if group.delimiter() == Delimiter::Brace => group,
        _ => {
            return Err(error_over(
                value,
                "expected the context as `{ \"key\": \"value\", \"key2\": env(\"VAR\") }`",
            ))
        }
    };
    let mut errors = Errors::default();
    let mut entries = Vec::new();
    let parsed =
        Punctuated::<ContextEntryOrError, Token![,]>::parse_terminated.parse2(group.stream());
    match parsed {
        Ok(list) => {
            for entry in list {
                match entry.0 {
                    Ok(entry) => entries.push(entry),
                    Err(error) => errors.push(error),
                }
            }
        }
        Err(error) => errors.push(error),
    }
    errors.finish()?;
    Ok(Context { entries })
}

/// One `"key": value` entry; a malformed entry is kept as its error so the others still parse.
struct ContextEntryOrError(Result<ContextEntry, syn::Error>);

impl Parse for ContextEntryOrError {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        // Consume the whole entry up to the next top-level comma whatever it holds.
        let mut tokens = Vec::new();
        while !input.is_empty() && !input.peek(Token![,]) {
            tokens.push(input.parse::<TokenTree>()?);
        }
        Ok(ContextEntryOrError(context_entry(&tokens)))
    }
}

fn context_entry(tokens: &[TokenTree]) -> Result<ContextEntry, syn::Error> {
    let colon = tokens
        .iter()
        .position(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ':'));
    let Some(colon) = colon else {
        return Err(error_over(
            tokens,
            format!(
                "expected `\"key\": value` in the context, found `{}`",
                describe(tokens)
            ),
        ));
    };
    let (key_tokens, value_tokens) = (&*visible(&tokens[..colon]), &*visible(&tokens[colon + 1..]));
    let key = match key_tokens {
        [TokenTree::Ident(ident)] => {
            return Err(syn::Error::new(
                ident.span(),
                format!("context keys are string literals; write `\"{ident}\"`"),
            ))
        }
        _ => string_literal(key_tokens, "the context key")?,
    };
    let value = match value_tokens {
        [TokenTree::Ident(env), TokenTree::Group(args)]
            if env == "env" && args.delimiter() == Delimiter::Parenthesis =>
        {
            let args: Vec<TokenTree> = args.stream().into_iter().collect();
            let name = string_literal(&args, "the environment variable name")
                .map_err(|e| syn::Error::new(e.span(), format!("{e}: `env(\"NAME\")`")))?;
            ContextValue::Env(name)
        }
        [TokenTree::Literal(_)] => {
            ContextValue::Literal(string_literal(value_tokens, "the context value")?)
        }
        _ => {
            return Err(error_over(
                value_tokens,
                format!(
                    "expected a string literal or `env(\"NAME\")` as the value of `{}`, found `{}`",
                    key.value(),
                    describe(value_tokens)
                ),
            ))
        }
    };
    Ok(ContextEntry { key, value })
}
