//! One `Decrypt` with the SDK as `sealed` configures it, on a multi-thread runtime, no
//! `sealed!`: a rung of the ladder between the floor and `sealed` (`sealed_bench_programs::sdk_decrypt`).

#[tokio::main]
async fn main() {
    sealed_bench_programs::sdk_decrypt().await;
}
