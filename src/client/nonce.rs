//! Nonces for Aliyun signatures from a pool of random bytes the caller
//! supplies: one refill (one crossing into the host's random source) serves
//! `REFILL_BYTES / 16` nonces. Every byte is handed out once, then zeroed.

use crate::prelude::*;
use crate::sign::aliyun_rpc;

/// Bytes per refill: 256 nonces.
pub const REFILL_BYTES: usize = 4096;
const NONCE_BYTES: usize = 16;

#[derive(Default)]
pub struct NoncePool {
    bytes: Vec<u8>,
    at: usize,
}

impl NoncePool {
    pub const fn new() -> Self {
        NoncePool {
            bytes: Vec::new(),
            at: 0,
        }
    }

    /// True when the next `take` needs a `refill` first.
    pub fn needs_refill(&self) -> bool {
        self.at + NONCE_BYTES > self.bytes.len()
    }

    /// Replaces the pool with `bytes` (secure random, from the caller).
    pub fn refill(&mut self, bytes: Vec<u8>) {
        self.bytes = bytes;
        self.at = 0;
    }

    /// A fresh UUID-v4-shaped nonce, or `None` when the pool is empty.
    #[inline]
    pub fn take(&mut self) -> Option<String> {
        let chunk = self.bytes.get_mut(self.at..self.at + NONCE_BYTES)?;
        let mut b = [0u8; NONCE_BYTES];
        b.copy_from_slice(chunk);
        // Overwrite what was handed out so no byte is ever used twice.
        chunk.fill(0);
        self.at += NONCE_BYTES;
        Some(aliyun_rpc::nonce_from_bytes(b))
    }
}

impl core::fmt::Debug for NoncePool {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The unused bytes are future nonces: not printed.
        write!(
            f,
            "NoncePool {{ left: {} }}",
            self.bytes.len().saturating_sub(self.at) / NONCE_BYTES
        )
    }
}
