//! The bundle parser against every mistake it must name, and what it must accept.

use base64::Engine as _;

use crate::bundle::contents::tests::sample;
use crate::bundle::contents::Bundle;
use crate::bundle::error::BundleErrorKind;
use crate::bundle::format::MAX_GENERATION;
use crate::bundle::parse::parse_generation;
use crate::bundle::recipient::Recipient;

#[test]
fn render_then_parse_is_the_same_bundle() {
    let bundle = sample();
    let mut parsed = Bundle::parse(&bundle.render()).unwrap();
    assert_eq!(parsed.private_key_line, 9);
    assert_eq!(parsed.values[0].line, 11);
    parsed.private_key_line = 0;
    for value in &mut parsed.values {
        value.line = 0;
    }
    assert_eq!(parsed, bundle);
    assert!(bundle
        .render()
        .contains("context app billing%20team%20%232%20%25\n"));
    assert!(bundle
        .render()
        .contains("\ngeneration 2\nvalue db_password 1 "));
}

fn error_of(text: &str) -> String {
    Bundle::parse(text).unwrap_err().to_string()
}

#[test]
fn every_mistake_names_its_line() {
    let good = sample().render();
    let cases: [(&str, &str, &str); 16] = [
        (
            "sealed-bundle 2",
            "sealed-bundle 3",
            "line 2: bundle format `sealed-bundle 3` is newer",
        ),
        (
            "sealed-bundle 2",
            "sealed-bundle 1",
            "line 2: `sealed-bundle 1` is bundle format 1",
        ),
        (
            "sealed-bundle 2",
            "sealed bundle",
            "line 2: not a sealed bundle",
        ),
        ("key alias/app", "key alias/", "line 4: invalid key"),
        (
            "key alias/app",
            "key alias/app extra",
            "line 4: `key` takes one field",
        ),
        ("id 0707", "id 0x07", "line 3: `id` must be 32 hex digits"),
        (
            "public-key MFkw",
            "public-key MFkx",
            "line 8: the public key is not a bundle's: it is not a P-256",
        ),
        (
            "public-key MFkw",
            "public-key !",
            "line 8: `public-key` is not standard base64",
        ),
        (
            "generation 2",
            "generation -2",
            "line 10: generation `-2` is not a decimal number",
        ),
        (
            "generation 2",
            "generation 1",
            "line 12: the value `api.token-2` has generation 2, above the bundle's `generation 1`",
        ),
        (
            "value db_password 1 ",
            "value db_password +1 ",
            "line 11: generation `+1` is not a decimal number",
        ),
        (
            "value db_password 1 ",
            "value db_password 1 !",
            "line 11: the value `db_password` is not standard base64",
        ),
        (
            "value api.token-2 2 ",
            "value db_password 2 ",
            "line 12: the value `db_password` is given twice",
        ),
        (
            "value db_password 1 ",
            "valeu db_password 1 ",
            "line 11: unknown directive `valeu`",
        ),
        (
            "value db_password 1 ",
            "value db_password ",
            "line 11: `value` takes three fields",
        ),
        (
            "context app ",
            "context app%2 ",
            "line 5: invalid encryption context: `app%2` has a `%`",
        ),
    ];
    for (from, to, expected) in cases {
        let text = good.replacen(from, to, 1);
        assert_ne!(text, good, "{from}");
        let error = error_of(&text);
        assert!(error.starts_with(expected), "{to}: {error}");
    }
    for directive in ["key", "public-key", "private-key", "generation"] {
        let without = good
            .lines()
            .filter(|l| !l.starts_with(&format!("{directive} ")))
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(error_of(&without), format!("no `{directive}` line"));
    }
    let late = format!("{good}key alias/other\n");
    assert!(error_of(&late).starts_with("line 13: `key` after the values"));
    let twice = good.replacen("generation 2\n", "generation 2\ngeneration 3\n", 1);
    assert!(error_of(&twice).starts_with("line 11: `generation` given twice"));
    let cut = good.replacen("api.token-2 2 AgICAgIC", "api.token-2 2 ", 1);
    assert!(
        error_of(&cut).contains("sealed bytes"),
        "{}",
        error_of(&cut)
    );
}

#[test]
fn a_stage_is_read_and_written_in_the_header() {
    let mut bundle = sample();
    bundle.stage = Some("prod".into());
    let text = bundle.render();
    assert!(
        text.contains("\nkey alias/app\nstage prod\ncontext "),
        "{text}"
    );
    assert_eq!(Bundle::parse(&text).unwrap().stage.as_deref(), Some("prod"));
    for (bad, expected) in [
        ("stage 1prod", "line 5: invalid stage name `1prod`"),
        ("stage prod eu", "line 5: `stage` takes one field"),
        ("stage pr.od", "line 5: invalid stage name `pr.od`"),
    ] {
        let error = error_of(&text.replacen("stage prod", bad, 1));
        assert!(error.starts_with(expected), "{bad}: {error}");
    }
    let twice = text.replacen("stage prod\n", "stage prod\nstage dev\n", 1);
    assert!(error_of(&twice).starts_with("line 6: `stage` given twice"));
}

#[test]
fn generations_are_plain_decimal_numbers() {
    assert_eq!(parse_generation("0"), Ok(0));
    assert_eq!(parse_generation("9007199254740992"), Ok(MAX_GENERATION));
    // L4 of issue 34: `generation 18446744073709551615`, written by hand, blocked every later
    // `set` and `rotate` of the bundle; now the file is refused for what it is
    for bad in [
        "",
        "9007199254740993",
        "18446744073709551615",
        "18446744073709551616",
        "1e3",
        " 1",
        "0x1",
        "١",
    ] {
        assert!(parse_generation(bad).is_err(), "{bad:?}");
    }
}

/// `sample()` with a second recipient, every value sealed to it too.
fn with_recipient() -> Bundle {
    let mut bundle = sample();
    let mut other = crate::bundle::contents::tests::public_key();
    other[40] = 0x33;
    let recipient = Recipient::new(
        "arn:aws:kms:eu-central-1:777788889999:key/1234abcd-12ab-34cd-56ef-1234567890ab".into(),
        other,
        "AQIDAHhR".into(),
    )
    .unwrap();
    bundle
        .add_recipient(recipient, vec![vec![8; 90], vec![9; 82]])
        .unwrap();
    bundle
}

#[test]
fn recipients_are_read_and_written_and_every_value_has_a_sealing_each() {
    let bundle = with_recipient();
    let text = bundle.render();
    assert!(
        text.contains("\nrecipient arn:aws:kms:eu-central-1:777788889999:key/"),
        "{text}"
    );
    let parsed = Bundle::parse(&text).unwrap();
    assert_eq!(parsed.recipients.len(), 1);
    assert_eq!(parsed.recipients[0].line, 10);
    assert_eq!(parsed.public_points().len(), 2);
    assert_eq!(parsed.public_points()[1][40 - 26], 0x33);
    let value = parsed.value("api.token-2").unwrap();
    assert_eq!(value.sealing(0), Some(&[2; 82][..]));
    assert_eq!(value.sealing(1), Some(&[9; 82][..]));
    assert_eq!(value.sealing(2), None);
    assert_eq!(Bundle::parse(&parsed.render()).unwrap().render(), text);

    // a value with one sealing in a bundle of two recipients names both numbers
    let one = sample().render();
    let one_value = one
        .lines()
        .find(|l| l.starts_with("value db_password"))
        .unwrap();
    let two_value = text
        .lines()
        .find(|l| l.starts_with("value db_password"))
        .unwrap();
    let error = error_of(&text.replacen(two_value, one_value, 1));
    assert!(
        error.starts_with(
            "line 12: the value `db_password` has 1 sealing; the bundle has 2 recipients"
        ),
        "{error}"
    );
    // and the other way round: a second sealing with no `recipient` line
    let error = error_of(&one.replacen(one_value, two_value, 1));
    assert!(
        error.starts_with(
            "line 11: the value `db_password` has 2 sealings; the bundle has 1 recipient "
        ),
        "{error}"
    );
    // a recipient line naming the bundle's own key, or given twice
    let recipient_line = text.lines().find(|l| l.starts_with("recipient ")).unwrap();
    let own = recipient_line.replacen(
        "arn:aws:kms:eu-central-1:777788889999:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "alias/app",
        1,
    );
    let error = error_of(&text.replacen(recipient_line, &own, 1));
    assert!(
        error.starts_with("line 10: the key `alias/app` is a recipient of the bundle already"),
        "{error}"
    );
    let twice = text.replacen(
        recipient_line,
        &format!("{recipient_line}\n{recipient_line}"),
        1,
    );
    assert!(error_of(&twice).starts_with("line 11: the key `arn:aws:kms:eu-central-1"));
    for (bad, expected) in [
        ("recipient alias/", "line 10: invalid key"),
        ("recipient arn:aws:kms:eu-central-1:777788889999:key/1234abcd-12ab-34cd-56ef-1234567890ab MFkx", "line 10: the public key is not a bundle's"),
    ] {
        let line = format!("{bad} {}", recipient_line.split(' ').skip(2).collect::<Vec<_>>().join(" "));
        let line = if bad.ends_with("MFkx") {
            let fields: Vec<&str> = recipient_line.split(' ').collect();
            format!("recipient {} {}{} {}", fields[1], "MFkx", &fields[2][4..], fields[3])
        } else {
            line
        };
        let error = error_of(&text.replacen(recipient_line, &line, 1));
        assert!(error.starts_with(expected), "{bad}: {error}");
    }
    // a recipient with the bundle's own public key: one key pair, not two
    let fields: Vec<&str> = recipient_line.split(' ').collect();
    let own_key = text.lines().find(|l| l.starts_with("public-key ")).unwrap();
    let same = format!(
        "recipient {} {} {}",
        fields[1],
        &own_key["public-key ".len()..],
        fields[3]
    );
    let error = error_of(&text.replacen(recipient_line, &same, 1));
    assert!(error.starts_with("line 10: the recipient `arn:aws:kms:eu-central-1:777788889999:key/1234abcd-12ab-34cd-56ef-1234567890ab` has the public key of another recipient"), "{error}");
    let late = format!("{text}{recipient_line}\n");
    assert!(error_of(&late).starts_with("line 14: `recipient` after the values"));
}

#[test]
fn removing_a_recipient_removes_its_sealings() {
    let mut bundle = with_recipient();
    let key = bundle.recipients[0].key.clone();
    assert_eq!(
        bundle.add_recipient(bundle.recipients[0].clone(), vec![vec![1; 90], vec![1; 90]]),
        Err(BundleErrorKind::DuplicateRecipient(key.clone()))
    );
    assert!(matches!(
        bundle.set("db_password", 3, vec![vec![3; 82]]),
        Err(BundleErrorKind::Sealings {
            expected: 2,
            found: 1,
            ..
        })
    ));
    bundle
        .set("db_password", 3, vec![vec![3; 82], vec![4; 82]])
        .unwrap();
    assert_eq!(
        bundle.value("db_password").unwrap().sealing(1),
        Some(&[4; 82][..])
    );
    assert!(bundle.remove_recipient(&key));
    assert!(!bundle.remove_recipient(&key));
    assert!(bundle.values.iter().all(|v| v.others.is_empty()));
    assert_eq!(Bundle::parse(&bundle.render()).unwrap().recipients, []);
}

/// Finding L6 of issue 34: no cap on recipients or size. A bundle takes at most
/// `MAX_RECIPIENTS` recipients, written or added, and a file of at most `MAX_FILE_BYTES`.
#[test]
fn recipients_and_file_size_are_capped() {
    let mut bundle = sample();
    let sealings = |bundle: &Bundle| vec![vec![8; 90]; bundle.values.len()];
    for i in 0..=crate::bundle::format::MAX_RECIPIENTS {
        let mut point = crate::bundle::contents::tests::public_key();
        point[40] = 0x40 + u8::try_from(i).unwrap();
        let key =
            format!("arn:aws:kms:eu-central-1:777788889999:key/{i:08}-12ab-34cd-56ef-1234567890ab");
        let recipient = Recipient::new(key, point, "AQIDAHhR".into()).unwrap();
        let added = bundle.add_recipient(recipient, sealings(&bundle));
        if i < crate::bundle::format::MAX_RECIPIENTS {
            added.unwrap();
        } else {
            assert_eq!(added, Err(BundleErrorKind::TooManyRecipients));
        }
    }
    // the same, written by hand: one recipient line too many
    let text = bundle.render();
    let mut point = crate::bundle::contents::tests::public_key();
    point[40] = 0x7f;
    let extra = format!(
        "recipient arn:aws:kms:eu-central-1:777788889999:key/99999999-12ab-34cd-56ef-1234567890ab {} AQIDAHhR",
        base64::engine::general_purpose::STANDARD.encode(&point)
    );
    let mut lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("recipient "))
        .unwrap();
    lines.insert(at, &extra);
    let error = Bundle::parse(&lines.join("\n")).unwrap_err();
    assert_eq!(error.kind, BundleErrorKind::TooManyRecipients, "{error}");
    let huge = format!(
        "{}\n{}",
        text,
        "#".repeat(crate::bundle::format::MAX_FILE_BYTES)
    );
    let error = Bundle::parse(&huge).unwrap_err();
    assert_eq!(error.kind, BundleErrorKind::TooLarge(huge.len()));
}
