//! A client's HTTP settings from checked option values. The binding reads
//! the values (as numbers, `None` when absent); the ranges and defaults live
//! here, and every refusal names the option.

use crate::decode::DEFAULT_MAX_BODY_BYTES;
use crate::error::{Error, Result};
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

/// The numeric ones, in `HttpOptions::values` order, with their ranges.
pub const HTTP_NUMBERS: [(&str, u32); 5] = [
    ("timeoutMs", MAX_TIMEOUT_MS),
    ("retries", MAX_RETRIES),
    ("maxBodyBytes", MAX_BODY_BYTES),
    ("maxBanWaitMs", MAX_BAN_WAIT_MS),
    ("retryBaseDelayMs", MAX_RETRY_BASE_DELAY_MS),
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

impl HttpOptions {
    /// From values in `HTTP_NUMBERS` order (a binding reads them in a loop).
    pub fn from_values(v: [Option<f64>; 5]) -> Self {
        HttpOptions {
            timeout_ms: v[0],
            retries: v[1],
            max_body_bytes: v[2],
            max_ban_wait_ms: v[3],
            retry_base_delay_ms: v[4],
        }
    }

    fn values(&self) -> [Option<f64>; 5] {
        [
            self.timeout_ms,
            self.retries,
            self.max_body_bytes,
            self.max_ban_wait_ms,
            self.retry_base_delay_ms,
        ]
    }
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
            ["options.", key].concat(),
            [
                "expected an integer from 0 to ",
                &crate::schema::decimal(max.into()),
            ]
            .concat(),
        )),
    }
}

impl Http {
    /// A client's settings from its options.
    pub fn from_options(o: &HttpOptions) -> Result<Http> {
        let mut n = [None; 5];
        for (i, (v, (key, max))) in o.values().into_iter().zip(HTTP_NUMBERS).enumerate() {
            n[i] = whole(key, v, max)?;
        }
        let mut h = Http::default();
        h.set(n[0], n[1]);
        if let Some(m) = n[2] {
            h.max_body = m as usize;
        }
        if let Some(w) = n[3] {
            h.policy.max_ban_wait_ms = w.into();
        }
        if let Some(b) = n[4] {
            h.policy.base_delay_ms = b.into();
        }
        Ok(h)
    }

    /// These settings with one call's `timeoutMs` and `retries` overrides.
    #[inline]
    pub fn with_call(&self, timeout_ms: Option<f64>, retries: Option<f64>) -> Result<Http> {
        let o = HttpOptions {
            timeout_ms,
            retries,
            ..Default::default()
        };
        let checked = Http::from_options(&o)?;
        let mut h = self.clone();
        h.set(
            timeout_ms.map(|_| checked.timeout_ms),
            retries.map(|_| checked.policy.retries),
        );
        Ok(h)
    }

    fn set(&mut self, timeout_ms: Option<u32>, retries: Option<u32>) {
        if let Some(t) = timeout_ms {
            self.timeout_ms = t;
        }
        if let Some(r) = retries {
            self.policy.retries = r;
        }
    }
}
