//! A TOP batch's rounds as a state machine (the batch form of `attempt`).
//! Each round signs the first `size` calls still pending into one request
//! (`prepare::batch`), so larger input is chunked here; the binding sends
//! it and hands over the answer (`received`) or the fault (`failed`), and
//! learns how long to wait before the next round. Every call ends with its
//! own result or error, in request order (`results`).
//!
//! Retry rules, each item classified by `retry::classify` on its own error:
//! - a whole-batch failure that proves nothing was processed (signature,
//!   timestamp or app key refusal is final; HTTP 429, a short code-7 ban,
//!   a refused connection are not) is retried as a batch;
//! - a whole-batch failure that may hide applied writes (timeout, reset,
//!   unreadable or mismatched answer, 5xx) leaves every item's outcome
//!   unknown: only repeat-safe items are sent again, the others fail;
//! - a per-item error decides for that item alone (a ban or throttle: sent
//!   again; `isp.*`: sent again only when repeat-safe).
//!
//! Resent items go first into the next round (a smaller follow-up batch
//! when nothing else is pending). An item keeps its outcome unknown once an
//! attempt of it may have been applied.

use super::attempt::{fault_error, Fault};
use super::config::Http;
use crate::decode::{self, Received};
use crate::error::{Error, ErrorKind, Outcome, Result};
use crate::models::Protocol;
use crate::prelude::*;
use crate::prepare::batch::{prepare_batch, separator_of, Item};
use crate::prepare::{Prepared, TopConfig};
use crate::retry;

/// Where one call stands.
#[derive(Clone, Debug)]
struct Slot {
    attempts: u32,
    /// An attempt may have been applied (see the module comment).
    ambiguous: bool,
    done: Option<Result<String>>,
}

#[derive(Debug)]
pub struct Batch {
    cfg: TopConfig,
    http: Http,
    items: Vec<Item>,
    slots: Vec<Slot>,
    size: usize,
    separator: Option<String>,
    /// The calls in the request in flight, and the separator it was sent with.
    round: Vec<usize>,
    sent_separator: String,
}

impl Batch {
    /// `cfg`: the client's configuration with the shared session;
    /// `size`: calls per request (checked by the caller: ≥ 1).
    pub fn new(
        cfg: TopConfig,
        http: Http,
        items: Vec<Item>,
        size: usize,
        separator: Option<String>,
    ) -> Self {
        let slot = Slot {
            attempts: 0,
            ambiguous: false,
            done: None,
        };
        Batch {
            slots: vec![slot; items.len()],
            cfg,
            http,
            items,
            size: size.max(1),
            separator,
            round: Vec::new(),
            sent_separator: String::new(),
        }
    }

    pub fn http(&self) -> &Http {
        &self.http
    }

    /// The secrets its requests carry (for `Error::scrub`).
    pub fn secrets(&self) -> Vec<&str> {
        let mut s = vec![self.cfg.app_secret.expose()];
        s.extend(self.cfg.session.as_ref().map(|x| x.expose()));
        s.extend(
            self.items
                .iter()
                .filter_map(|i| i.session.as_ref())
                .map(|x| x.expose()),
        );
        s
    }

    /// Signs the next round (`timestamp`: TOP's GMT+8 form), or `None` when
    /// every call has its result.
    pub fn sign(&mut self, timestamp: &str) -> Option<Result<Prepared>> {
        let pending = (0..self.items.len()).filter(|&i| self.slots[i].done.is_none());
        self.round = pending.take(self.size).collect();
        if self.round.is_empty() {
            return None;
        }
        let items: Vec<&Item> = self.round.iter().map(|&i| &self.items[i]).collect();
        let p = prepare_batch(&self.cfg, &items, timestamp, self.separator.as_deref());
        if let Ok(p) = &p {
            self.sent_separator = separator_of(p).into();
            for &i in &self.round {
                self.slots[i].attempts = self.slots[i].attempts.saturating_add(1);
            }
        }
        Some(p)
    }

    /// The answer to the round. Returns the wait in ms before the next one.
    pub fn received(&mut self, status: u16, content_type: &str, body: &[u8], random: f64) -> u64 {
        let calls: Vec<decode::Call> = self
            .round
            .iter()
            .map(|&i| decode::Call {
                protocol: Protocol::Top,
                api: &self.items[i].api,
                format: self.cfg.format,
                simplify: self.cfg.simplify,
            })
            .collect();
        let r = Received {
            status,
            content_type,
            body,
        };
        let max = self.http.max_body;
        let answers = decode::decode_batch(&calls, &r, &self.sent_separator, max);
        let round = core::mem::take(&mut self.round);
        let mut wait = 0;
        match answers {
            Ok(parts) => {
                for (i, part) in round.into_iter().zip(parts) {
                    match part {
                        Ok(json) => self.slots[i].done = Some(Ok(json)),
                        Err(e) => wait = wait.max(self.settle(i, e, random)),
                    }
                }
            }
            Err(e) => {
                for i in round {
                    wait = wait.max(self.settle(i, e.clone(), random));
                }
            }
        }
        wait
    }

    /// A transport fault of the round (`detail` as for `Attempts::failed`).
    /// Returns the wait in ms before the next round.
    pub fn failed(&mut self, fault: Fault, detail: &str, random: f64) -> u64 {
        let e = fault_error(fault, detail, self.http.timeout_ms);
        let round = core::mem::take(&mut self.round);
        let mut wait = 0;
        for i in round {
            wait = wait.max(self.settle(i, e.clone(), random));
        }
        wait
    }

    /// The caller's signal: every pending call fails as aborted; its outcome
    /// is unknown only if an earlier attempt may have been applied.
    pub fn abort(&mut self) {
        self.round.clear();
        for s in self.slots.iter_mut().filter(|s| s.done.is_none()) {
            let mut e = fault_error(Fault::Aborted, "", 0);
            e.outcome = Some(if s.ambiguous {
                Outcome::Unknown
            } else {
                Outcome::NotApplied
            });
            s.done = Some(Err(e));
        }
    }

    /// Each call's result (JSON text) or error, and its attempts, in request
    /// order; a call without one (the loop was left early) is an internal error.
    pub fn results(&mut self) -> Vec<(Result<String>, u32)> {
        let none = || Error::new(ErrorKind::Internal, "the batch ended before this call did");
        self.slots
            .iter_mut()
            .map(|s| (s.done.take().unwrap_or_else(|| Err(none())), s.attempts))
            .collect()
    }

    /// Classifies item `i`'s failure: it either ends with the error (marked
    /// `retryable` and `outcome`) or stays pending; returns the wait it needs.
    fn settle(&mut self, i: usize, mut err: Error, random: f64) -> u64 {
        let policy = &self.http.policy;
        let safe = self.items[i].repeat_safe;
        let slot = &mut self.slots[i];
        let decision = retry::classify(&err, policy);
        retry::mark(&mut err, decision, safe);
        if err.outcome == Some(Outcome::Unknown) {
            slot.ambiguous = true;
        } else if slot.ambiguous {
            err.outcome = Some(Outcome::Unknown);
        }
        match retry::next_delay(decision, safe, slot.attempts, policy, random) {
            Some(ms) if decision.reason().is_some() => ms,
            _ => {
                slot.done = Some(Err(err));
                0
            }
        }
    }
}
