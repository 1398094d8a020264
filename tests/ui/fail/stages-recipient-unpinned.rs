use sealed_runtime::{sealed, Sealed};

// prod's bundle has a recipient that the set does not pin: a writer of the file added a key.
static DB_PASSWORD: Sealed = sealed!(stages = "tests/fixtures/recipients/unpinned.stages", name = "db_password");

fn main() {}
