//! `TopClient.batch` / `prepareBatch`: a `Batch` takes the calls one by one
//! (each validated by the core as it arrives, `prepare::batch::item`), then
//! either prepares one request (`__prepare`) or runs the core's rounds
//! (`client::batch`) while the JS entry does the IO, as `Call` does.

use super::builders::Request;
use super::execution::call_args;
use super::options::{
    check_keys, opt_number, opt_signal, opt_string, option_timestamp, HttpIo, MAX_OPTION_CHARS,
};
use super::random::jitter;
use super::{core_err, get, in_band, js, present, to_js_error, transport};
use aligate::client::batch::Batch as Rounds;
use aligate::client::config::Http;
use aligate::client::Fault;
use aligate::error::{Error, Issue};
use aligate::prelude::*;
use aligate::prepare::batch::{self, item, Calls, Item};
use aligate::prepare::{Secret, TopConfig};
use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;

const RUN_KEYS: [&str; 6] = [
    "session",
    "signal",
    "timeoutMs",
    "retries",
    "batchSize",
    "separator",
];
const PREPARE_KEYS: [&str; 3] = ["timestamp", "session", "separator"];

#[wasm_bindgen]
pub struct Batch {
    cfg: TopConfig,
    calls: Calls,
    http: Http,
    size: usize,
    separator: Option<String>,
    /// `prepareBatch`'s signing time.
    timestamp: String,
    fetch: Option<Function>,
    signal: JsValue,
    rounds: Option<Rounds>,
}

/// A batch for `client` with the call's options (`prepare`: those of
/// `prepareBatch`).
pub(crate) fn new_batch(
    cfg: &TopConfig,
    io: &HttpIo,
    opts: &JsValue,
    prepare: bool,
) -> Result<Batch, JsValue> {
    check_keys(
        opts,
        if prepare { &PREPARE_KEYS } else { &RUN_KEYS },
        "options",
    )?;
    let mut cfg = cfg.clone();
    if let Some(s) = opt_string(opts, "session", "options")? {
        cfg.session = Some(Secret::new(s));
    }
    let separator = opt_string(opts, "separator", "options")?;
    let timestamp = if prepare {
        option_timestamp(opts, present(opts), aligate::time::top_timestamp)?
    } else {
        String::new()
    };
    let size = batch::batch_size(opt_number(opts, "batchSize")?).map_err(core_err)?;
    Ok(Batch {
        cfg,
        calls: Calls::default(),
        http: io.with_call(opts)?,
        size,
        separator,
        timestamp,
        fetch: io.fetch.clone(),
        signal: opt_signal(opts)?
            .map(JsValue::from)
            .unwrap_or(JsValue::UNDEFINED),
        rounds: None,
    })
}

/// A thrown `AligateError` back as a core error (its issues, for the
/// index prefix). Read through `get` (no `Array.from`: it can run caller
/// code, and every import that can throw must be a catching one).
fn from_js(e: &JsValue) -> Error {
    let text = |v: &JsValue, k: &str| get(v, k).as_string().unwrap_or_default();
    let list = get(e, "issues");
    let n = get(&list, "length")
        .as_f64()
        .unwrap_or(0.0)
        .clamp(0.0, 100.0) as usize;
    let issues: Vec<Issue> = (0..n)
        .map(|i| {
            let issue = get(&list, &aligate::schema::decimal(i as i64));
            Issue {
                path: text(&issue, "path"),
                message: text(&issue, "message"),
            }
        })
        .collect();
    if issues.is_empty() {
        Error::invalid("", text(e, "message"))
    } else {
        Error::validation(issues)
    }
}

impl Batch {
    /// A call's fields (read by the JS entry) validated as one call.
    fn read_call(&self, api: &JsValue, params: &JsValue, session: &JsValue) -> Result<Item, Error> {
        let session = match js::string_capped(session, MAX_OPTION_CHARS) {
            Some(Ok(s)) => Some(Secret::new(s)),
            _ if !present(session) => None,
            _ => return Err(Error::invalid("session", "expected a string")),
        };
        let (name, value, js_numbers) = call_args(api, params).map_err(|e| from_js(&e))?;
        item(&self.cfg, &name, &value, js_numbers, session)
    }

    fn error(&self, mut e: Error, attempts: u32) -> JsValue {
        if let Some(r) = &self.rounds {
            e.scrub(&r.secrets());
        }
        to_js_error(&e, attempts)
    }

    fn rounds(&mut self) -> Result<&mut Rounds, JsValue> {
        self.rounds
            .as_mut()
            .ok_or_else(|| super::invalid("this", "the batch has not started"))
    }
}

#[wasm_bindgen]
impl Batch {
    /// Adds a call given as `{ api, params, session? }` (its fields).
    #[wasm_bindgen(js_name = "__add")]
    pub fn add(&mut self, api: JsValue, params: JsValue, session: JsValue) {
        let item = self.read_call(&api, &params, &session);
        self.calls.push(item);
    }

    /// Adds a builder's call (its parameters used in place).
    #[wasm_bindgen(js_name = "__addRequest")]
    pub fn add_request(&mut self, req: &Request) {
        let item = item(&self.cfg, req.model().api, req.params(), true, None);
        self.calls.push(item);
    }

    /// `prepareBatch`: the prepared line of one request with every call, or
    /// the error (in band, like `prepare`).
    #[wasm_bindgen(js_name = "__prepare")]
    pub fn prepare(&mut self) -> JsValue {
        let calls = core::mem::take(&mut self.calls);
        let line = calls.finish().and_then(|items| {
            let refs: Vec<&Item> = items.iter().collect();
            let sep = self.separator.as_deref();
            let p = batch::prepare_batch(&self.cfg, &refs, &self.timestamp, sep)?;
            aligate::line::build(&p, false)
        });
        in_band(line.map_err(core_err))
    }

    /// Ends the adding (throws the validation error of every invalid call)
    /// and returns the IO settings for the JS side: `[fetch, signal,
    /// timeoutMs, maxBodyBytes]`.
    #[wasm_bindgen(js_name = "__start")]
    pub fn start(&mut self) -> Result<Array, JsValue> {
        let items = core::mem::take(&mut self.calls)
            .finish()
            .map_err(core_err)?;
        let sep = self.separator.take();
        if let Some(s) = &sep {
            batch::check_separator(s).map_err(core_err)?;
        }
        let rounds = Rounds::new(self.cfg.clone(), self.http.clone(), items, self.size, sep);
        self.rounds = Some(rounds);
        let fetch: JsValue = self.fetch.clone().map(JsValue::from).unwrap_or_default();
        let a = Array::of2(&fetch, &self.signal);
        a.push(&JsValue::from(self.http.timeout_ms));
        a.push(&JsValue::from(self.http.max_body as f64));
        Ok(a)
    }

    /// Signs the next round: its prepared line, or `undefined` when every
    /// call has its result.
    #[wasm_bindgen(js_name = "__sign")]
    pub fn sign(&mut self) -> Result<Option<String>, JsValue> {
        let ts = aligate::time::top_timestamp(js_sys::Date::now() as i64)
            .ok_or_else(|| super::invalid("timestamp", "clock out of range"))?;
        let signed = self.rounds()?.sign(&ts);
        match signed {
            None => Ok(None),
            Some(p) => p
                .and_then(|p| aligate::line::build(&p, false))
                .map(Some)
                .map_err(|e| self.error(e, 0)),
        }
    }

    /// The round's answer; returns the wait in ms before the next round.
    #[wasm_bindgen(js_name = "__received")]
    pub fn received(
        &mut self,
        status: u16,
        content_type: &str,
        body: &[u8],
    ) -> Result<f64, JsValue> {
        Ok(self
            .rounds()?
            .received(status, content_type, body, jitter()) as f64)
    }

    /// The round failed without an answer (`what` as for `Call.__failed`);
    /// returns the wait in ms before the next round.
    #[wasm_bindgen(js_name = "__failed")]
    pub fn failed(&mut self, what: &str, error: JsValue) -> Result<f64, JsValue> {
        let fault = match what {
            "aborted" => Fault::Aborted,
            "timeout" => Fault::Timeout,
            "body" => Fault::Body,
            _ => transport::classify_fetch_error(&error),
        };
        let detail = match fault {
            Fault::Body | Fault::Refused | Fault::Network => transport::describe_js_error(&error),
            _ => String::new(),
        };
        Ok(self.rounds()?.failed(fault, &detail, jitter()) as f64)
    }

    /// The caller's signal fired: every pending call fails as aborted.
    #[wasm_bindgen(js_name = "__abort")]
    pub fn abort(&mut self) -> Result<(), JsValue> {
        self.rounds()?.abort();
        Ok(())
    }

    /// Each call's result as JSON text or its `AligateError`, in request
    /// order (the JS entry makes `{ ok, result | error }` of them).
    #[wasm_bindgen(js_name = "__results")]
    pub fn results(&mut self) -> Result<Array, JsValue> {
        let results = self.rounds()?.results();
        let out = Array::new();
        for (r, attempts) in results {
            out.push(&match r {
                Ok(json) => JsValue::from(json),
                Err(e) => self.error(e, attempts),
            });
        }
        Ok(out)
    }
}
