//! `cargo sealed inspect`: what a ciphertext is, or the exact error `sealed!` gives.

use std::io::Read as _;
use std::process::ExitCode;

use clap::Args;
use sealed_format::{inspect, Algorithm, Options};
use serde_json::json;

use crate::args::parse_algorithm;
use crate::context::entry_text;
use crate::error::CliError;
use crate::kms::public_key_fingerprint;

#[derive(Args)]
pub struct InspectArgs {
    /// The base64 ciphertext, `@FILE` to read it (or a bundle file) from a file, or `-` for stdin
    ciphertext: String,
    /// The algorithm the `sealed!` declares (`RSAES_OAEP_SHA_256`, …)
    #[arg(long, value_parser = parse_algorithm)]
    algorithm: Option<Algorithm>,
    /// Check only base64 and size, as `unchecked` does
    #[arg(long)]
    unchecked: bool,
    /// Print JSON on stdout (also for a rejected ciphertext)
    #[arg(long)]
    json: bool,
}

fn read(source: &str) -> Result<String, CliError> {
    if source == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| CliError::new("cannot read stdin").because(e))?;
        Ok(text)
    } else if let Some(path) = source.strip_prefix('@') {
        std::fs::read_to_string(path)
            .map_err(|e| CliError::new(format!("cannot read `{path}`")).because(e))
    } else {
        Ok(source.to_owned())
    }
}

pub fn run(args: &InspectArgs, emulator: bool) -> Result<ExitCode, CliError> {
    let text = read(&args.ciphertext)?;
    let options = Options {
        algorithm: args.algorithm,
        allow_emulator: emulator,
        unchecked: args.unchecked,
    };
    let is_bundle = text
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with('#'))
        .is_some_and(|line| line.starts_with("sealed-bundle"));
    if is_bundle {
        return Ok(inspect_bundle(&text, options, args.json));
    }
    match inspect(&text, &options) {
        Ok(blob) => {
            if args.json {
                let value = json!({
                    "ok": true,
                    "family": blob.family().name(),
                    "ciphertext_len": blob.bytes().len(),
                    "plaintext_len": blob.plaintext_len(),
                    "fingerprint": blob.fingerprint(),
                    "emulator_key_id": blob.emulator_key_id(),
                });
                println!("{value}");
            } else {
                println!("family:      {}", blob.family());
                println!("ciphertext:  {} bytes", blob.bytes().len());
                match blob.plaintext_len() {
                    Some(n) => println!("plaintext:   {n} bytes"),
                    None => println!("plaintext:   unknown length (the layout does not tell)"),
                }
                if let Some(fingerprint) = blob.fingerprint() {
                    println!("key material: {fingerprint}");
                }
                if let Some(id) = blob.emulator_key_id() {
                    println!("emulator key: {id}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            if args.json {
                let span = error.span();
                let value = json!({
                    "ok": false,
                    "error": error.to_string(),
                    "help": crate::messages::format_help(&error),
                    "span": [span.start, span.end],
                });
                println!("{value}");
            } else {
                crate::output::error(&format!(
                    "{error}\n  = help: {}",
                    crate::messages::format_help(&error)
                ));
            }
            Ok(ExitCode::from(1))
        }
    }
}

/// `cargo sealed inspect @FILE` of a bundle: its header, its public key's fingerprint, its
/// wrapped private key as `sealed!` sees it, and its values' names, generations and lengths
/// (nothing is decrypted).
fn inspect_bundle(text: &str, options: Options, json_out: bool) -> ExitCode {
    let checked = sealed_format::Bundle::parse(text).and_then(|bundle| {
        bundle
            .inspect_private_key(&options)
            .map(|blob| (bundle, blob))
    });
    let (bundle, blob) = match checked {
        Ok(found) => found,
        Err(error) => {
            if json_out {
                println!(
                    "{}",
                    json!({ "ok": false, "error": error.to_string(), "help": crate::messages::bundle_help(&error) })
                );
            } else {
                crate::output::error(&format!(
                    "{error}\n  = help: {}",
                    crate::messages::bundle_help(&error)
                ));
            }
            return ExitCode::from(1);
        }
    };
    let values: Vec<_> = bundle
        .values
        .iter()
        .map(|v| json!({ "name": v.name, "generation": v.generation, "plaintext_len": v.plaintext_len() }))
        .collect();
    let context: serde_json::Map<String, serde_json::Value> = bundle
        .context
        .iter()
        .map(|(k, v)| {
            let v = match v {
                sealed_format::ContextValue::Literal(v) => json!(v),
                sealed_format::ContextValue::Env(var) => json!({ "env": var }),
            };
            (k.clone(), v)
        })
        .collect();
    if json_out {
        let value = json!({
            "ok": true,
            "bundle": true,
            "id": bundle.id_hex(),
            "key": bundle.key,
            "context": context,
            "public_key": public_key_fingerprint(&bundle),
            "generation": bundle.generation,
            "private_key": {
                "family": blob.family().name(),
                "fingerprint": blob.fingerprint(),
                "emulator_key_id": blob.emulator_key_id(),
            },
            "values": values,
        });
        println!("{value}");
    } else {
        println!("bundle:      {}", bundle.id_hex());
        println!("key:         {}", bundle.key);
        for (k, v) in &bundle.context {
            println!("context:     {}", entry_text(k, v));
        }
        println!("public key:  {}", public_key_fingerprint(&bundle));
        println!("private key: {}", blob.family());
        println!("generation:  {}", bundle.generation);
        if let Some(fingerprint) = blob.fingerprint() {
            println!("key material: {fingerprint}");
        }
        if let Some(id) = blob.emulator_key_id() {
            println!("emulator key: {id}");
        }
        for value in &bundle.values {
            println!(
                "value:       {} (generation {}, {} bytes)",
                value.name,
                value.generation,
                value.plaintext_len()
            );
        }
    }
    ExitCode::SUCCESS
}
