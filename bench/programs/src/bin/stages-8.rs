//! A function as the README recommends: 8 values of a stage set (`SEALED_STAGE` chooses), `prefetch()` first.
#![allow(dead_code)] // each value is used: `prefetch()` decrypts every registered one
use sealed_runtime::{sealed, Sealed};

include!(concat!(env!("OUT_DIR"), "/stages_8.rs"));

#[tokio::main]
async fn main() {
    sealed_runtime::prefetch().await.unwrap();
    println!("{}", V0.try_get().unwrap().len());
}
