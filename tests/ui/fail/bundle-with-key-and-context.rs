use sealed_runtime::{sealed, Sealed};

static VALUE: Sealed = sealed!(
    bundle = "tests/fixtures/app.bundle",
    name = "db_password",
    key = "alias/lambda",
    context = { "app": "billing" },
);

fn main() {}
