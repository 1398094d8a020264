use sealed_runtime::{sealed, Sealed};

// prod's bundle has a failover recipient in another account, which the set pins with its public
// key: the value embeds it, and tries it when prod's own key's KMS does not answer.
static DB_PASSWORD: Sealed = sealed!(stages = "tests/fixtures/recipients/app.stages", name = "db_password");

fn main() {
    let (set, name, stages) = DB_PASSWORD.stage_set().unwrap();
    assert_eq!((set, name), ("tests/fixtures/recipients/app.stages", "db_password"));
    assert_eq!(stages, ["dev", "prod"]);
}
