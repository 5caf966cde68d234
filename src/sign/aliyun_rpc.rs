//! Aliyun RPC signature v1: canonical query = sorted `enc(k)=enc(v)` joined by
//! `&`; StringToSign = `METHOD&%2F&` + enc(canonical);
//! Signature = base64(HMAC-SHA1(secret + "&", StringToSign)).

use super::percent::encode_twice;
use crate::prelude::*;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Sorts `params` in place and returns the canonicalized query string.
pub fn canonicalize(params: &mut [(&str, &str)]) -> String {
    canonical_and_sts(params, "POST").0
}

/// Sorts `params` in place and writes the canonical query and the
/// StringToSign in one pass (see `percent::encode_twice`).
fn canonical_and_sts(params: &mut [(&str, &str)], http_method: &str) -> (String, Vec<u8>) {
    super::sort_by_name(params, |p| p.0.as_bytes());
    let mut canonical = Vec::with_capacity(512);
    let mut sts = Vec::with_capacity(640);
    sts.extend_from_slice(http_method.as_bytes());
    sts.extend_from_slice(b"&%2F&");
    for (k, v) in params.iter().filter(|(k, _)| *k != "Signature") {
        if !canonical.is_empty() {
            canonical.push(b'&');
            sts.extend_from_slice(b"%26");
        }
        encode_twice(k, &mut canonical, &mut sts);
        canonical.push(b'=');
        sts.extend_from_slice(b"%3D");
        encode_twice(v, &mut canonical, &mut sts);
    }
    // Percent-encoding output is ASCII: this cannot fail.
    (String::from_utf8(canonical).unwrap_or_default(), sts)
}

pub fn sign(params: &mut [(&str, &str)], secret: &str, http_method: &str) -> String {
    sign_canonical(params, secret, http_method).0
}

/// HMAC-SHA1 keyed with `secret&`, made once per client: keying costs two
/// compression rounds of the ~eight a ConfirmDisburse signature takes.
#[derive(Clone)]
pub struct Keyed(Hmac<Sha1>);

impl core::fmt::Debug for Keyed {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Keyed(***)")
    }
}

impl Keyed {
    pub fn new(secret: &str) -> Option<Keyed> {
        let mut key = Vec::with_capacity(secret.len() + 1);
        key.extend_from_slice(secret.as_bytes());
        key.push(b'&');
        Hmac::new_from_slice(&key).ok().map(Keyed)
    }
}

/// The signature and the canonical query it covers (callers reuse the latter
/// as the wire form instead of encoding everything a second time).
pub fn sign_canonical(
    params: &mut [(&str, &str)],
    secret: &str,
    http_method: &str,
) -> (String, String) {
    match Keyed::new(secret) {
        Some(k) => sign_keyed(params, &k, http_method),
        // HMAC takes keys of any length: not reached.
        None => (String::new(), canonicalize(params)),
    }
}

/// `sign_canonical` with a keyed state.
pub fn sign_keyed(params: &mut [(&str, &str)], key: &Keyed, http_method: &str) -> (String, String) {
    let (canonical, sts) = canonical_and_sts(params, http_method);
    let mut mac = key.0.clone();
    mac.update(&sts);
    // encode_slice, not encode: encode's `expect` on String::from_utf8 links
    // the Debug formatting of FromUtf8Error into the .wasm.
    let mut out = [0u8; 28]; // base64 of SHA-1's 20 bytes
    let n = base64::engine::general_purpose::STANDARD
        .encode_slice(mac.finalize().into_bytes(), &mut out)
        .unwrap_or(0);
    let sig = core::str::from_utf8(out.get(..n).unwrap_or_default()).unwrap_or_default();
    (sig.to_string(), canonical)
}

/// A fresh nonce from 16 random bytes, formatted as a UUID v4 like the official SDKs.
pub fn nonce_from_bytes(b: [u8; 16]) -> String {
    let mut b = b;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(36);
    for (i, x) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        s.push(HEX[(x >> 4) as usize] as char);
        s.push(HEX[(x & 15) as usize] as char);
    }
    s
}
