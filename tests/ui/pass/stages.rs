use sealed_runtime::{sealed, Sealed};

// One value in every stage, one only in dev: both checked in every stage at compile time.
static DB_PASSWORD: Sealed = sealed!(stages = "tests/fixtures/stages/app.stages", name = "db_password");
static DEBUG_TOKEN: Sealed = sealed!(
    stages = "tests/fixtures/stages/app.stages",
    name = "debug_token",
    only = ["dev"],
);

fn main() {
    let (set, name, stages) = DB_PASSWORD.stage_set().unwrap();
    assert_eq!((set, name), ("tests/fixtures/stages/app.stages", "db_password"));
    assert_eq!(stages, ["dev", "prod"]);
    assert_eq!(DEBUG_TOKEN.stage_set().unwrap().2, ["dev"]);
    assert!(DB_PASSWORD.bundle().is_none());
}
