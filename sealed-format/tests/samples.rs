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
    assert!(
        refused.to_string().contains("`emulator` feature"),
        "{refused}"
    );
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
