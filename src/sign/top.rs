//! TOP sign: parameters (but `sign`) sorted by name, each name+value
//! concatenated, blank values skipped; `md5` = MD5(secret + s + secret),
//! `hmac` = HMAC-MD5(secret, s), `hmac-sha256` = HMAC-SHA256(secret, s);
//! upper-case hex.

use super::hex_upper;
use crate::prelude::*;
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use sha2::Sha256;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignMethod {
    Md5,
    Hmac,
    HmacSha256,
}

impl SignMethod {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "md5" => Some(SignMethod::Md5),
            "hmac" => Some(SignMethod::Hmac),
            "hmac-sha256" => Some(SignMethod::HmacSha256),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SignMethod::Md5 => "md5",
            SignMethod::Hmac => "hmac",
            SignMethod::HmacSha256 => "hmac-sha256",
        }
    }
}

/// TOP neither signs nor sends parameters whose value is empty or blank.
pub fn is_blank(v: &str) -> bool {
    // Fast path: a first byte that is visible ASCII decides it.
    match v.as_bytes().first() {
        None => true,
        Some(&b) if b > b' ' && b < 0x80 => false,
        _ => v.trim().is_empty(),
    }
}

trait Feed {
    fn feed(&mut self, b: &[u8]);
}
impl Feed for Md5 {
    fn feed(&mut self, b: &[u8]) {
        Digest::update(self, b)
    }
}
impl Feed for Hmac<md5::Md5> {
    fn feed(&mut self, b: &[u8]) {
        Mac::update(self, b)
    }
}
impl Feed for Hmac<Sha256> {
    fn feed(&mut self, b: &[u8]) {
        Mac::update(self, b)
    }
}

/// `dyn`: one copy of the loop (and of the sort) for the three hashes.
fn feed_sorted(h: &mut dyn Feed, params: &mut [(&str, &str)], body: Option<&[u8]>) {
    super::sort_by_name(params, |p| p.0.as_bytes());
    for (k, v) in params.iter() {
        if *k == "sign" || is_blank(v) {
            continue;
        }
        h.feed(k.as_bytes());
        h.feed(v.as_bytes());
    }
    if let Some(b) = body {
        h.feed(b);
    }
}

/// HMAC states keyed once per client: re-keying (two compression rounds) was
/// a third of an hmac-sha256 sign. Cloning a keyed state is a memcpy.
#[derive(Clone)]
pub enum Keyed {
    Md5(String),
    HmacMd5(Hmac<md5::Md5>),
    HmacSha256(Hmac<Sha256>),
}

impl core::fmt::Debug for Keyed {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Keyed(***)")
    }
}

impl Keyed {
    pub fn new(secret: &str, method: SignMethod) -> Option<Keyed> {
        Some(match method {
            SignMethod::Md5 => Keyed::Md5(secret.to_string()),
            SignMethod::Hmac => Keyed::HmacMd5(Hmac::new_from_slice(secret.as_bytes()).ok()?),
            SignMethod::HmacSha256 => {
                Keyed::HmacSha256(Hmac::new_from_slice(secret.as_bytes()).ok()?)
            }
        })
    }

    pub fn sign(&self, params: &mut [(&str, &str)], body: Option<&[u8]>) -> String {
        match self {
            Keyed::Md5(secret) => {
                let mut h = Md5::new();
                h.feed(secret.as_bytes());
                feed_sorted(&mut h, params, body);
                h.feed(secret.as_bytes());
                hex_upper(&h.finalize())
            }
            Keyed::HmacMd5(k) => {
                let mut h = k.clone();
                feed_sorted(&mut h, params, body);
                hex_upper(&h.finalize().into_bytes())
            }
            Keyed::HmacSha256(k) => {
                let mut h = k.clone();
                feed_sorted(&mut h, params, body);
                hex_upper(&h.finalize().into_bytes())
            }
        }
    }
}

/// Signs `params` (sorted in place). `body` is the raw body of JSON/XML-body
/// requests only; form requests pass `None`.
pub fn sign(
    params: &mut [(&str, &str)],
    secret: &str,
    method: SignMethod,
    body: Option<&[u8]>,
) -> String {
    // HMAC accepts keys of any length: Keyed::new cannot fail here.
    Keyed::new(secret, method)
        .map(|k| k.sign(params, body))
        .unwrap_or_default()
}
