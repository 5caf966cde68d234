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

/// Where one call stands (beside its `Item`).
#[derive(Clone, Debug, Default)]
struct Slot {
    attempts: u32,
    /// An attempt may have been applied (see the module comment).
    ambiguous: bool,
    /// In the request in flight.
    sent: bool,
    done: Option<Result<String>>,
}

impl Slot {
    /// Classifies the failure of this call's attempt: it either ends with
    /// the error (marked `retryable` and `outcome`) or stays pending; returns
    /// the wait it needs.
    fn settle(&mut self, safe: bool, mut err: Error, policy: &retry::Policy, random: f64) -> u64 {
        let decision = retry::classify(&err, policy);
        retry::mark(&mut err, decision, safe);
        if err.outcome == Some(Outcome::Unknown) {
            self.ambiguous = true;
        } else if self.ambiguous {
            err.outcome = Some(Outcome::Unknown);
        }
        match retry::next_delay(decision, safe, self.attempts, policy, random) {
            Some(ms) if decision.reason().is_some() => ms,
            _ => {
                self.done = Some(Err(err));
                0
            }
        }
    }
}

// Slots are reached by iteration, never by index: an index can panic, and
// the panic message links `core::fmt` into the .wasm (~2 KB).
#[derive(Debug)]
pub struct Batch {
    cfg: TopConfig,
    http: Http,
    items: Vec<Item>,
    slots: Vec<Slot>,
    size: usize,
    separator: Option<String>,
    /// The separator of the request in flight.
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
        Batch {
            cfg,
            http,
            slots: vec![Slot::default(); items.len()],
            items,
            size: size.max(1),
            separator,
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
        let own = self.items.iter().filter_map(|i| i.session.as_ref());
        s.extend(own.map(|x| x.expose()));
        s
    }

    /// Signs the next round (`timestamp`: TOP's GMT+8 form), or `None` when
    /// every call has its result.
    pub fn sign(&mut self, timestamp: &str) -> Option<Result<Prepared>> {
        loop {
            let mut n = 0;
            for s in &mut self.slots {
                s.sent = s.done.is_none() && n < self.size;
                n += usize::from(s.sent);
            }
            if n == 0 {
                return None;
            }
            let items: Vec<&Item> = self.round().map(|(i, _)| i).collect();
            let p = prepare_batch(&self.cfg, &items, timestamp, self.separator.as_deref());
            drop(items);
            let e = match p {
                Ok(p) => {
                    self.sent_separator = separator_of(&p).into();
                    for s in self.slots.iter_mut().filter(|s| s.sent) {
                        s.attempts = s.attempts.saturating_add(1);
                    }
                    return Some(Ok(p));
                }
                Err(e) => e,
            };
            // Before anything left, the whole batch is refused; after, the calls
            // already sent keep their answers and this round's calls fail alone.
            if self.slots.iter().all(|s| s.attempts == 0) {
                self.slots.iter_mut().for_each(|s| s.sent = false);
                return Some(Err(e));
            }
            for s in self.slots.iter_mut().filter(|s| s.sent) {
                let mut e = e.clone();
                e.retryable = false;
                e.outcome = Some(if s.ambiguous {
                    Outcome::Unknown
                } else {
                    Outcome::NotApplied
                });
                s.sent = false;
                s.done = Some(Err(e));
            }
        }
    }

    /// The calls in the request in flight.
    fn round(&self) -> impl Iterator<Item = (&Item, &Slot)> {
        self.items.iter().zip(&self.slots).filter(|(_, s)| s.sent)
    }

    /// The answer to the round. Returns the wait in ms before the next one.
    pub fn received(&mut self, status: u16, content_type: &str, body: &[u8], random: f64) -> u64 {
        let calls: Vec<decode::Call> = self
            .round()
            .map(|(i, _)| decode::Call {
                protocol: Protocol::Top,
                api: &i.api,
                format: self.cfg.format,
                simplify: self.cfg.simplify,
            })
            .collect();
        let r = Received {
            status,
            content_type,
            body,
        };
        let answers = decode::decode_batch(&calls, &r, &self.sent_separator, self.http.max_body);
        drop(calls);
        match answers {
            Ok(parts) => {
                let mut wait = 0;
                let round = self.items.iter().zip(&mut self.slots);
                for ((i, s), part) in round.filter(|(_, s)| s.sent).zip(parts) {
                    s.sent = false;
                    match part {
                        Ok(json) => s.done = Some(Ok(json)),
                        Err(e) => {
                            let w = s.settle(i.repeat_safe, e, &self.http.policy, random);
                            wait = wait.max(w);
                        }
                    }
                }
                wait
            }
            Err(e) => self.whole(e, random),
        }
    }

    /// A transport fault of the round (`detail` as for `Attempts::failed`).
    /// Returns the wait in ms before the next round.
    pub fn failed(&mut self, fault: Fault, detail: &str, random: f64) -> u64 {
        self.whole(fault_error(fault, detail, self.http.timeout_ms), random)
    }

    /// A failure of the whole round: each of its calls settles with it.
    fn whole(&mut self, e: Error, random: f64) -> u64 {
        let mut wait = 0;
        let round = self.items.iter().zip(&mut self.slots);
        for (i, s) in round.filter(|(_, s)| s.sent) {
            s.sent = false;
            wait = wait.max(s.settle(i.repeat_safe, e.clone(), &self.http.policy, random));
        }
        wait
    }

    /// The caller's signal: every pending call fails as aborted; its outcome
    /// is unknown only if an earlier attempt may have been applied.
    pub fn abort(&mut self) {
        for s in self.slots.iter_mut().filter(|s| s.done.is_none()) {
            let mut e = fault_error(Fault::Aborted, "", 0);
            e.outcome = Some(if s.ambiguous {
                Outcome::Unknown
            } else {
                Outcome::NotApplied
            });
            s.sent = false;
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
}
