//! One `Decrypt` with the SDK as `sealed` configures it, on a current-thread runtime, no
//! `sealed!`: a rung of the ladder between the floor and `sealed` (`sealed_bench_programs::sdk_decrypt`).

#[tokio::main(flavor = "current_thread")]
async fn main() {
    sealed_bench_programs::sdk_decrypt().await;
}
