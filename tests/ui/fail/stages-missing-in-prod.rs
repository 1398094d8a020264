use sealed_runtime::{sealed, Sealed};

static STRIPE_KEY: Sealed = sealed!(stages = "tests/fixtures/stages/app.stages", name = "stripe_key");

fn main() {}
