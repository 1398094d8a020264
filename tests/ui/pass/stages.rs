use sealed_runtime::{sealed, Sealed};

// One value in every stage, one only in dev: both checked in every stage at compile time.
static DB_PASSWORD: Sealed = sealed!(
    stages = "tests/fixtures/stages/app.stages",
    name = "db_password",
    readers = [
        "dev key arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab _AHzKh-i-Adv2mWviT2leifB0O5hblYSh2Pu3mgFKUA",
        "prod key arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab _AHzKh-i-Adv2mWviT2leifB0O5hblYSh2Pu3mgFKUA",
    ],
);
static DEBUG_TOKEN: Sealed = sealed!(
    stages = "tests/fixtures/stages/app.stages",
    name = "debug_token",
    only = ["dev"],
    readers = [
        "dev key arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab _AHzKh-i-Adv2mWviT2leifB0O5hblYSh2Pu3mgFKUA",
        "prod key arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab _AHzKh-i-Adv2mWviT2leifB0O5hblYSh2Pu3mgFKUA",
    ],
);

const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn main() {
    // `Debug` names the set, the value and who may open it in each stage
    let shown = format!("{DB_PASSWORD:?}");
    assert!(
        shown.contains(r#"stage_set: "tests/fixtures/stages/app.stages", name: "db_password""#),
        "{shown}"
    );
    assert!(
        shown.contains(&format!(r#"recipients: {{"dev": Some(["{KEY}"]), "prod": Some(["{KEY}"])}}"#)),
        "{shown}"
    );
    let shown = format!("{DEBUG_TOKEN:?}");
    assert!(
        shown.contains(&format!(r#"recipients: {{"dev": Some(["{KEY}"]), "prod": None}}"#)),
        "{shown}"
    );
    assert!(DB_PASSWORD.bundle().is_none());
}
