//! Writing a bundle file: the header directives, then the values, one line each.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use crate::bundle::contents::Bundle;
use crate::bundle::format::BUNDLE_HEADER;
use crate::bundle::percent_encoding::encode_field;
use crate::context::ContextValue;

const COMMENT: &str = "# A sealed bundle: edit it with `cargo sealed bundle` (set, rm, ls, rotate), or a stage's with `cargo sealed stage`, never by hand.";

impl Bundle {
    /// The file's text.
    pub fn render(&self) -> String {
        use core::fmt::Write as _;
        let mut out = String::new();
        // writing to a `String` cannot fail
        let _ = writeln!(out, "{COMMENT}\n{BUNDLE_HEADER}");
        let _ = writeln!(out, "id {}\nkey {}", hex::encode(self.id), self.key);
        if let Some(stage) = &self.stage {
            let _ = writeln!(out, "stage {stage}");
        }
        for (key, value) in &self.context {
            let (directive, value) = match value {
                ContextValue::Literal(v) => ("context", v),
                ContextValue::Env(v) => ("context-env", v),
            };
            let _ = writeln!(
                out,
                "{directive} {} {}",
                encode_field(key),
                encode_field(value)
            );
        }
        let _ = writeln!(out, "public-key {}", STANDARD.encode(self.public_key()));
        let _ = writeln!(out, "private-key {}", self.private_key);
        for recipient in &self.recipients {
            let _ = writeln!(
                out,
                "recipient {} {} {}",
                recipient.key,
                STANDARD.encode(recipient.public_key()),
                recipient.private_key
            );
        }
        let _ = writeln!(out, "generation {}", self.generation);
        for value in &self.values {
            let _ = write!(
                out,
                "value {} {} {}",
                value.name,
                value.generation,
                STANDARD.encode(&value.sealed)
            );
            for sealed in &value.others {
                let _ = write!(out, " {}", STANDARD.encode(sealed));
            }
            out.push('\n');
        }
        out
    }
}
