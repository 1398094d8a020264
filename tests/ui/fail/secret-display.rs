use sealed_runtime::Secret;

fn show(secret: &Secret) -> String {
    format!("{secret}")
}

fn main() {}
