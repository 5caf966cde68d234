//! Retry policy: which failures may be repeated, and how long to wait.
//! Pure: the bindings run the loop and supply randomness.

use crate::error::{Error, ErrorKind, Outcome};
use crate::prelude::*;

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

/// How a failed attempt was classified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Proven not processed: always safe to repeat; optional minimum wait.
    NotProcessed(Option<u64>),
    /// May have been processed: repeat only when the request is repeat-safe.
    Ambiguous,
    /// Repeating cannot help.
    Final,
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

/// Extra context the transport knows about a network failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetworkFault {
    /// The connection was refused: nothing was sent.
    Refused,
    /// Reset, DNS, TLS…: the request may have reached the server.
    Other,
}

pub fn classify(err: &Error, network: Option<NetworkFault>, policy: &Policy) -> Decision {
    match err.kind {
        ErrorKind::Validation | ErrorKind::Aborted | ErrorKind::Internal => Decision::Final,
        ErrorKind::Network => match network {
            Some(NetworkFault::Refused) => Decision::NotProcessed(None),
            _ => Decision::Ambiguous,
        },
        ErrorKind::Timeout => Decision::Ambiguous,
        ErrorKind::Http => match err.status {
            Some(429) => Decision::NotProcessed(None),
            Some(s) if s >= 500 => Decision::Ambiguous,
            _ => Decision::Final,
        },
        ErrorKind::Decode => {
            if err.message.starts_with("truncated") {
                Decision::Ambiguous
            } else {
                Decision::Final
            }
        }
        ErrorKind::Api => {
            let code = err.api.code.as_deref().unwrap_or("");
            let sub = err.api.sub_code.as_deref().unwrap_or("");
            if err.status == Some(429)
                || code.starts_with("Throttling")
                || code == "SignatureNonceUsed"
            {
                return Decision::NotProcessed(None);
            }
            if code == "7" {
                let text = format!(
                    "{} {}",
                    err.api.message.as_deref().unwrap_or(""),
                    err.api.sub_msg.as_deref().unwrap_or("")
                );
                // Unreadable, missing or longer than we wait: do not retry.
                return match ban_seconds(&text).and_then(|s| s.checked_mul(1000)) {
                    Some(ms) if ms <= policy.max_ban_wait_ms => Decision::NotProcessed(Some(ms)),
                    _ => Decision::Final,
                };
            }
            if sub.starts_with("isp.") || code == "ServiceUnavailable" || code == "InternalError" {
                return Decision::Ambiguous;
            }
            if err.status.is_some_and(|s| s >= 500) && !code.is_empty() && sub.is_empty() {
                // Aliyun 5xx with an unknown code: the server failed, maybe after acting.
                return Decision::Ambiguous;
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
        Decision::Ambiguous if !repeat_safe => return None,
        Decision::Ambiguous => 0,
        Decision::NotProcessed(min) => min.unwrap_or(0),
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
        Decision::NotProcessed(_) => true,
        Decision::Ambiguous => repeat_safe,
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
        (Decision::NotProcessed(_), _) => Outcome::NotApplied,
        (Decision::Ambiguous, _) => Outcome::Unknown,
        (_, ErrorKind::Validation | ErrorKind::Api) => Outcome::NotApplied,
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
        let of = |e: Error, fault| {
            let mut e = e;
            let d = classify(&e, fault, &p);
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
        assert_eq!(of(Error::new(ErrorKind::Timeout, "t"), None), unknown);
        assert_eq!(
            of(
                Error::new(ErrorKind::Network, "n"),
                Some(NetworkFault::Other)
            ),
            unknown
        );
        assert_eq!(
            of(
                Error::new(ErrorKind::Network, "n"),
                Some(NetworkFault::Refused)
            ),
            not
        );
        assert_eq!(of(Error::decode("truncated JSON body"), None), unknown);
        assert_eq!(of(Error::decode("malformed JSON body"), None), unknown);
        assert_eq!(of(Error::new(ErrorKind::Aborted, "a"), None), unknown);
        assert_eq!(of(http(502), None), unknown);
        assert_eq!(of(http(400), None), not);
        assert_eq!(of(http(429), None), not);
        assert_eq!(of(Error::invalid("p", "m"), None), not);
        let api = |code: &str, sub: Option<&str>, status| {
            let mut e = Error::new(ErrorKind::Api, "x");
            e.api.code = Some(code.into());
            e.api.sub_code = sub.map(Into::into);
            e.status = Some(status);
            e
        };
        assert_eq!(of(api("15", Some("isv.invalid"), 200), None), not);
        assert_eq!(of(api("15", Some("isp.unknown"), 200), None), unknown);
        assert_eq!(of(api("Throttling.User", None, 400), None), not);
        assert_eq!(of(api("SignatureDoesNotMatch", None, 400), None), not);
        assert_eq!(of(api("InternalError", None, 500), None), unknown);
        assert_eq!(of(api("7", None, 200), None), not);
    }

    #[test]
    fn delays() {
        let p = Policy::default();
        assert_eq!(next_delay(Decision::Final, true, 1, &p, 0.5), None);
        assert_eq!(next_delay(Decision::Ambiguous, false, 1, &p, 0.5), None);
        assert_eq!(next_delay(Decision::Ambiguous, true, 1, &p, 0.5), Some(100));
        assert_eq!(
            next_delay(Decision::NotProcessed(Some(1000)), false, 2, &p, 0.0),
            Some(1000)
        );
        assert_eq!(
            next_delay(Decision::NotProcessed(None), false, 3, &p, 0.0),
            None
        );
    }
}
