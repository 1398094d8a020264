//! Property tests of the classifier: no input panics, every edit of a valid blob is caught, and
//! every plaintext length of every AWS layout is accepted (RELIABILITY.md S11).

mod synth;

use proptest::prelude::*;
use sealed_format::{inspect, Algorithm, BlobFamily, Options};
use synth::{b64, blob, unb64, Layout};

fn all_options() -> Vec<Options> {
    let mut out = Vec::new();
    for algorithm in [
        None,
        Some(Algorithm::SymmetricDefault),
        Some(Algorithm::RsaesOaepSha1),
        Some(Algorithm::RsaesOaepSha256),
        Some(Algorithm::Sm2Pke),
    ] {
        for allow_emulator in [false, true] {
            for unchecked in [false, true] {
                out.push(Options {
                    algorithm,
                    allow_emulator,
                    unchecked,
                });
            }
        }
    }
    out
}

fn family(layout: Layout) -> BlobFamily {
    match layout {
        Layout::V2 => BlobFamily::AwsV2,
        Layout::V1 => BlobFamily::AwsV1,
        Layout::Legacy => BlobFamily::AwsLegacy,
    }
}

const LAYOUTS: [Layout; 3] = [Layout::V2, Layout::V1, Layout::Legacy];

/// The valid AWS samples of the fixture table.
fn sample_blobs() -> Vec<Vec<u8>> {
    include_str!("fixtures/kms-ciphertexts.tsv")
        .lines()
        .skip(1)
        .filter(|line| line.split('\t').nth(2) == Some("valid"))
        .map(|line| unb64(line.split('\t').nth(1).unwrap()))
        .collect()
}

fn accepted(bytes: &[u8]) -> bool {
    inspect(&b64(bytes), &Options::default()).is_ok()
}

#[test]
fn every_plaintext_length_of_every_layout_is_accepted() {
    for layout in LAYOUTS {
        for len in 1..=4096 {
            let bytes = blob(layout, len, len as u64);
            let found = inspect(&b64(&bytes), &Options::default())
                .unwrap_or_else(|e| panic!("{layout:?} plaintext {len}: {e}"));
            assert_eq!(found.family(), family(layout));
            assert_eq!(found.plaintext_len(), Some(len));
            assert_eq!(found.bytes(), &bytes[..]);
        }
        // and the lengths just outside: no plaintext, one byte too many
        for len in [0, 4097] {
            assert!(
                !accepted(&blob(layout, len, 7)),
                "{layout:?} plaintext {len}"
            );
        }
    }
}

#[test]
fn every_prefix_deletion_and_extension_of_the_samples_is_rejected() {
    let samples = sample_blobs();
    assert!(samples.len() >= 9);
    let mut checked = 0;
    for bytes in samples {
        assert!(accepted(&bytes));
        for cut in 1..bytes.len() {
            assert!(!accepted(&bytes[..cut]), "prefix of {cut} bytes accepted");
            let mut shorter = bytes.clone();
            shorter.remove(cut);
            assert!(!accepted(&shorter), "byte {cut} deleted, still accepted");
            checked += 2;
        }
        for extra in [0x00, 0x01, 0x80, 0xff] {
            let mut longer = bytes.clone();
            longer.push(extra);
            assert!(
                !accepted(&longer),
                "byte {extra:#x} appended, still accepted"
            );
            let mut inserted = bytes.clone();
            inserted.insert(bytes.len() / 2, extra);
            assert!(
                !accepted(&inserted),
                "byte {extra:#x} inserted, still accepted"
            );
            checked += 2;
        }
    }
    assert!(checked > 3000, "{checked}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_text_is_classified_without_panic(text in ".{0,400}") {
        for options in all_options() {
            if let Err(error) = inspect(&text, &options) {
                // the span points inside the literal, and the words are there
                let span = error.span();
                prop_assert!(span.start <= span.end && span.end <= text.chars().count());
                prop_assert!(!error.to_string().is_empty() && !error.help().is_empty());
            }
        }
    }

    #[test]
    fn any_bytes_are_classified_without_panic(bytes in proptest::collection::vec(any::<u8>(), 1..=700)) {
        let text = b64(&bytes);
        for options in all_options() {
            if let Ok(found) = inspect(&text, &options) {
                prop_assert_eq!(found.bytes(), &bytes[..]);
            }
        }
    }

    #[test]
    fn random_base64_up_to_the_limit_is_classified(bytes in proptest::collection::vec(any::<u8>(), 1..=6144)) {
        let text = b64(&bytes);
        let plain = inspect(&text, &Options::default());
        let unchecked = inspect(&text, &Options { unchecked: true, allow_emulator: true, ..Options::default() });
        // `unchecked` accepts every canonical base64 of 1 ..= 6144 bytes
        prop_assert!(unchecked.is_ok(), "{:?}", unchecked);
        if let Ok(found) = plain {
            prop_assert!(found.family().is_aws() || matches!(found.family(), BlobFamily::Emulator(_)));
        }
    }

    #[test]
    fn synthesized_blobs_keep_their_length_and_reject_every_prefix(
        layout in prop_oneof![Just(Layout::V2), Just(Layout::V1), Just(Layout::Legacy)],
        len in 1usize..=4096,
        seed in any::<u64>(),
        cut in any::<prop::sample::Index>(),
        extra in any::<u8>(),
    ) {
        let bytes = blob(layout, len, seed);
        let found = inspect(&b64(&bytes), &Options::default()).unwrap();
        prop_assert_eq!(found.plaintext_len(), Some(len));
        let cut = cut.index(bytes.len() - 1) + 1;
        prop_assert!(!accepted(&bytes[..cut]));
        let mut shorter = bytes.clone();
        shorter.remove(cut);
        prop_assert!(!accepted(&shorter));
        let mut longer = bytes.clone();
        longer.push(extra);
        prop_assert!(!accepted(&longer));
    }

    #[test]
    fn whitespace_anywhere_is_ignored(
        layout in prop_oneof![Just(Layout::V2), Just(Layout::V1), Just(Layout::Legacy)],
        len in 1usize..=300,
        breaks in proptest::collection::vec((any::<prop::sample::Index>(), prop_oneof![Just("\n"), Just(" "), Just("\r\n    "), Just("\t")]), 0..8),
    ) {
        let mut text = b64(&blob(layout, len, 3));
        for (at, ws) in breaks {
            let at = at.index(text.len());
            text.insert_str(at, ws);
        }
        prop_assert_eq!(inspect(&text, &Options::default()).unwrap().plaintext_len(), Some(len));
    }
}
