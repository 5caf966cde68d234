//! A client's HTTP settings from checked option values. The binding reads
//! the values (as numbers, `None` when absent); the ranges and defaults live
//! here, and every refusal names the option.

use crate::decode::DEFAULT_MAX_BODY_BYTES;
use crate::error::{Error, Result};
use crate::prelude::*;
use crate::retry::Policy;

pub const DEFAULT_TIMEOUT_MS: u32 = 15_000;
pub const MAX_TIMEOUT_MS: u32 = 600_000;
pub const MAX_RETRIES: u32 = 10;
pub const MAX_BAN_WAIT_MS: u32 = 600_000;
pub const MAX_RETRY_BASE_DELAY_MS: u32 = 60_000;
pub const MAX_BODY_BYTES: u32 = 256 * 1024 * 1024;

/// The option names `HttpOptions` reads, as the JS options spell them.
pub const HTTP_KEYS: [&str; 6] = [
    "fetch",
    "timeoutMs",
    "retries",
    "maxBodyBytes",
    "maxBanWaitMs",
    "retryBaseDelayMs",
];

/// Option values as given (`None`: absent; any number, checked by `Http`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct HttpOptions {
    pub timeout_ms: Option<f64>,
    pub retries: Option<f64>,
    pub max_body_bytes: Option<f64>,
    pub max_ban_wait_ms: Option<f64>,
    pub retry_base_delay_ms: Option<f64>,
}

/// HTTP behaviour shared by both clients (the fetch function is the binding's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Http {
    pub timeout_ms: u32,
    pub policy: Policy,
    pub max_body: usize,
}

impl Default for Http {
    fn default() -> Self {
        Http {
            timeout_ms: DEFAULT_TIMEOUT_MS,
            policy: Policy::default(),
            max_body: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

/// `v` as an integer from 0 to `max`, or an error at `options.<key>`.
pub fn whole(key: &str, v: Option<f64>, max: u32) -> Result<Option<u32>> {
    match v {
        None => Ok(None),
        Some(f) if f >= 0.0 && f <= max as f64 && f == (f as u32) as f64 => Ok(Some(f as u32)),
        Some(_) => Err(Error::invalid(
            format!("options.{key}"),
            format!("expected an integer from 0 to {max}"),
        )),
    }
}

impl Http {
    /// A client's settings from its options.
    pub fn from_options(o: &HttpOptions) -> Result<Http> {
        let mut h = Http::default().with_call(o.timeout_ms, o.retries)?;
        if let Some(w) = whole("maxBanWaitMs", o.max_ban_wait_ms, MAX_BAN_WAIT_MS)? {
            h.policy.max_ban_wait_ms = w.into();
        }
        if let Some(b) = whole(
            "retryBaseDelayMs",
            o.retry_base_delay_ms,
            MAX_RETRY_BASE_DELAY_MS,
        )? {
            h.policy.base_delay_ms = b.into();
        }
        if let Some(m) = whole("maxBodyBytes", o.max_body_bytes, MAX_BODY_BYTES)? {
            h.max_body = m as usize;
        }
        Ok(h)
    }

    /// These settings with one call's `timeoutMs` and `retries` overrides.
    pub fn with_call(&self, timeout_ms: Option<f64>, retries: Option<f64>) -> Result<Http> {
        let mut h = self.clone();
        if let Some(t) = whole("timeoutMs", timeout_ms, MAX_TIMEOUT_MS)? {
            h.timeout_ms = t;
        }
        if let Some(r) = whole("retries", retries, MAX_RETRIES)? {
            h.policy.retries = r;
        }
        Ok(h)
    }
}
