//! Stage sets: one artifact for every stage. A small text file names the environment variable
//! that selects the stage at start-up, and each stage with its bundle (beside the set), the KMS
//! key and bundle id it pins, and optionally the account and regions it runs in:
//!
//! ```text
//! # A sealed stage set: edit it with `cargo sealed stage`, never by hand.
//! sealed-stages 1
//! selector SEALED_STAGE
//! stage dev app.dev.bundle key=arn:aws:kms:us-east-1:111122223333:key/… id=5b0e… public-key=MFkw… account=111122223333
//! stage prod app.prod.bundle key=arn:aws:kms:eu-west-1:444455556666:key/… id=9c3f… public-key=MFkw… regions=eu-west-1,eu-central-1 failover=arn:aws:kms:eu-central-1:444455556666:key/…#MFkw…
//! ```
//!
//! A stage may have other recipients beside its key (`cargo sealed stage add-key`), each pinned
//! with its role and its public key (`ROLE=ARN#PUBLIC-KEY`, the public key as the bundle's
//! `recipient` line writes it): `failover=` is tried by the function when the stage's own
//! key's region is out (`docs/design/bundle-recipients.md`), `break-glass=` never by the function,
//! only by an operator's `cargo sealed` command.
//!
//! The set is the trust anchor of its stages, as `key = …` is of a bundle value: it pins each
//! stage's key (an ARN: an alias cannot be pinned by IAM), its bundle's id and public key, so
//! that whoever can write a bundle file cannot point it at a key pair they know, nor make a
//! writer seal to one. Review changes to it as code
//! (`CODEOWNERS`); `cargo sealed stage set` never changes it.
//!
//! ```
//! use sealed_format::StageSet;
//!
//! let set = StageSet::parse("sealed-stages 1\nselector STAGE\n\
//!     stage dev app.dev.bundle key=arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab id=5b0e8f7c2d4a4e1b9c3f6a8d7e2b1c0f \
//!     public-key=MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWg== \
//!     account=111122223333\n").unwrap();
//! assert_eq!(set.selector, "STAGE");
//! assert_eq!(set.stage("dev").unwrap().bundle, "app.dev.bundle");
//! assert!(StageSet::parse(&set.render()).is_ok());
//! ```

mod check;
mod error;
mod model;
mod parse;
mod render;

pub use check::check_stage_key;
pub use error::{StageSetError, StageSetErrorKind};
pub use model::{
    stage_bundle_name, RecipientRole, Stage, StageRecipient, StageSet, DEFAULT_SELECTOR,
    STAGES_HEADER,
};

#[cfg(test)]
mod tests {
    /// Finding L6 of issue 34: a stage set file is capped as a bundle is.
    #[test]
    fn a_stage_set_larger_than_the_cap_is_refused() {
        let huge = format!(
            "sealed-stages 1\n{}",
            "#".repeat(crate::bundle::format::MAX_FILE_BYTES)
        );
        let error = StageSet::parse(&huge).unwrap_err();
        assert!(error.to_string().contains("a stage set may be"), "{error}");
    }

    use super::*;
    use base64::engine::general_purpose::STANDARD as STANDARD_B64;
    use base64::Engine as _;

    const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    /// A public key as the set pins it.
    fn pinned(spki: &[u8]) -> String {
        STANDARD_B64.encode(spki)
    }

    fn sample() -> StageSet {
        let mut set = StageSet::new("SEALED_STAGE").unwrap();
        set.stages.push(Stage {
            name: "dev".into(),
            bundle: "app.dev.bundle".into(),
            key: KEY.into(),
            id: [1; 16],
            public_key: pinned(&crate::bundle::contents::tests::public_key()),
            account: Some("111122223333".into()),
            regions: vec![],
            recipients: vec![],
            line: 0,
        });
        set.stages.push(Stage {
            name: "prod".into(),
            bundle: "app.prod.bundle".into(),
            key: KEY.replace("111122223333", "444455556666"),
            id: [2; 16],
            public_key: pinned(&crate::bundle::contents::tests::public_key()),
            account: None,
            regions: vec!["us-east-1".into(), "eu-west-1".into()],
            recipients: vec![],
            line: 0,
        });
        set
    }

    #[test]
    fn render_then_parse_is_the_same_set() {
        let set = sample();
        let mut parsed = StageSet::parse(&set.render()).unwrap();
        assert_eq!(parsed.stages[1].line, 5);
        for stage in &mut parsed.stages {
            stage.line = 0;
        }
        assert_eq!(parsed, set);
        assert_eq!(stage_bundle_name("app.stages", "prod"), "app.prod.bundle");
        assert_eq!(stage_bundle_name("app", "prod"), "app.prod.bundle");
    }

    #[test]
    fn every_mistake_names_its_line() {
        let good = sample().render();
        let cases = [
            ("sealed-stages 1", "sealed-stages 2", "line 2: stage set format `sealed-stages 2` is newer"),
            ("selector SEALED_STAGE", "selector A=B", "line 3: "),
            ("selector SEALED_STAGE", "selector AWS_SECRET_ACCESS_KEY", "line 3: "),
            ("stage dev", "stage 9dev", "line 4: invalid stage name `9dev`"),
            ("app.dev.bundle", "../app.dev.bundle", "line 4: the bundle of stage `dev` is `../app.dev.bundle`"),
            ("app.dev.bundle", "app.prod.bundle", "line 5: the bundle `app.prod.bundle` is given to two stages"),
            ("stage prod", "stage dev", "line 5: the stage `dev` is given twice"),
            ("key=arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab id", "key=alias/app id", "line 4: the key of a stage is a key ARN"),
            ("account=111122223333", "account=444455556666", "line 4: the key `arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab` is in account 111122223333, not the stage's account 444455556666"),
            ("account=111122223333", "account=1111", "line 4: account `1111` is not 12 digits"),
            ("regions=us-east-1", "regions=US", "line 5: region `US` is not a region name"),
            (" id=0101", " idx=0101", "line 4: unknown field `idx=`"),
            (" id=0101", " id=01", "line 4: `id=` must be 32 hex digits"),
            (" public-key=MFkw", " public-key=MFkx", "line 4: the public key pinned for `arn:aws:kms:us-east-1:111122223333"),
            (" public-key=MFkw", " publickey=MFkw", "line 4: unknown field `publickey=`"),
            ("selector SEALED_STAGE", "selectr SEALED_STAGE", "line 3: unknown directive `selectr`"),
        ];
        for (from, to, expected) in cases {
            let text = good.replacen(from, to, 1);
            assert_ne!(text, good, "{from}");
            let error = StageSet::parse(&text).unwrap_err().to_string();
            assert!(error.starts_with(expected), "{to}: {error}");
        }
        let no_selector = good.replacen("selector SEALED_STAGE\n", "", 1);
        assert_eq!(
            StageSet::parse(&no_selector).unwrap_err().to_string(),
            "no `selector` line"
        );
        assert!(StageSet::parse("sealed-bundle 2\n")
            .unwrap_err()
            .to_string()
            .starts_with("line 1: not a stage set"));
    }

    #[test]
    fn a_bundle_is_its_stage_only_with_the_pinned_stage_key_and_id() {
        let set = sample();
        let dev = set.stage("dev").unwrap();
        let mut bundle = crate::bundle::contents::tests::sample();
        bundle.key = KEY.into();
        bundle.id = [1; 16];
        assert!(dev
            .check_bundle(&bundle)
            .unwrap_err()
            .to_string()
            .contains("has no `stage` line"));
        bundle.stage = Some("prod".into());
        assert!(dev
            .check_bundle(&bundle)
            .unwrap_err()
            .to_string()
            .contains("is the bundle of stage `prod`, not of `dev`"));
        bundle.stage = Some("dev".into());
        assert_eq!(dev.check_bundle(&bundle), Ok(()));
        bundle.id = [3; 16];
        assert!(dev
            .check_bundle(&bundle)
            .unwrap_err()
            .to_string()
            .contains("the id the stage set pins"));
        bundle.id = [1; 16];
        bundle.key = KEY.replace("key/1234", "key/9234");
        assert!(dev
            .check_bundle(&bundle)
            .unwrap_err()
            .to_string()
            .contains("the key the stage set pins"));
        // a public key swapped for one a writer knows the private key of: every writer would
        // seal to it
        bundle.key = KEY.into();
        let mut other = crate::bundle::contents::tests::public_key();
        other[50] = 0x44;
        bundle.public_key = other;
        assert!(dev.check_bundle(&bundle).unwrap_err().to_string().contains(
            "the public key of `app.dev.bundle` is not the one the stage set pins for `dev`"
        ));
    }

    #[test]
    fn a_stages_recipients_are_pinned_with_their_role_and_public_key() {
        use base64::Engine as _;
        const OTHER: &str =
            "arn:aws:kms:eu-central-1:777788889999:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        let mut set = sample();
        let mut point = crate::bundle::contents::tests::public_key();
        point[40] = 0x33;
        let public_key = base64::engine::general_purpose::STANDARD.encode(&point);
        set.stages[0].recipients.push(StageRecipient {
            role: RecipientRole::Failover,
            key: OTHER.into(),
            public_key: public_key.clone(),
        });
        let text = set.render();
        assert!(
            text.contains(&format!(" failover={OTHER}#{public_key}\n")),
            "{text}"
        );
        let parsed = StageSet::parse(&text).unwrap();
        assert_eq!(parsed.stages[0].recipients, set.stages[0].recipients);
        assert_eq!(parsed.stages[0].failover().count(), 1);
        let glass = text.replacen(" failover=", " break-glass=", 1);
        let parsed = StageSet::parse(&glass).unwrap();
        assert_eq!(
            parsed.stages[0].recipients[0].role,
            RecipientRole::BreakGlass
        );
        assert_eq!(parsed.stages[0].failover().count(), 0);
        for (from, to, expected) in [
            (format!("failover={OTHER}#"), format!("failover={OTHER}"), "line 4: `failover=` takes `ARN#PUBLIC-KEY`"),
            (format!("failover={OTHER}"), "failover=alias/dr".to_owned(), "line 4: the key of a stage is a key ARN"),
            (format!("failover={OTHER}"), format!("failover={KEY}"), "line 4: the key `arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab` is a recipient of stage `dev` already"),
            (format!("#{public_key}"), "#MFkw".to_owned(), "line 4: the public key pinned for"),
            (format!("#{public_key}"), format!("#{}", pinned(&crate::bundle::contents::tests::public_key())), "line 4: the public key pinned for `arn:aws:kms:eu-central-1:777788889999:key/1234abcd-12ab-34cd-56ef-1234567890ab` is another recipient's of stage `dev`"),
        ] {
            let error = StageSet::parse(&text.replacen(&from, &to, 1)).unwrap_err().to_string();
            assert!(error.starts_with(expected), "{to}: {error}");
        }

        // the bundle must have exactly the pinned recipients, each with its pinned public key
        let dev = &set.stages[0];
        let mut bundle = crate::bundle::contents::tests::sample();
        bundle.key = KEY.into();
        bundle.id = [1; 16];
        bundle.stage = Some("dev".into());
        assert!(dev.check_bundle(&bundle).unwrap_err()
            .to_string()
            .contains("pins `arn:aws:kms:eu-central-1:777788889999:key/1234abcd-12ab-34cd-56ef-1234567890ab` as a failover recipient of `dev`, but the bundle has no such recipient"));
        let recipient = crate::Recipient::new(OTHER.into(), point.clone(), "AQ".into()).unwrap();
        bundle
            .add_recipient(recipient, vec![vec![1; 90], vec![1; 90]])
            .unwrap();
        assert_eq!(dev.check_bundle(&bundle), Ok(()));
        let mut swapped = bundle.clone();
        swapped.recipients[0] = crate::Recipient::new(
            OTHER.into(),
            crate::bundle::contents::tests::public_key(),
            "AQ".into(),
        )
        .unwrap();
        assert!(dev
            .check_bundle(&swapped)
            .unwrap_err()
            .to_string()
            .contains("is not the one the stage set pins for `dev`: someone swapped it"));
        let unpinned = &set.stages[1];
        let mut extra = bundle;
        extra.stage = Some("prod".into());
        extra.id = [2; 16];
        extra.key = unpinned.key.clone();
        assert!(unpinned.check_bundle(&extra).unwrap_err()
            .to_string()
            .contains("has a recipient `arn:aws:kms:eu-central-1:777788889999:key/1234abcd-12ab-34cd-56ef-1234567890ab` that the stage set does not pin for `prod`"));
    }
}
