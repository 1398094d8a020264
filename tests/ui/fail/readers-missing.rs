use sealed_runtime::{sealed, Sealed};

// A stage set's value with no `readers = …`: the error quotes the pin and lists each reader.
static DB_PASSWORD: Sealed = sealed!(stages = "tests/fixtures/recipients/app.stages", name = "db_password");

fn main() {}
