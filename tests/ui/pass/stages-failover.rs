use sealed_runtime::{sealed, Sealed};

// prod's bundle has a failover recipient in another account, which the set pins with its public
// key: the value embeds it, and tries it when prod's own key's KMS does not answer.
static DB_PASSWORD: Sealed = sealed!(stages = "tests/fixtures/recipients/app.stages", name = "db_password");

fn main() {
    let (set, name, stages) = DB_PASSWORD.stage_set().unwrap();
    assert_eq!((set, name), ("tests/fixtures/recipients/app.stages", "db_password"));
    assert_eq!(stages, ["dev", "prod"]);
    // prod's value embeds its failover recipient after its own key; dev's has none
    assert_eq!(
        DB_PASSWORD.recipients(Some("prod")).unwrap(),
        [
            "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:kms:eu-west-1:444455556666:key/abcd1234-12ab-34cd-56ef-1234567890ab",
        ]
    );
    assert_eq!(DB_PASSWORD.recipients(Some("dev")).unwrap().len(), 1);
    assert_eq!(DB_PASSWORD.recipients(Some("qa")), None);
    assert_eq!(DB_PASSWORD.recipients(None), None);
}
