use sealed_runtime::{sealed, Sealed};

static DEBUG_TOKEN: Sealed = sealed!(
    stages = "tests/fixtures/stages/app.stages",
    name = "debug_token",
    only = ["dve"],
    key = "alias/app",
);

fn main() {}
