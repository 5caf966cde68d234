//! Credentials from a rotating provider (STS): checked, cached, and
//! refreshed a margin before they expire. The binding awaits the provider and
//! hands over its answer; `now` is always an input.

use crate::error::{Error, ErrorKind, Result};
use crate::prelude::*;
use crate::prepare::{RpcConfig, Secret};

/// Refresh this long before `expiration`: a request signed just before it
/// must still be accepted when it arrives (and after a retry's wait).
pub const REFRESH_MARGIN_MS: i64 = 10_000;

/// One set of access keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub access_key_secret: Secret,
    pub security_token: Option<Secret>,
    /// Unix ms; `None` = never expires.
    pub expires_ms: Option<i64>,
}

impl Credentials {
    /// A provider's answer: `expiration` in Unix ms when it gave one (NaN or
    /// ±Infinity: present but unreadable). Empty strings count as absent.
    pub fn from_provider(
        access_key_id: Option<String>,
        access_key_secret: Option<String>,
        security_token: Option<String>,
        expiration: Option<f64>,
    ) -> Result<Credentials> {
        // An expiration that is present but unreadable is not "never expires".
        if expiration.is_some_and(|t| !t.is_finite()) {
            return Err(Error::invalid(
                "credentials().expiration",
                "expected a Date, an ISO 8601 time or Unix ms",
            ));
        }
        let given = |v: Option<String>| v.filter(|s| !s.is_empty());
        match (given(access_key_id), given(access_key_secret)) {
            (Some(access_key_id), Some(secret)) => Ok(Credentials {
                access_key_id,
                access_key_secret: Secret::new(secret),
                security_token: given(security_token).map(Secret::new),
                // `as` saturates: a far-future expiry stays far in the future.
                expires_ms: expiration.map(|t| t as i64),
            }),
            (id, _) => Err(Error::invalid(
                if id.is_none() {
                    "credentials().accessKeyId"
                } else {
                    "credentials().accessKeySecret"
                },
                "the provider returned no value",
            )),
        }
    }

    /// The error for a provider that threw or rejected: `name` is the thrown
    /// value's name (never its message: it can quote a credential).
    pub fn provider_failed(name: &str) -> Error {
        Error::new(
            ErrorKind::Credentials,
            [
                "credentials provider failed: it threw or rejected with ",
                name,
            ]
            .concat(),
        )
    }

    /// May sign at `now_ms` (not yet expired).
    pub fn usable_at(&self, now_ms: i64) -> bool {
        self.expires_ms.is_none_or(|e| now_ms < e)
    }

    /// Still good for `margin_ms` after `now_ms` (no refresh needed).
    pub fn fresh_at(&self, now_ms: i64, margin_ms: i64) -> bool {
        self.expires_ms
            .is_none_or(|e| now_ms.saturating_add(margin_ms) < e)
    }

    /// `cfg` signing with these credentials.
    pub fn apply(&self, cfg: &RpcConfig) -> RpcConfig {
        RpcConfig {
            access_key_id: self.access_key_id.clone(),
            access_key_secret: self.access_key_secret.clone(),
            security_token: self.security_token.clone(),
            // Keyed with the old secret: key afresh.
            keyed: Default::default(),
            ..cfg.clone()
        }
    }
}

/// The provider's latest answer.
#[derive(Clone, Debug, Default)]
pub struct CredentialCache {
    current: Option<Credentials>,
}

impl CredentialCache {
    pub const fn new() -> Self {
        CredentialCache { current: None }
    }

    /// True when the provider should be asked before signing at `now_ms`:
    /// nothing cached, or it expires within `REFRESH_MARGIN_MS`.
    pub fn needs_refresh(&self, now_ms: i64) -> bool {
        !self
            .current
            .as_ref()
            .is_some_and(|c| c.fresh_at(now_ms, REFRESH_MARGIN_MS))
    }

    /// The set to sign with at `now_ms`, if one has not expired (a fresh
    /// answer inside the margin is still used: the provider had its chance).
    pub fn current(&self, now_ms: i64) -> Option<&Credentials> {
        self.current.as_ref().filter(|c| c.usable_at(now_ms))
    }

    /// The latest answer, expired or not (what a request may have carried:
    /// the secrets to scrub from its errors).
    pub fn latest(&self) -> Option<&Credentials> {
        self.current.as_ref()
    }

    #[inline]
    pub fn accept(&mut self, c: Credentials) {
        self.current = Some(c);
    }
}
