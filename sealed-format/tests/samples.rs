//! Every row of `fixtures/kms-ciphertexts.tsv` (a copy of `shared/samples/`) gives exactly the
//! result the file states.

use sealed_format::{inspect, BlobFamily, Emulator, ErrorKind, Options};

struct Sample {
    id: String,
    base64: String,
    expected: String,
    family: String,
    plaintext_len: Option<usize>,
}

fn samples() -> Vec<Sample> {
    let table = include_str!("fixtures/kms-ciphertexts.tsv");
    let mut lines = table.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    assert_eq!(
        header[..5],
        ["id", "base64", "expected", "family", "plaintext_len"]
    );
    lines
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            Sample {
                id: f[0].into(),
                base64: f[1].into(),
                expected: f[2].into(),
                family: f[3].into(),
                plaintext_len: f[4].parse().ok(),
            }
        })
        .collect()
}

#[test]
fn every_sample_gives_its_expected_result() {
    let samples = samples();
    assert!(
        samples.len() >= 14,
        "the fixture lost rows: {}",
        samples.len()
    );
    for sample in &samples {
        let result = inspect(&sample.base64, &Options::default());
        match sample.expected.as_str() {
            "valid" => {
                let blob = result.unwrap_or_else(|e| panic!("{}: rejected: {e}", sample.id));
                assert_eq!(blob.family().name(), sample.family, "{}", sample.id);
                assert_eq!(blob.plaintext_len(), sample.plaintext_len, "{}", sample.id);
                assert!(blob.fingerprint().is_some(), "{}", sample.id);
            }
            "invalid" => {
                let error = result.expect_err(&sample.id);
                if sample.family != "invalid" {
                    // Recognised, but refused: an emulator ciphertext without the opt-in.
                    let ErrorKind::Emulator { emulator, .. } = error.kind() else {
                        panic!("{}: {error}", sample.id);
                    };
                    assert_eq!(emulator.name(), sample.family, "{}", sample.id);
                }
            }
            other => panic!("{}: unknown expectation {other}", sample.id),
        }
    }
}

#[test]
fn the_emulator_sample_is_accepted_with_the_opt_in_and_names_its_key() {
    let sample = samples().into_iter().find(|s| s.family == "moto").unwrap();
    let options = Options {
        allow_emulator: true,
        ..Options::default()
    };
    let blob = inspect(&sample.base64, &options).unwrap();
    assert_eq!(blob.family(), BlobFamily::Emulator(Emulator::Moto));
    assert_eq!(blob.plaintext_len(), sample.plaintext_len);
    assert_eq!(
        blob.emulator_key_id(),
        Some("736ec318-f07c-4391-823e-8f18001ad90f")
    );
    let refused = inspect(&sample.base64, &Options::default()).unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("`736ec318-f07c-4391-823e-8f18001ad90f`"),
        "{refused}"
    );
    // the message says what happened; the build's next step (the feature) is its help
    assert!(
        refused
            .to_string()
            .contains("will never decrypt with AWS KMS"),
        "{refused}"
    );
    assert!(refused.help().contains("`emulator` feature"), "{refused}");
}

fn error_of(id: &str) -> String {
    let sample = samples().into_iter().find(|s| s.id == id).unwrap();
    inspect(&sample.base64, &Options::default())
        .unwrap_err()
        .to_string()
}

#[test]
fn the_invalid_samples_get_their_specific_messages() {
    assert_eq!(
        error_of("fake-encrypted-api-key"),
        "ciphertext is elided: `...` at offset 7; a real KMS ciphertext is whole base64"
    );
    assert_eq!(
        error_of("awscli-gdkwp-truncated"),
        "ciphertext is truncated: its length field (byte 37) says 126 bytes follow, but only 52 do and the base64 ends mid-group; a whole aws-symmetric-v1 ciphertext of this size is 167 bytes (224 base64 characters)"
    );
    assert_eq!(
        error_of("workshop-masked-XXXXX"),
        "ciphertext has 2 extra bytes at the end: its length field (byte 54) says 126 bytes follow, but 128 do; a whole aws-symmetric-v2 ciphertext of this size is 184 bytes"
    );
}

/// Every truncation (and extension) of every whole AWS sample names the true whole size: the
/// decoded length of the sample itself and its base64 length, for every layout (v2 and v1 have a
/// 4-byte length field, the legacy wrapper a 1–2 byte varint).
#[test]
fn truncation_messages_give_the_true_whole_size_for_every_layout() {
    use base64::Engine as _;
    let engine = base64::engine::general_purpose::STANDARD;
    let mut checked = std::collections::BTreeMap::<String, usize>::new();
    for sample in samples().iter().filter(|s| s.expected == "valid") {
        let bytes = engine.decode(&sample.base64).unwrap();
        let whole = format!(
            "a whole {} ciphertext of this size is {} bytes ({} base64 characters)",
            sample.family,
            bytes.len(),
            sample.base64.len()
        );
        for cut in 1..=40 {
            let literal = &sample.base64[..sample.base64.len() - cut];
            let error = inspect(literal, &Options::default()).unwrap_err();
            if let ErrorKind::LengthMismatch { .. } = error.kind() {
                assert!(
                    error.to_string().ends_with(&whole),
                    "{} cut by {cut}: {error}",
                    sample.id
                );
                *checked.entry(sample.family.clone()).or_default() += 1;
            }
        }
        for extra in 1..=3 {
            let mut longer = bytes.clone();
            longer.extend(std::iter::repeat_n(0x41, extra));
            let error = inspect(&engine.encode(&longer), &Options::default()).unwrap_err();
            assert!(
                error.to_string().ends_with(&format!(
                    "a whole {} ciphertext of this size is {} bytes",
                    sample.family,
                    bytes.len()
                )),
                "{} with {extra} more: {error}",
                sample.id
            );
        }
    }
    for family in [
        "aws-symmetric-v2",
        "aws-symmetric-v1",
        "aws-legacy-protobuf",
    ] {
        assert!(
            checked.get(family).is_some_and(|&n| n >= 20),
            "few truncations of {family} checked: {checked:?}"
        );
    }
}

/// The seed's own ciphertext (legacy layout, 185 bytes) with its last character cut.
#[test]
fn the_seeds_legacy_ciphertext_cut_by_one_character_names_185_bytes() {
    let sample = samples()
        .into_iter()
        .find(|s| s.id == "legacy-blog-hello")
        .unwrap();
    let cut = &sample.base64[..sample.base64.len() - 1];
    assert_eq!(
        inspect(cut, &Options::default()).unwrap_err().to_string(),
        "ciphertext is truncated: its length field (byte 35) says 148 bytes follow, but only 146 do and the base64 ends mid-group; a whole aws-legacy-protobuf ciphertext of this size is 185 bytes (248 base64 characters)"
    );
}

/// A blob whose length field agrees with its size but whose structure does not is most likely a
/// layout this version does not know: the help names `unchecked` and asks for a report, so a
/// false reject is never a dead end. A cut blob's help does not.
#[test]
fn a_whole_blob_that_fails_a_structure_check_names_the_escape_hatch() {
    use base64::Engine as _;
    let engine = base64::engine::general_purpose::STANDARD;
    for sample in samples().iter().filter(|s| s.expected == "valid") {
        let bytes = engine.decode(&sample.base64).unwrap();
        let mut changed = 0;
        // every byte of the CMS structure after the header, one at a time
        let start = match sample.family.as_str() {
            "aws-symmetric-v2" => 58,
            "aws-symmetric-v1" => 41,
            _ => 37 + 41,
        };
        for at in start..start + 30 {
            let mut edited = bytes.clone();
            edited[at] ^= 0x40;
            let Err(error) = inspect(&engine.encode(&edited), &Options::default()) else {
                continue; // a byte the layout leaves free
            };
            if let ErrorKind::Malformed { .. } | ErrorKind::ContentLength { .. } = error.kind() {
                assert!(
                    error.help().contains("add the argument `unchecked`")
                        && error.help().contains("report it"),
                    "{} byte {at}: {error}; help: {}",
                    sample.id,
                    error.help()
                );
                changed += 1;
            }
        }
        assert!(changed > 5, "{}: {changed} structure errors", sample.id);
    }
    let cut = samples()
        .into_iter()
        .find(|s| s.id == "awscli-gdkwp-truncated")
        .unwrap();
    let error = inspect(&cut.base64, &Options::default()).unwrap_err();
    assert!(!error.help().contains("unchecked"), "{}", error.help());
}
