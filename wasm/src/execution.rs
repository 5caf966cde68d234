//! `Call`: one `execute` over the core's attempt state machine
//! (`client::Attempts`). The JS entry runs the loop and does the IO (fetch,
//! timers, the credentials provider); this binding signs each attempt afresh,
//! hands responses and faults to the core, and converts its steps.

use super::options::{check_keys, opt_signal, opt_string, HttpIo, MAX_OPTION_CHARS};
use super::random::{fresh_nonce, jitter};
use super::{core_err, get, invalid, js, params_json, present, to_js_error, transport};
use aligate::client::{Attempts, CredentialCache, Credentials, Fault, Step, Target};
use aligate::error::Error;
use aligate::json::Json;
use aligate::models::Protocol;
use aligate::prelude::*;
use aligate::prepare::{self, Prepared, RpcConfig, Secret, TopConfig};
use alloc::rc::Rc;
use core::cell::RefCell;
use js_sys::Function;
use wasm_bindgen::prelude::*;

fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// The api name and parsed parameters of `(api, params)`, and whether they
/// passed through JS numbers. Builders take `__prepareRequest` / `__callRequest`.
pub(crate) fn call_args(api: &JsValue, params: &JsValue) -> Result<(String, Json, bool), JsValue> {
    let name = api
        .as_string()
        .ok_or_else(|| invalid("api", "expected an API name or a request builder"))?;
    let (json, js) = params_json(params)?;
    let value = prepare::parse_params(&json).map_err(core_err)?;
    Ok((name, value, js))
}

/// Credentials from an async provider (rotating STS), cached by the core.
#[derive(Clone)]
pub(crate) struct Provider {
    call: Function,
    cache: Rc<RefCell<CredentialCache>>,
}

impl Provider {
    pub(crate) fn new(call: Function) -> Self {
        Provider {
            call,
            cache: Rc::new(RefCell::new(CredentialCache::new())),
        }
    }

    fn needs_refresh(&self) -> bool {
        self.cache.borrow().needs_refresh(now_ms())
    }

    /// The credentials to sign with now.
    pub(crate) fn current(&self) -> Option<Credentials> {
        self.cache.borrow().current(now_ms()).cloned()
    }

    /// Takes what the provider returned (the JS side awaits it): `ok` false
    /// means it threw or rejected with `v`.
    fn accept(&self, ok: bool, v: &JsValue) -> Result<(), Error> {
        if !ok {
            // Not its message: a provider's failure text can quote a credential.
            let name = js::error_name(v).unwrap_or_else(|| "a non-Error value".into());
            return Err(Credentials::provider_failed(&name));
        }
        let expiration = get(v, "expiration");
        let expires = if let Some(Ok(s)) = js::string_capped(&expiration, 64) {
            Some(js_sys::Date::parse(&s))
        } else if present(&expiration) {
            // Present but unreadable (`true`, `{}`, a long string) is NaN, which
            // the core refuses: never "never expires".
            Some(
                expiration
                    .as_f64()
                    .or_else(|| js::date_ms(&expiration))
                    .unwrap_or(f64::NAN),
            )
        } else {
            None
        };
        let creds = Credentials::from_provider(
            field(v, "accessKeyId"),
            field(v, "accessKeySecret"),
            field(v, "securityToken"),
            expires,
        )?;
        self.cache.borrow_mut().accept(creds);
        Ok(())
    }
}

/// `v[k]` when it is a string of at most `MAX_OPTION_CHARS` (one copy of the
/// code for the three fields, not three inlined).
#[inline(never)]
fn field(v: &JsValue, k: &str) -> Option<String> {
    js::string_capped(&get(v, k), MAX_OPTION_CHARS).and_then(|s| s.ok())
}

pub(crate) enum Signer {
    Top(TopConfig),
    Rpc(RpcConfig, Option<Provider>),
}

impl Signer {
    fn target(&self, api: String) -> Target {
        let (protocol, format, simplify) = match self {
            Signer::Top(c) => (Protocol::Top, c.format, c.simplify),
            Signer::Rpc(c, _) => (Protocol::AliyunRpc, c.format, false),
        };
        Target {
            protocol,
            api,
            format,
            simplify,
        }
    }

    /// Scrubs the secrets this signer puts in requests from `err`
    /// (`Error::scrub`): a gateway may echo the request.
    fn scrub(&self, err: &mut Error) {
        fn open(s: Option<&Secret>) -> &str {
            s.map_or("", Secret::expose)
        }
        match self {
            Signer::Top(c) => err.scrub(&[c.app_secret.expose(), open(c.session.as_ref())]),
            Signer::Rpc(c, p) => {
                let latest = p.as_ref().and_then(|p| p.cache.borrow().latest().cloned());
                err.scrub(&[
                    c.access_key_secret.expose(),
                    open(c.security_token.as_ref()),
                    open(latest.as_ref().map(|c| &c.access_key_secret)),
                    open(latest.as_ref().and_then(|c| c.security_token.as_ref())),
                ]);
            }
        }
    }

    /// Signs one attempt with a fresh timestamp (and nonce, and the
    /// provider's current credentials when there is a provider).
    fn sign_now(&self, api: &str, params: &Json, js: bool) -> Result<Prepared, Error> {
        let now = now_ms();
        let clock = || Error::invalid("timestamp", "clock out of range");
        match self {
            Signer::Top(c) => {
                let ts = aligate::time::top_timestamp(now).ok_or_else(clock)?;
                prepare::prepare_top(c, api, params, js, &ts)
            }
            Signer::Rpc(c, provider) => {
                let ts = aligate::time::iso_utc(now).ok_or_else(clock)?;
                let nonce = fresh_nonce()?;
                match provider {
                    None => prepare::prepare_rpc(c, api, params, js, &ts, &nonce),
                    Some(p) => {
                        let creds = p.current().ok_or_else(|| {
                            Error::invalid("credentials", "the provider has no current credentials")
                        })?;
                        prepare::prepare_rpc(&creds.apply(c), api, params, js, &ts, &nonce)
                    }
                }
            }
        }
    }
}

/// One `execute` call (see the module comment).
#[wasm_bindgen]
pub struct Call {
    signer: Signer,
    params: Json,
    js: bool,
    fetch: Option<Function>,
    signal: JsValue,
    attempts: Attempts,
}

pub(crate) fn new_call(
    signer: Signer,
    io: &HttpIo,
    (api, params, js): (String, Json, bool),
    opts: &JsValue,
) -> Result<Call, JsValue> {
    check_keys(
        opts,
        &["signal", "timeoutMs", "retries", "session"],
        "options",
    )?;
    let http = io.with_call(opts)?;
    let signal = opt_signal(opts)?
        .map(JsValue::from)
        .unwrap_or(JsValue::UNDEFINED);
    let signer = match (signer, opt_string(opts, "session", "options")?) {
        (Signer::Top(mut c), Some(s)) => {
            c.session = Some(Secret::new(s));
            Signer::Top(c)
        }
        (s, _) => s,
    };
    let attempts = Attempts::new(signer.target(api), http);
    Ok(Call {
        signer,
        params,
        js,
        fetch: io.fetch.clone(),
        signal,
        attempts,
    })
}

#[wasm_bindgen]
impl Call {
    /// True when the provider must be awaited before the next `__sign`.
    #[wasm_bindgen(js_name = "__needsCredentials")]
    pub fn needs_credentials(&self) -> bool {
        matches!(&self.signer, Signer::Rpc(_, Some(p)) if p.needs_refresh())
    }

    /// Hands the provider's outcome over (see `Provider::accept`).
    #[wasm_bindgen(js_name = "__setCredentials")]
    pub fn set_credentials(&self, ok: bool, value: JsValue) -> Result<(), JsValue> {
        match &self.signer {
            Signer::Rpc(_, Some(p)) => p
                .accept(ok, &value)
                .map_err(|e| to_js_error(&e, self.attempts.attempts())),
            _ => Ok(()),
        }
    }

    #[wasm_bindgen(js_name = "__provider")]
    pub fn provider(&self) -> JsValue {
        match &self.signer {
            Signer::Rpc(_, Some(p)) => p.call.clone().into(),
            _ => JsValue::UNDEFINED,
        }
    }

    /// Signs the next attempt: the prepared line (`aligate::line`).
    #[wasm_bindgen(js_name = "__sign")]
    pub fn sign(&mut self) -> Result<String, JsValue> {
        let api = &self.attempts.target().api;
        let signed = self
            .signer
            .sign_now(api, &self.params, self.js)
            .and_then(|p| Ok((aligate::line::build(&p, false)?, p.repeat_safe)));
        let (line, repeat_safe) = signed.map_err(|e| to_js_error(&e, self.attempts.attempts()))?;
        self.attempts.signed(repeat_safe);
        Ok(line)
    }

    /// IO settings for the JS side: `[fetch, signal, timeoutMs, maxBodyBytes]`.
    #[wasm_bindgen(js_name = "__io")]
    pub fn io(&self) -> js_sys::Array {
        let fetch: JsValue = self
            .fetch
            .clone()
            .map(JsValue::from)
            .unwrap_or(JsValue::UNDEFINED);
        let http = self.attempts.http();
        let a = js_sys::Array::of2(&fetch, &self.signal);
        a.push(&JsValue::from(http.timeout_ms));
        a.push(&JsValue::from(http.max_body as f64));
        a
    }

    /// A complete response: the result as JSON text, or the wait in ms before
    /// the next attempt; throws the final `AligateError`.
    #[wasm_bindgen(js_name = "__received")]
    pub fn received(
        &mut self,
        status: u16,
        content_type: &str,
        body: &[u8],
    ) -> Result<JsValue, JsValue> {
        let step = self.attempts.received(status, content_type, body, jitter());
        self.step(step)
    }

    /// A failed attempt: `what` is `aborted` (the caller's signal), `timeout`,
    /// `credentials` (the provider did not settle within the timeout),
    /// `network` (fetch rejected with `error`) or `body` (the body read failed).
    /// Returns the wait in ms before the next attempt; throws the final error.
    #[wasm_bindgen(js_name = "__failed")]
    pub fn failed(&mut self, what: &str, error: JsValue) -> Result<f64, JsValue> {
        let fault = match what {
            "aborted" => Fault::Aborted,
            "timeout" => Fault::Timeout,
            "body" => Fault::Body,
            "credentials" => Fault::Provider,
            _ => transport::classify_fetch_error(&error),
        };
        let detail = match fault {
            Fault::Body | Fault::Refused | Fault::Network => transport::describe_js_error(&error),
            Fault::Aborted | Fault::Timeout | Fault::Provider => String::new(),
        };
        let step = self.attempts.failed(fault, &detail, jitter());
        self.step(step).map(|v| v.as_f64().unwrap_or_default())
    }
}

impl Call {
    /// A step for the JS loop: JSON text (done), a number (wait, then sign
    /// again), or the thrown final error.
    fn step(&self, step: Step) -> Result<JsValue, JsValue> {
        match step {
            Step::Done(json) => Ok(json.into()),
            Step::Retry { after_ms, .. } => Ok(JsValue::from(after_ms as f64)),
            Step::Failed(mut e) => {
                self.signer.scrub(&mut e);
                Err(to_js_error(&e, self.attempts.attempts()))
            }
        }
    }
}
