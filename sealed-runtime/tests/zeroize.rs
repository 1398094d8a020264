//! S4: plaintext buffers the library owns are zeroed when freed. A checking global allocator (the
//! pattern of the `zeroize` crate's `tests/alloc.rs`) looks for the canary plaintext in every
//! block freed while it is armed. The plaintext comes from an `aws-smithy-mocks` client, so the
//! only copies are the one the mock hands to the SDK and those made after it.
//!
//! Out of reach, and so not checked here: copies inside the SDK's HTTP stack when a real server
//! answers (the response body carries the plaintext base64-encoded, and it is freed without
//! zeroing), and copies the program makes itself after `expose()`.
#![allow(unsafe_code)] // a global allocator cannot be written without it

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use aws_sdk_kms::operation::decrypt::DecryptOutput;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::Client;
use aws_smithy_mocks::{mock, mock_client, RuleMode};
use sealed_runtime::{set_client, ErrorKind, Sealed};
use zeroize::Zeroizing;

const CANARY: &[u8] = b"zeroize-canary-9d41c7e2b05a";

static ARMED: AtomicBool = AtomicBool::new(false);
static FREED_WITH_CANARY: AtomicUsize = AtomicUsize::new(0);

struct Checking;

// SAFETY: every call is forwarded to `System` unchanged; `dealloc` only reads the block it is
// about to free, which is valid for `layout.size()` bytes.
unsafe impl GlobalAlloc for Checking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ARMED.load(Ordering::SeqCst) && layout.size() >= CANARY.len() {
            let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
            if block.windows(CANARY.len()).any(|window| window == CANARY) {
                FREED_WITH_CANARY.fetch_add(1, Ordering::SeqCst);
            }
        }
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Checking = Checking;

fn freed() -> usize {
    FREED_WITH_CANARY.load(Ordering::SeqCst)
}

const OTHER: &str = "arn:aws:kms:us-east-1:111122223333:key/99999999-12ab-34cd-56ef-1234567890ab";
const PINNED: &str = "arn:aws:kms:us-east-1:111122223333:key/11111111-12ab-34cd-56ef-1234567890ab";

#[test]
fn plaintext_buffers_are_zeroed_when_freed() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        // KMS answers with the plaintext, but for another key than the pinned one.
        let rule = mock!(Client::decrypt).then_output(|| {
            DecryptOutput::builder()
                .key_id(OTHER)
                .plaintext(Blob::new(CANARY))
                .build()
        });
        set_client(&mock_client!(aws_sdk_kms, RuleMode::MatchAny, [&rule])).unwrap();
        let value = Sealed::builder("AQICAHjaUXkOwaFpTGA12n5Ifb6Q0znaDbuU6SyEU0N9fyaf+QFQK5dVUWAVO6PzItHemiCxAAAAajBoBgkqhkiG9w0BBwagWzBZAgEAMFQGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMoI1IQ/I6F8+7mLIEAgEQgCexGzu6/RajcXvGjcoFi0e8XqrDuS9eCDrLvy/lnXm2ILufDelWw2g=")
            .key(PINNED)
            .build()
            .unwrap();
        // warm up the client (config loading, TLS-free mock) outside the armed window
        let _ = value.get().await;

        ARMED.store(true, Ordering::SeqCst);

        // the checker sees a plain Vec freed with the canary, and not a zeroized one
        let before = freed();
        drop(CANARY.to_vec());
        assert_eq!(freed(), before + 1, "the checking allocator does not work");
        drop(Zeroizing::new(CANARY.to_vec()));
        assert_eq!(freed(), before + 1, "Zeroizing did not zero");

        // the wrong-key response: the library drops the plaintext it received
        let before = freed();
        for _ in 0..10 {
            let error = value.get().await.unwrap_err();
            assert!(matches!(error.kind(), ErrorKind::KeyMismatch { .. }));
        }
        ARMED.store(false, Ordering::SeqCst);
        assert_eq!(freed(), before, "a plaintext buffer was freed without being zeroed");
        assert_eq!(rule.num_calls(), 11);
    });
}
