//! Process start to first plaintext with `sealed-runtime` (the ciphertext arrives at run time, so
//! the emulator's key can be used; the decrypt path is the one `sealed!` values take).
use sealed_runtime::Sealed;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let (ciphertext, key) = sealed_bench::target();
    let value = Sealed::builder(ciphertext)
        .key(key)
        .allow_emulator(true)
        .build()
        .unwrap();
    let secret = value.get().await.unwrap();
    // the length only: no plaintext on stdout
    println!("{}", secret.len());
}
