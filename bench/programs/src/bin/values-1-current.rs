//! The same as `values-1` on a `current_thread` runtime.
#![allow(dead_code)] // each value is used: `prefetch()` decrypts every registered one
use sealed_runtime::{sealed, Sealed};

include!(concat!(env!("OUT_DIR"), "/values_1.rs"));

#[tokio::main(flavor = "current_thread")]
async fn main() {
    sealed_runtime::prefetch().await.unwrap();
    println!("{}", V0.try_get().unwrap().len());
}
