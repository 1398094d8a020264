//! The properties the `bundle` and `stages` fuzz targets check, shared with their corpus replay
//! in `sealed-format/tests/fuzz_corpus.rs`: for any text, `Bundle::parse` and `StageSet::parse`
//! never panic; an error names a line of the text and has a message and a next step; a file they
//! accept renders to a text that parses to the same file (the same text again, the same readers,
//! each reader's pin reading back as it); a bundle's private-key check never panics.

use sealed_format::{Bundle, KeyKind, KeyRef, Options, PinnedReader, Readers, StageSet};

/// What a parse gave: the file rendered and its readers, or the error's line, message and help.
type Parsed = Result<(String, Readers), (Option<usize>, String, String)>;

pub fn bundle(data: &[u8]) {
    file(data, |text| match Bundle::parse(text) {
        Ok(bundle) => {
            for allow_emulator in [false, true] {
                let _ = bundle.inspect_private_key(&Options {
                    allow_emulator,
                    ..Options::default()
                });
            }
            Ok((bundle.render(), Readers::of_bundle(&bundle)))
        }
        Err(error) => Err((error.line, error.to_string(), error.help())),
    });
}

pub fn stages(data: &[u8]) {
    file(data, |text| match StageSet::parse(text) {
        Ok(set) => Ok((set.render(), Readers::of_stage_set(&set))),
        Err(error) => Err((error.line, error.to_string(), error.help())),
    });
}

/// The shared property, with `parse` reading one kind of file.
fn file(data: &[u8], parse: impl Fn(&str) -> Parsed) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse(text) {
        Ok((rendered, readers)) => {
            let Ok((again, readers_again)) = parse(&rendered) else {
                panic!("a rendered file does not parse:\n{rendered}");
            };
            assert_eq!(again, rendered, "render is a fixpoint");
            assert_eq!(readers_again, readers, "the readers survive a render");
            pins_read_back(&readers);
        }
        Err((line, message, help)) => {
            if let Some(line) = line {
                assert!(line >= 1 && line <= text.lines().count().max(1));
            }
            assert!(!message.is_empty() && !help.is_empty());
        }
    }
}

/// Each reader's pin (`readers = […]`) reads back as that reader, whenever its key is a key ARN
/// (the only keys a pin accepts; an alias ARN is not one).
fn pins_read_back(readers: &Readers) {
    let pins: Result<Vec<PinnedReader>, String> = readers
        .readers
        .iter()
        .map(|r| PinnedReader::parse(&r.pinned()))
        .collect();
    match pins {
        Ok(pins) => assert!(readers.compared_with(&pins).is_empty()),
        Err(_) => assert!(readers
            .readers
            .iter()
            .any(|r| KeyRef::parse(&r.key).map(|k| k.kind()) != Ok(KeyKind::KeyArn))),
    }
}
