use sealed_runtime::{sealed, Sealed};

static VALUE: Sealed = sealed!(
    "AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=",
    context = { "sealed:bundle": "0f1e2d3c4b5a69788796a5b4c3d2e1f0" },
);

fn main() {
    let _ = VALUE;
}
