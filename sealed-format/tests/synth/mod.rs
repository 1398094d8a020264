//! Blobs built to the layouts of docs/KMS-FORMAT.md §2, for any plaintext length.
// Byte-level encoders: every narrowing cast here is intended.
#![allow(clippy::cast_possible_truncation)]

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

pub const OID_ENCRYPTED_DATA: [u8; 9] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x06];
pub const OID_DATA: [u8; 9] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
pub const OID_AES256_GCM: [u8; 9] = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2e];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    V2,
    V1,
    Legacy,
}

/// A small deterministic generator, so every synthesized blob can be rebuilt from its seed.
pub struct Bytes(u64);

impl Bytes {
    pub fn new(seed: u64) -> Self {
        Bytes(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }
    pub fn take(&mut self, n: usize) -> Vec<u8> {
        (0..n)
            .map(|_| {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                (self.0 >> 24) as u8
            })
            .collect()
    }
}

fn der_len(n: usize) -> Vec<u8> {
    match n {
        0..=127 => vec![n as u8],
        128..=255 => vec![0x81, n as u8],
        _ => vec![0x82, (n >> 8) as u8, n as u8],
    }
}

fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend(der_len(body.len()));
    out.extend_from_slice(body);
    out
}

/// The CMS ContentInfo KMS writes for a plaintext of `plaintext_len` bytes.
pub fn der(plaintext_len: usize, rng: &mut Bytes) -> Vec<u8> {
    let mut gcm = tlv(0x04, &rng.take(12));
    gcm.extend([0x02, 0x01, 0x10]);
    let mut algorithm = tlv(0x06, &OID_AES256_GCM);
    algorithm.extend(tlv(0x30, &gcm));
    let mut content_info = tlv(0x06, &OID_DATA);
    content_info.extend(tlv(0x30, &algorithm));
    content_info.extend(tlv(0x80, &rng.take(plaintext_len + 27)));
    let mut encrypted = vec![0x02, 0x01, 0x00];
    encrypted.extend(tlv(0x30, &content_info));
    let mut info = tlv(0x06, &OID_ENCRYPTED_DATA);
    info.extend(tlv(0xa0, &tlv(0x30, &encrypted)));
    tlv(0x30, &info)
}

fn v1_body(id: &[u8], plaintext_len: usize, rng: &mut Bytes) -> Vec<u8> {
    let der = der(plaintext_len, rng);
    let mut out = vec![0x01, 0x01, 0x03, 0x00, 0x78];
    out.extend_from_slice(id);
    out.extend((der.len() as u32).to_be_bytes());
    out.extend(der);
    out
}

pub fn blob(layout: Layout, plaintext_len: usize, seed: u64) -> Vec<u8> {
    let rng = &mut Bytes::new(seed);
    let id = rng.take(32);
    match layout {
        Layout::V2 => {
            let der = der(plaintext_len, rng);
            let mut out = vec![0x01, 0x02, 0x02, 0x00, 0x78];
            out.extend(&id);
            out.push(0x01);
            out.extend(rng.take(16));
            out.extend((der.len() as u32).to_be_bytes());
            out.extend(der);
            out
        }
        Layout::V1 => v1_body(&id, plaintext_len, rng),
        Layout::Legacy => {
            let body = v1_body(&id, plaintext_len, rng);
            let mut out = vec![0x0a, 0x20];
            out.extend(&id);
            out.push(0x12);
            let n = body.len();
            if n < 128 {
                out.push(n as u8);
            } else {
                out.extend([(n as u8 & 0x7f) | 0x80, (n >> 7) as u8]);
            }
            out.extend(body);
            out
        }
    }
}

pub fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

#[allow(dead_code)]
pub fn unb64(text: &str) -> Vec<u8> {
    STANDARD.decode(text).unwrap()
}
