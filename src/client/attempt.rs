//! One call's attempts as a state machine. The binding signs an attempt
//! (`signed`), sends it, and hands over what happened: a complete response
//! (`received`) or a transport fault (`failed`). Each answer is a `Step`:
//! retry after N ms (with the reason), done with the decoded result, or failed
//! with the final error. A failure is repeated only when it proves the request
//! was not processed, or when the request is repeat-safe (`retry`).

use super::config::Http;
use crate::decode::{self, Received};
use crate::error::{Cause, Error, ErrorKind, Outcome};
use crate::models::Protocol;
use crate::prelude::*;
use crate::prepare::Format;
use crate::retry::{self, Reason};

/// Which call the responses belong to (what `decode` needs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub protocol: Protocol,
    pub api: String,
    pub format: Format,
    pub simplify: bool,
}

/// How an attempt failed without a complete response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The caller's signal aborted it (before, during, or in the wait after).
    Aborted,
    /// No complete response within the timeout.
    Timeout,
    /// The connection was refused: nothing was sent.
    Refused,
    /// Reset, DNS, TLS…: the request may have reached the server.
    Network,
    /// The response head arrived and reading the body failed.
    Body,
    /// The credentials provider did not settle within the timeout: nothing
    /// was sent, but it counts as an attempt so the retry bound holds.
    Provider,
}

/// What the binding does next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Sign a new attempt after waiting `after_ms`.
    Retry { after_ms: u64, reason: Reason },
    /// The decoded result (JSON text for `JSON.parse`).
    Done(String),
    /// The final error (`retryable` set from the policy).
    Failed(Error),
}

/// The state of one call.
#[derive(Clone, Debug)]
pub struct Attempts {
    target: Target,
    http: Http,
    attempt: u32,
    repeat_safe: bool,
    /// An earlier attempt may have been applied: the call's outcome stays
    /// unknown whatever later attempts prove about themselves.
    ambiguous: bool,
}

impl Attempts {
    pub fn new(target: Target, http: Http) -> Self {
        Attempts {
            target,
            http,
            attempt: 0,
            repeat_safe: false,
            ambiguous: false,
        }
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    pub fn http(&self) -> &Http {
        &self.http
    }

    /// Attempts signed so far (what errors report as `attempts`).
    pub fn attempts(&self) -> u32 {
        self.attempt
    }

    /// A new attempt was signed; `repeat_safe` is its request's
    /// (`Prepared::repeat_safe`), which decides ambiguous failures.
    pub fn signed(&mut self, repeat_safe: bool) {
        self.attempt = self.attempt.saturating_add(1);
        self.repeat_safe = repeat_safe;
    }

    /// A complete response. `random` is uniform in [0, 1) (the backoff jitter).
    pub fn received(&mut self, status: u16, content_type: &str, body: &[u8], random: f64) -> Step {
        let t = &self.target;
        let call = decode::Call {
            protocol: t.protocol,
            api: &t.api,
            format: t.format,
            simplify: t.simplify,
        };
        let r = Received {
            status,
            content_type,
            body,
        };
        match decode::decode(&call, &r, self.http.max_body) {
            Ok(json) => Step::Done(json),
            Err(e) => self.failure(e, random),
        }
    }

    /// A transport fault. `detail` names what the runtime threw, in words the
    /// binding chose (never a runtime's message: it can quote a credential).
    pub fn failed(&mut self, fault: Fault, detail: &str, random: f64) -> Step {
        if fault == Fault::Provider {
            self.attempt = self.attempt.saturating_add(1);
        }
        let e = fault_error(fault, detail, self.http.timeout_ms);
        self.failure(e, random)
    }

    fn failure(&mut self, mut err: Error, random: f64) -> Step {
        let policy = &self.http.policy;
        let decision = retry::classify(&err, policy);
        retry::mark(&mut err, decision, self.repeat_safe);
        if err.outcome == Some(Outcome::Unknown) {
            self.ambiguous = true;
        } else if self.ambiguous {
            err.outcome = Some(Outcome::Unknown);
        }
        let delay = retry::next_delay(decision, self.repeat_safe, self.attempt, policy, random);
        match (delay, decision.reason()) {
            (Some(after_ms), Some(reason)) => Step::Retry { after_ms, reason },
            _ => Step::Failed(err),
        }
    }
}

/// The error of a transport fault (`detail`: see `Attempts::failed`); a
/// batch (`client::batch`) shares it.
pub fn fault_error(fault: Fault, detail: &str, timeout_ms: u32) -> Error {
    match fault {
        Fault::Aborted => Error::new(
            ErrorKind::Aborted,
            "the request was aborted by the caller's signal",
        ),
        Fault::Timeout => Error::new(
            ErrorKind::Timeout,
            [
                "no complete response within ",
                &crate::schema::decimal(timeout_ms.into()),
                " ms",
            ]
            .concat(),
        ),
        Fault::Body => Error::decode(
            [
                "truncated body: the connection failed while reading it: ",
                detail,
            ]
            .concat(),
        )
        .with_cause(Cause::Truncated),
        Fault::Refused => Error::new(
            ErrorKind::Network,
            ["request failed: connection refused: ", detail].concat(),
        )
        .with_cause(Cause::Refused),
        Fault::Network => Error::new(ErrorKind::Network, ["request failed: ", detail].concat()),
        Fault::Provider => {
            let ms = crate::schema::decimal(i64::from(timeout_ms));
            Error::new(
                ErrorKind::Timeout,
                [
                    "the credentials provider did not answer within ",
                    &ms,
                    " ms",
                ]
                .concat(),
            )
            .with_cause(Cause::NotSent)
        }
    }
}
