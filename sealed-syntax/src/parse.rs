//! Parse: the tokens of `sealed!(…)` into arguments, collecting every syntax error.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::parse::{Parse, ParseStream, Parser as _};
use syn::punctuated::Punctuated;
use syn::Token;

use crate::ast::{Context, ContextEntry, ContextValue, Invocation, StringList, ARGUMENTS};
use crate::errors::Errors;
use crate::tokens::{describe, error_over, span_of, split_commas, string_literal, visible};

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
            "id" => self.id = Some(string_literal(value, "the bundle's id")?),
            "context" => self.context = Some(parse_context(value)?),
            "stages" => self.stages = Some(string_literal(value, "the stage set file's path")?),
            "only" => self.only = Some(parse_only(value)?),
            "allow_env" => {
                self.allow_env = Some(parse_list(
                    value,
                    "expected the variables as `[\"APP_STAGE\", …]`",
                    "an environment variable's name",
                    "`allow_env = []` allows nothing: remove it",
                )?);
            }
            "readers" => match parse_readers(value) {
                Ok(list) => self.readers = Some(list),
                Err(error) => {
                    // written, and wrong: the error says so, and no other says it is missing
                    self.readers = Some(StringList {
                        items: Vec::new(),
                        span: error.span(),
                    });
                    return Err(error);
                }
            },
            _ => unreachable!("checked against ARGUMENTS"),
        }
        Ok(())
    }
}

/// `only = ["dev", "staging"]`: a bracketed list of string literals, at least one.
fn parse_only(value: &[TokenTree]) -> Result<StringList, syn::Error> {
    parse_list(
        value,
        "expected the stages as `[\"dev\", \"staging\"]`",
        "a stage's name",
        "`only = []` leaves the value out of every stage; name the stages it is in, or remove the `sealed!`",
    )
}

/// `readers = ["prod key arn:… FINGERPRINT", …]`: a bracketed list of string literals, at
/// least one.
fn parse_readers(value: &[TokenTree]) -> Result<StringList, syn::Error> {
    parse_list(
        value,
        "expected the readers as `[\"STAGE KIND KEY-ARN FINGERPRINT\", …]` (the build's error and `cargo sealed bundle ls`/`stage ls` print them)",
        "a reader",
        "`readers = []` pins no reader, and every bundle has one: write those the build's error lists",
    )
}

/// A bracketed list of string literals (each `what`), at least one (`empty` otherwise);
/// `expected` when it is not a list.
fn parse_list(
    value: &[TokenTree],
    expected: &str,
    what: &str,
    empty: &str,
) -> Result<StringList, syn::Error> {
    let value = &*visible(value);
    let group = match value {
        [TokenTree::Group(group)] if group.delimiter() == Delimiter::Bracket => group,
        _ => return Err(error_over(value, expected)),
    };
    let mut items = Vec::new();
    for part in split_commas(group.stream()) {
        let part = visible(&part);
        if part.is_empty() {
            continue;
        }
        items.push(string_literal(&part, what)?);
    }
    if items.is_empty() {
        return Err(syn::Error::new(group.span(), empty));
    }
    Ok(StringList {
        items,
        span: group.span(),
    })
}

/// `context = { … }`: every entry, each malformed one reported.
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

/// One `"key": value` entry of the context.
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
