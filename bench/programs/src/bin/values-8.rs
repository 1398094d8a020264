//! A function as the README recommends: 8 `sealed!` values, `prefetch()` first.
#![allow(dead_code)] // each value is used: `prefetch()` decrypts every registered one
use sealed_runtime::{sealed, Sealed};

include!(concat!(env!("OUT_DIR"), "/values_8.rs"));

#[tokio::main]
async fn main() {
    sealed_runtime::prefetch().await.unwrap();
    println!("{}", V0.try_get().unwrap().len());
}
