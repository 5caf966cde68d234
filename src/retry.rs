//! Retry policy: which failures may be repeated, and how long to wait.
//! Pure: the bindings run the loop and supply randomness.

use crate::error::{Cause, Error, ErrorKind, Outcome};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Extra attempts after the first.
    pub retries: u32,
    pub base_delay_ms: u64,
    pub max_delay_ms: u64,
    /// Longest TOP code-7 ban worth waiting out.
    pub max_ban_wait_ms: u64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            retries: 2,
            base_delay_ms: 200,
            max_delay_ms: 5_000,
            max_ban_wait_ms: 5_000,
        }
    }
}

/// Why a failure may be repeated. Classification reads kinds, statuses,
/// gateway codes and `Cause`s, never the text of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// HTTP 429 or Aliyun `Throttling*`: refused before processing.
    Throttled,
    /// Aliyun `SignatureNonceUsed`: refused; the next attempt has a new nonce.
    NonceUsed,
    /// TOP code 7: refused for a stated number of seconds.
    Banned,
    /// The connection was refused: nothing was sent.
    Refused,
    /// HTTP 5xx, TOP `isp.*`, Aliyun `ServiceUnavailable` / `InternalError`.
    ServerFault,
    /// No complete response in time.
    Timeout,
    /// Reset, DNS, TLS…: the request may have reached the server.
    Network,
    /// The body ended early (cut connection or document).
    Truncated,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Throttled => "throttled",
            Reason::NonceUsed => "nonce-used",
            Reason::Banned => "banned",
            Reason::Refused => "refused",
            Reason::ServerFault => "server-fault",
            Reason::Timeout => "timeout",
            Reason::Network => "network",
            Reason::Truncated => "truncated",
        }
    }
}

/// How a failed attempt was classified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Proven not processed: always safe to repeat; optional minimum wait.
    NotProcessed(Reason, Option<u64>),
    /// May have been processed: repeat only when the request is repeat-safe.
    Ambiguous(Reason),
    /// Repeating cannot help.
    Final,
}

impl Decision {
    /// The reason, unless the decision is final.
    pub fn reason(self) -> Option<Reason> {
        match self {
            Decision::NotProcessed(r, _) | Decision::Ambiguous(r) => Some(r),
            Decision::Final => None,
        }
    }
}

/// Seconds from TOP's "ban will last N more seconds": `N` must be decimal
/// digits followed by whitespace or the end. Too many digits for a u64, a
/// fraction or no number at all give `None` (the caller does not retry).
pub fn ban_seconds(text: &str) -> Option<u64> {
    const MARK: &[u8] = b"ban will last";
    let b = text.as_bytes();
    // ASCII-case-insensitive search without lowering a copy of the text.
    let at = b
        .windows(MARK.len())
        .position(|w| w.eq_ignore_ascii_case(MARK))?;
    let rest = b.get(at + MARK.len()..)?;
    let start = rest.iter().position(|c| !c.is_ascii_whitespace())?;
    let rest = rest.get(start..)?;
    let mut n: u64 = 0;
    let mut len = 0;
    for &c in rest.iter().take_while(|c| c.is_ascii_digit()) {
        n = n.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
        len += 1;
    }
    match rest.get(len) {
        _ if len == 0 => None,
        None => Some(n),
        Some(c) if c.is_ascii_whitespace() => Some(n),
        Some(_) => None,
    }
}

pub fn classify(err: &Error, policy: &Policy) -> Decision {
    match err.kind {
        ErrorKind::Validation
        | ErrorKind::Aborted
        | ErrorKind::Internal
        | ErrorKind::Credentials => Decision::Final,
        ErrorKind::Network => match err.cause {
            Cause::Refused => Decision::NotProcessed(Reason::Refused, None),
            _ => Decision::Ambiguous(Reason::Network),
        },
        ErrorKind::Timeout => match err.cause {
            Cause::NotSent => Decision::NotProcessed(Reason::Timeout, None),
            _ => Decision::Ambiguous(Reason::Timeout),
        },
        ErrorKind::Http => match err.status {
            Some(429) => Decision::NotProcessed(Reason::Throttled, None),
            Some(s) if s >= 500 => Decision::Ambiguous(Reason::ServerFault),
            _ => Decision::Final,
        },
        ErrorKind::Decode => match err.cause {
            Cause::Truncated => Decision::Ambiguous(Reason::Truncated),
            _ => Decision::Final,
        },
        ErrorKind::Api => {
            let code = err.api.code.as_deref().unwrap_or("");
            let sub = err.api.sub_code.as_deref().unwrap_or("");
            if err.status.is_some_and(|s| s >= 500) {
                // A server fault decides before any code in its body: the
                // server may have acted before it failed (a ban text in a 5xx
                // proves nothing).
                return Decision::Ambiguous(Reason::ServerFault);
            }
            if err.status == Some(429) || code.starts_with("Throttling") {
                return Decision::NotProcessed(Reason::Throttled, None);
            }
            if code == "SignatureNonceUsed" {
                return Decision::NotProcessed(Reason::NonceUsed, None);
            }
            if code == "7" {
                let text = [
                    err.api.message.as_deref().unwrap_or(""),
                    " ",
                    err.api.sub_msg.as_deref().unwrap_or(""),
                ]
                .concat();
                // Unreadable, missing or longer than we wait: do not retry.
                return match ban_seconds(&text).and_then(|s| s.checked_mul(1000)) {
                    Some(ms) if ms <= policy.max_ban_wait_ms => {
                        Decision::NotProcessed(Reason::Banned, Some(ms))
                    }
                    _ => Decision::Final,
                };
            }
            if sub.starts_with("isp.") || code == "ServiceUnavailable" || code == "InternalError" {
                return Decision::Ambiguous(Reason::ServerFault);
            }
            Decision::Final
        }
    }
}

/// Whether to retry after `attempt` (1-based) failed, and the wait in ms.
/// `random` is uniform in [0, 1) (anything else counts as 0). Every step
/// saturates: policy numbers and ban floors come from options and servers.
pub fn next_delay(
    decision: Decision,
    repeat_safe: bool,
    attempt: u32,
    policy: &Policy,
    random: f64,
) -> Option<u64> {
    if attempt == 0 || attempt > policy.retries {
        return None;
    }
    let floor = match decision {
        Decision::Final => return None,
        Decision::Ambiguous(_) if !repeat_safe => return None,
        Decision::Ambiguous(_) => 0,
        Decision::NotProcessed(_, min) => min.unwrap_or(0),
    };
    // Exponential backoff with full jitter.
    let exp = policy
        .base_delay_ms
        .saturating_mul(1u64 << (attempt - 1).min(20))
        .min(policy.max_delay_ms);
    let r = if random.is_finite() {
        random.clamp(0.0, 1.0)
    } else {
        0.0
    };
    // `as` from f64 saturates; exp * r <= exp.
    let jitter = ((exp as f64 * r) as u64).min(exp);
    Some(floor.saturating_add(jitter))
}

/// Marks `err.retryable` from the decision and the request's repeat safety,
/// and `err.outcome`.
pub fn mark(err: &mut Error, decision: Decision, repeat_safe: bool) {
    err.retryable = match decision {
        Decision::NotProcessed(..) => true,
        Decision::Ambiguous(_) => repeat_safe,
        Decision::Final => false,
    };
    err.outcome = Some(outcome(err, decision));
}

/// Whether a failed attempt may have taken effect. Only a refusal proves it
/// did not: a throttle or ban, a validation, signature or business error, an
/// HTTP 4xx. A timeout, a reset after sending, an abort, a body that cannot be
/// read, a 5xx or an answer without the fields that prove a result may hide
/// an applied write.
pub fn outcome(err: &Error, decision: Decision) -> Outcome {
    match (decision, err.kind) {
        (Decision::NotProcessed(..), _) => Outcome::NotApplied,
        (Decision::Ambiguous(_), _) => Outcome::Unknown,
        // A provider failure comes before anything is sent.
        (_, ErrorKind::Validation | ErrorKind::Api | ErrorKind::Credentials) => Outcome::NotApplied,
        (_, ErrorKind::Http) if err.status.is_some_and(|s| (400..500).contains(&s)) => {
            Outcome::NotApplied
        }
        _ => Outcome::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ban() {
        assert_eq!(
            ban_seconds("App Call Limited, This ban will last 3 more seconds"),
            Some(3)
        );
        assert_eq!(ban_seconds("nothing"), None);
    }

    #[test]
    fn outcomes() {
        let p = Policy::default();
        let of = |e: Error| {
            let mut e = e;
            let d = classify(&e, &p);
            mark(&mut e, d, false);
            e.outcome
        };
        let http = |s| {
            let mut e = Error::new(ErrorKind::Http, "x");
            e.status = Some(s);
            e
        };
        let unknown = Some(Outcome::Unknown);
        let not = Some(Outcome::NotApplied);
        assert_eq!(of(Error::new(ErrorKind::Timeout, "t")), unknown);
        assert_eq!(of(Error::new(ErrorKind::Network, "n")), unknown);
        assert_eq!(
            of(Error::new(ErrorKind::Network, "n").with_cause(Cause::Refused)),
            not
        );
        assert_eq!(
            of(Error::decode("cut").with_cause(Cause::Truncated)),
            unknown
        );
        assert_eq!(of(Error::new(ErrorKind::Credentials, "c")), not);
        assert_eq!(of(Error::decode("malformed JSON body")), unknown);
        assert_eq!(of(Error::new(ErrorKind::Aborted, "a")), unknown);
        assert_eq!(of(http(502)), unknown);
        assert_eq!(of(http(400)), not);
        assert_eq!(of(http(429)), not);
        assert_eq!(of(Error::invalid("p", "m")), not);
        let api = |code: &str, sub: Option<&str>, status| {
            let mut e = Error::new(ErrorKind::Api, "x");
            e.api.code = Some(code.into());
            e.api.sub_code = sub.map(Into::into);
            e.status = Some(status);
            e
        };
        assert_eq!(of(api("15", Some("isv.invalid"), 200)), not);
        assert_eq!(of(api("15", Some("isp.unknown"), 200)), unknown);
        assert_eq!(of(api("Throttling.User", None, 400)), not);
        assert_eq!(of(api("SignatureDoesNotMatch", None, 400)), not);
        assert_eq!(of(api("InternalError", None, 500)), unknown);
        assert_eq!(of(api("7", None, 200)), not);
    }

    #[test]
    fn delays() {
        let p = Policy::default();
        let amb = Decision::Ambiguous(Reason::ServerFault);
        let ban = Decision::NotProcessed(Reason::Banned, Some(1000));
        assert_eq!(next_delay(Decision::Final, true, 1, &p, 0.5), None);
        assert_eq!(next_delay(amb, false, 1, &p, 0.5), None);
        assert_eq!(next_delay(amb, true, 1, &p, 0.5), Some(100));
        assert_eq!(next_delay(ban, false, 2, &p, 0.0), Some(1000));
        let refused = Decision::NotProcessed(Reason::Refused, None);
        assert_eq!(next_delay(refused, false, 3, &p, 0.0), None);
    }
}
