use sealed_runtime::{sealed, Sealed};

// prod's bundle has a failover recipient in another account, which the set pins with its public
// key: the value embeds it, and tries it when prod's own key's KMS does not answer.
static DB_PASSWORD: Sealed = sealed!(
    stages = "tests/fixtures/recipients/app.stages",
    name = "db_password",
    readers = [
        "dev key arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab _AHzKh-i-Adv2mWviT2leifB0O5hblYSh2Pu3mgFKUA",
        "prod key arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab _AHzKh-i-Adv2mWviT2leifB0O5hblYSh2Pu3mgFKUA",
        "prod failover arn:aws:kms:eu-west-1:444455556666:key/abcd1234-12ab-34cd-56ef-1234567890ab 8r3FYyC5B5VQlKqTjNAZbRvRydYci-G2DJ3xB3wmGyo",
    ],
);

fn main() {
    let shown = format!("{DB_PASSWORD:?}");
    assert!(
        shown.contains(r#"stage_set: "tests/fixtures/recipients/app.stages", name: "db_password""#),
        "{shown}"
    );
    // prod's value embeds its failover recipient after its own key; dev's has none
    assert!(
        shown.contains(concat!(
            r#""prod": Some(["arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "#,
            r#""arn:aws:kms:eu-west-1:444455556666:key/abcd1234-12ab-34cd-56ef-1234567890ab"])"#,
        )),
        "{shown}"
    );
    assert!(
        shown.contains(r#""dev": Some(["arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"])"#),
        "{shown}"
    );
}
