//! Each mistake of docs/KMS-FORMAT.md §5 gets its own error kind.
#![allow(clippy::cast_possible_truncation)] // building blobs byte by byte

mod synth;

use sealed_format::{inspect, Algorithm, BlobFamily, Emulator, ErrorKind, Options};
use synth::{b64, blob, Bytes, Layout};

fn kind(literal: &str, options: Options) -> ErrorKind {
    inspect(literal, &options).unwrap_err().kind().clone()
}

fn plain(literal: &str) -> ErrorKind {
    kind(literal, Options::default())
}

fn valid_v2() -> String {
    b64(&blob(Layout::V2, 32, 1))
}

#[test]
fn encoding_mistakes() {
    assert_eq!(plain(" \n "), ErrorKind::Empty);
    assert_eq!(
        plain(r#"{"CiphertextBlob": "AQICAH", "KeyId": "x"}"#),
        ErrorKind::JsonPasted
    );
    assert!(matches!(
        plain("AQICAHh\u{2026}=="),
        ErrorKind::Elided { offset: 7, .. }
    ));
    assert!(matches!(plain("AQICAHh<snip>=="), ErrorKind::Elided { .. }));
    assert!(matches!(plain("AQICAHh****=="), ErrorKind::Elided { .. }));
    assert_eq!(
        plain("correct horse battery staple!"),
        ErrorKind::PlaintextPasted { chars: 26 }
    );
    assert!(matches!(
        plain("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----"),
        ErrorKind::PlaintextPasted { .. }
    ));
    assert_eq!(plain("password"), ErrorKind::TooShort { bytes: 6 });

    let mut bad = valid_v2();
    bad.replace_range(40..41, "!");
    assert_eq!(
        plain(&bad),
        ErrorKind::BadCharacter {
            offset: 40,
            ch: '!'
        }
    );
    let url_safe = valid_v2().replace('+', "-").replace('/', "_");
    if url_safe != valid_v2() {
        assert!(matches!(
            plain(&url_safe),
            ErrorKind::UrlSafeAlphabet { .. }
        ));
    }
    let mut padded = valid_v2();
    padded.insert(60, '=');
    assert!(matches!(
        plain(&padded),
        ErrorKind::MisplacedPadding { offset: 60 }
    ));
    let too_long = b64(&vec![0x01; 6145]);
    assert_eq!(plain(&too_long), ErrorKind::TooLong { bytes: 6145 });
}

#[test]
fn non_canonical_trailing_bits_of_an_edited_example_are_caught() {
    // Overwrite the tail of a valid blob whose length leaves padding, as AWS's docs do
    // with `EXAMPLE==`: the structure may still hold, the last character's bits do not.
    let mut len = 30;
    let text = loop {
        let text = b64(&blob(Layout::V2, len, 5));
        if text.ends_with("==") {
            break text;
        }
        len += 1;
    };
    let edited = format!("{}E==", &text[..text.len() - 3]);
    assert!(
        matches!(plain(&edited), ErrorKind::NonCanonicalEnd { ch: 'E', .. }),
        "{:?}",
        plain(&edited)
    );
}

#[test]
fn structure_mistakes() {
    let mut bytes = blob(Layout::V2, 32, 2);
    bytes[37] = 0x02;
    assert!(matches!(
        plain(&b64(&bytes)),
        ErrorKind::Malformed {
            family: BlobFamily::AwsV2,
            at: 37,
            ..
        }
    ));
    let mut bytes = blob(Layout::V2, 32, 2);
    bytes[4] = 0x79;
    assert!(matches!(
        plain(&b64(&bytes)),
        ErrorKind::Malformed { at: 3, .. }
    ));
    let mut bytes = blob(Layout::V1, 32, 2);
    let oid_at = 41 + 2 + 2 + 8;
    bytes[oid_at] ^= 1;
    assert!(matches!(
        plain(&b64(&bytes)),
        ErrorKind::Malformed {
            family: BlobFamily::AwsV1,
            ..
        }
    ));
    let mut bytes = blob(Layout::Legacy, 32, 2);
    bytes[50] ^= 0xff; // inside the inner id (body at 37, id at 42..74)
    assert!(matches!(
        plain(&b64(&bytes)),
        ErrorKind::LegacyIdMismatch { .. }
    ));
    let bytes = blob(Layout::V2, 32, 2);
    assert!(matches!(
        plain(&b64(&bytes[..50])),
        ErrorKind::TruncatedHeader {
            len: 50,
            header_len: 58,
            ..
        }
    ));
}

#[test]
fn other_things_pasted_instead_of_a_kms_blob() {
    // AWS Encryption SDK messages, format 1 and 2.
    let mut esdk = vec![0x01, 0x80, 0x03, 0x78];
    esdk.extend(Bytes::new(1).take(300));
    assert_eq!(
        plain(&b64(&esdk)),
        ErrorKind::EncryptionSdkMessage { version: 1 }
    );
    let mut esdk = vec![0x02, 0x05, 0x78];
    esdk.extend(Bytes::new(1).take(300));
    assert_eq!(
        plain(&b64(&esdk)),
        ErrorKind::EncryptionSdkMessage { version: 2 }
    );
    // base64 of base64, also when folded by `base64` at 76 columns
    let twice = b64(valid_v2().as_bytes());
    assert_eq!(
        plain(&twice),
        ErrorKind::DoubleBase64 {
            inner: BlobFamily::AwsV2
        }
    );
    // random bytes: unknown layout, with the RSA hint at RSA lengths
    let random = Bytes::new(9).take(300);
    let mut random = random.clone();
    random[0] = 0x55;
    assert!(matches!(
        plain(&b64(&random)),
        ErrorKind::UnknownLayout {
            bytes: 300,
            rsa_sized: false,
            ..
        }
    ));
    random.truncate(256);
    assert!(matches!(
        plain(&b64(&random)),
        ErrorKind::UnknownLayout {
            rsa_sized: true,
            ..
        }
    ));
}

#[test]
fn asymmetric_algorithms() {
    let rsa = |algorithm| Options {
        algorithm: Some(algorithm),
        ..Options::default()
    };
    let mut modulus = Bytes::new(4).take(384);
    modulus[0] = 0x37;
    let found = inspect(&b64(&modulus), &rsa(Algorithm::RsaesOaepSha256)).unwrap();
    assert_eq!(found.family(), BlobFamily::Rsa);
    assert_eq!(found.plaintext_len(), None);
    assert_eq!(
        kind(&b64(&modulus[..300]), rsa(Algorithm::RsaesOaepSha1)),
        ErrorKind::RsaLength {
            bytes: 300,
            algorithm: Algorithm::RsaesOaepSha1
        }
    );
    assert!(matches!(
        kind(&valid_v2(), rsa(Algorithm::RsaesOaepSha256)),
        ErrorKind::SymmetricWithAsymmetricAlgorithm {
            family: BlobFamily::AwsV2,
            ..
        }
    ));

    // SM2PKE: SEQUENCE { INTEGER x, INTEGER y, OCTET STRING hash(32), OCTET STRING c2 }
    let mut rng = Bytes::new(5);
    let mut body = vec![0x02, 0x20];
    body.extend(rng.take(32).iter().map(|b| b & 0x7f));
    body.extend([0x02, 0x20]);
    body.extend(rng.take(32).iter().map(|b| b & 0x7f));
    body.extend([0x04, 0x20]);
    body.extend(rng.take(32));
    body.extend([0x04, 0x0d]);
    body.extend(rng.take(13));
    let mut sm2 = vec![0x30, body.len() as u8];
    sm2.extend(&body);
    let found = inspect(&b64(&sm2), &rsa(Algorithm::Sm2Pke)).unwrap();
    assert_eq!(
        (found.family(), found.plaintext_len()),
        (BlobFamily::Sm2Pke, Some(13))
    );
    sm2.pop();
    assert!(matches!(
        kind(&b64(&sm2), rsa(Algorithm::Sm2Pke)),
        ErrorKind::Sm2Malformed { .. }
    ));
}

#[test]
fn emulator_layouts_name_the_emulator_and_key() {
    let allow = Options {
        allow_emulator: true,
        ..Options::default()
    };
    let id = "0d1f2e3c-4b5a-6978-8796-a5b4c3d2e1f0";
    // moto: id · 12 IV · 16 tag · ciphertext (13 B)
    let moto = [id.as_bytes(), &Bytes::new(1).take(28 + 13)].concat();
    let found = inspect(&b64(&moto), &allow).unwrap();
    assert_eq!(
        (found.family(), found.plaintext_len()),
        (BlobFamily::Emulator(Emulator::Moto), Some(13))
    );
    assert_eq!(
        plain(&b64(&moto)),
        ErrorKind::Emulator {
            emulator: Emulator::Moto,
            key_id: id.into()
        }
    );
    // LocalStack with a multi-Region id: `mrk-` + 32 hex, 16 IV, 16 tag, 2 blocks
    let mrk = "mrk-0123456789abcdef0123456789abcdef";
    let localstack = [mrk.as_bytes(), &Bytes::new(2).take(32 + 32)].concat();
    assert_eq!(
        inspect(&b64(&localstack), &allow).unwrap().family(),
        BlobFamily::Emulator(Emulator::LocalStack)
    );
    // local-kms ≤ v3: u8 len · ARN · u32le version · nonce · ciphertext · tag
    let arn = "arn:aws:kms:eu-west-2:111122223333:key/bc436485-5092-42b8-92a3-0aa8b93536dc";
    let local_kms = [
        &[arn.len() as u8][..],
        arn.as_bytes(),
        &[0, 0, 0, 0],
        &Bytes::new(3).take(12 + 10 + 16),
    ]
    .concat();
    let found = inspect(&b64(&local_kms), &allow).unwrap();
    assert_eq!(
        (
            found.family(),
            found.plaintext_len(),
            found.emulator_key_id()
        ),
        (
            BlobFamily::Emulator(Emulator::LocalKms),
            Some(10),
            Some(arn)
        )
    );
    // newer local-kms: u8 ARN len · u8 material-id len · ARN · material id · nonce · ciphertext+tag
    let newer = [
        &[arn.len() as u8, 36][..],
        arn.as_bytes(),
        id.as_bytes(),
        &Bytes::new(3).take(12 + 10 + 16),
    ]
    .concat();
    assert!(matches!(
        plain(&b64(&newer)),
        ErrorKind::Emulator {
            emulator: Emulator::LocalKms,
            ..
        }
    ));
}
