use sealed_runtime::{sealed, Sealed};

static VALUE: Sealed = sealed!(
    bundle = "tests/fixtures/app.bundle",
    name = "db_password",
    context = { "app": "billing" },
);

fn main() {}
