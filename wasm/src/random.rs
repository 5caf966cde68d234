//! The randomness source: the entry's own `fill(bytes)` when it has one,
//! else getrandom (`crypto.getRandomValues`); nonces come from the core's
//! pool (`client::NoncePool`), refilled here.

use aligate::client::nonce::{NoncePool, REFILL_BYTES};
use aligate::error::{Error, ErrorKind};
use aligate::prelude::*;
use wasm_bindgen::prelude::*;

/// Random bytes for nonces, drawn `REFILL_BYTES` at a time: one crossing
/// into JS per 256 nonces (a /dev/urandom read in Node is ~6 µs).
static POOL: super::Local<NoncePool> = super::Local::new(NoncePool::new());

#[wasm_bindgen]
extern "C" {
    /// An entry point's own random source: `fill(bytes)` fills the view with
    /// secure random bytes and returns true, or returns false.
    #[derive(Clone)]
    pub(crate) type RandomSource;
    #[wasm_bindgen(method, structural, catch)]
    fn fill(this: &RandomSource, buf: &mut [u8]) -> Result<bool, JsValue>;
}

/// Fills `buf` with secure random bytes: from the entry's source when it has
/// one (Node: /dev/urandom, because the first use of `globalThis.crypto` loads
/// Node's crypto modules, ~3 ms of a cold start), else getrandom.
fn fill_random(buf: &mut [u8]) -> Result<(), Error> {
    let source = super::RANDOM.with(|r| r.clone());
    if let Some(Ok(true)) = source.map(|s| s.fill(buf)) {
        return Ok(());
    }
    getrandom::fill(buf)
        .map_err(|_| Error::new(ErrorKind::Internal, "no secure random source for the nonce"))
}

pub(crate) fn fresh_nonce() -> Result<String, Error> {
    // Refilled outside `with`: the refill calls into JS.
    if POOL.with(|p| p.needs_refill()) {
        let mut buf = vec![0u8; REFILL_BYTES];
        fill_random(&mut buf)?;
        POOL.with(|p| p.refill(buf));
    }
    POOL.with(|p| p.take())
        .ok_or_else(|| Error::new(ErrorKind::Internal, "nonce pool empty"))
}

/// Uniform in [0, 1) for the backoff jitter (not a secret).
pub(crate) fn jitter() -> f64 {
    js_sys::Math::random()
}
