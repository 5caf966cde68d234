//! Aliyun RPC signature v1: canonical query = sorted `enc(k)=enc(v)` joined by
//! `&`; StringToSign = `METHOD&%2F&` + enc(canonical);
//! Signature = base64(HMAC-SHA1(secret + "&", StringToSign)).

use super::percent::encode_into;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Sorts `params` in place and returns the canonicalized query string.
pub fn canonicalize(params: &mut [(&str, &str)]) -> String {
    super::percent::sorted_form(params, "Signature")
}

pub fn string_to_sign(http_method: &str, canonical: &str) -> String {
    let mut s = String::with_capacity(canonical.len() * 5 / 4 + 16);
    s.push_str(http_method);
    s.push_str("&%2F&");
    encode_into(canonical, &mut s);
    s
}

pub fn sign(params: &mut [(&str, &str)], secret: &str, http_method: &str) -> String {
    sign_canonical(params, secret, http_method).0
}

/// The signature and the canonical query it covers (callers reuse the latter
/// as the wire form instead of encoding everything a second time).
pub fn sign_canonical(
    params: &mut [(&str, &str)],
    secret: &str,
    http_method: &str,
) -> (String, String) {
    let canonical = canonicalize(params);
    let sts = string_to_sign(http_method, &canonical);
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(format!("{secret}&").as_bytes()) else {
        return (String::new(), canonical);
    };
    mac.update(sts.as_bytes());
    let sig = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    (sig, canonical)
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
