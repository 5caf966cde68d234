//! `TopClient` and `LinkedMallClient`: option conversion, `prepare`, and the
//! attempt loop around the core (sign → send → decode → retry policy).

use super::builders::Request;
use super::js;
use super::transport;
use super::{core_err, get, in_band, invalid, params_json, prepared_to_line, present, to_js_error};
use crate::decode;
use crate::error::Error;
use crate::json::Json;
use crate::models::Protocol;
use crate::prelude::*;
use crate::prepare::{
    self, Format, HttpMethod, Prepared, RpcConfig, Secret, SignatureVersion, TopConfig,
    LINKEDMALL_DEFAULT_ENDPOINT, TOP_DEFAULT_ENDPOINT,
};
use crate::retry::{self, Policy};
use crate::sign::{aliyun_rpc, top::SignMethod};
use alloc::rc::Rc;
use core::cell::RefCell;
use js_sys::{Function, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::AbortSignal;

const DEFAULT_TIMEOUT_MS: u32 = 15_000;

/// Option strings are short (keys, tokens, URLs); longer ones are refused
/// before they are copied into wasm memory.
const MAX_OPTION_CHARS: usize = 64 * 1024;

/// Rejects option names the client does not know (typos would otherwise be silent).
fn check_keys(opts: &JsValue, allowed: &[&str], what: &str) -> Result<(), JsValue> {
    if !present(opts) {
        return Ok(());
    }
    if !opts.is_object() {
        return Err(invalid(what, "expected an object"));
    }
    let keys = js::keys(opts).map_err(|_| invalid(what, "listing its keys threw"))?;
    for k in keys {
        if !allowed.contains(&k.as_str()) {
            // The key is the caller's text: named only when it is a plain word.
            let k = if js::identifier(&k) { k } else { "?".into() };
            return Err(invalid(
                &format!("{what}.{k}"),
                &format!("unknown option; expected one of {}", allowed.join(", ")),
            ));
        }
    }
    Ok(())
}

/// `opts[key]`; a getter or Proxy trap that throws is an error naming the option.
fn opt(opts: &JsValue, key: &str, what: &str) -> Result<JsValue, JsValue> {
    js::read(opts, key).map_err(|_| invalid(&format!("{what}.{key}"), "reading it threw"))
}

fn opt_string(opts: &JsValue, key: &str, what: &str) -> Result<Option<String>, JsValue> {
    let v = opt(opts, key, what)?;
    if !present(&v) {
        return Ok(None);
    }
    match js::string_capped(&v, MAX_OPTION_CHARS) {
        Some(Ok(s)) => Ok(Some(s)),
        Some(Err(_)) => Err(invalid(
            &format!("{what}.{key}"),
            &format!("longer than the {MAX_OPTION_CHARS} characters aligate accepts"),
        )),
        None => Err(invalid(&format!("{what}.{key}"), "expected a string")),
    }
}

fn req_string(opts: &JsValue, key: &str, what: &str) -> Result<String, JsValue> {
    match opt_string(opts, key, what)? {
        Some(s) if !s.trim().is_empty() => Ok(s),
        _ => Err(invalid(&format!("{what}.{key}"), "is required")),
    }
}

fn opt_u32(opts: &JsValue, key: &str, what: &str, max: u32) -> Result<Option<u32>, JsValue> {
    let v = opt(opts, key, what)?;
    if !present(&v) {
        return Ok(None);
    }
    match v.as_f64() {
        Some(f) if f >= 0.0 && f <= max as f64 && f == (f as u32) as f64 => Ok(Some(f as u32)),
        _ => Err(invalid(
            &format!("{what}.{key}"),
            &format!("expected an integer from 0 to {max}"),
        )),
    }
}

fn opt_bool(opts: &JsValue, key: &str, what: &str) -> Result<Option<bool>, JsValue> {
    let v = opt(opts, key, what)?;
    if !present(&v) {
        return Ok(None);
    }
    v.as_bool()
        .map(Some)
        .ok_or_else(|| invalid(&format!("{what}.{key}"), "expected a boolean"))
}

fn opt_function(opts: &JsValue, key: &str, what: &str) -> Result<Option<Function>, JsValue> {
    let v = opt(opts, key, what)?;
    if !present(&v) {
        return Ok(None);
    }
    v.dyn_into::<Function>()
        .map(Some)
        .map_err(|_| invalid(&format!("{what}.{key}"), "expected a function"))
}

fn opt_signal(opts: &JsValue) -> Result<Option<AbortSignal>, JsValue> {
    let v = opt(opts, "signal", "options")?;
    if !present(&v) {
        return Ok(None);
    }
    let aborted = js::read(&v, "aborted").unwrap_or(JsValue::UNDEFINED);
    if aborted.as_bool().is_none() || !get(&v, "addEventListener").is_function() {
        return Err(invalid("options.signal", "expected an AbortSignal"));
    }
    Ok(Some(v.unchecked_into()))
}

/// HTTP behaviour shared by both clients.
#[derive(Clone)]
struct Http {
    fetch: Option<Function>,
    timeout_ms: u32,
    policy: Policy,
    max_body: usize,
}

const HTTP_KEYS: [&str; 6] = [
    "fetch",
    "timeoutMs",
    "retries",
    "maxBodyBytes",
    "maxBanWaitMs",
    "retryBaseDelayMs",
];

impl Http {
    fn from_options(o: &JsValue) -> Result<Http, JsValue> {
        let mut policy = Policy::default();
        if let Some(r) = opt_u32(o, "retries", "options", 10)? {
            policy.retries = r;
        }
        if let Some(w) = opt_u32(o, "maxBanWaitMs", "options", 600_000)? {
            policy.max_ban_wait_ms = w as u64;
        }
        if let Some(b) = opt_u32(o, "retryBaseDelayMs", "options", 60_000)? {
            policy.base_delay_ms = b as u64;
        }
        Ok(Http {
            fetch: opt_function(o, "fetch", "options")?,
            timeout_ms: opt_u32(o, "timeoutMs", "options", 600_000)?.unwrap_or(DEFAULT_TIMEOUT_MS),
            policy,
            max_body: opt_u32(o, "maxBodyBytes", "options", 256 * 1024 * 1024)?
                .map(|m| m as usize)
                .unwrap_or(decode::DEFAULT_MAX_BODY_BYTES),
        })
    }

    /// Per-call overrides.
    fn with_call(&self, o: &JsValue) -> Result<Http, JsValue> {
        let mut h = self.clone();
        if let Some(t) = opt_u32(o, "timeoutMs", "options", 600_000)? {
            h.timeout_ms = t;
        }
        if let Some(r) = opt_u32(o, "retries", "options", 10)? {
            h.policy.retries = r;
        }
        Ok(h)
    }
}

fn endpoint(opts: &JsValue, default: &str) -> Result<String, JsValue> {
    let e = opt_string(opts, "endpoint", "options")?.unwrap_or_else(|| default.to_string());
    if !(e.starts_with("https://") || e.starts_with("http://")) || e.bytes().any(|b| b <= b' ') {
        return Err(invalid("options.endpoint", "expected an http(s) URL"));
    }
    Ok(e)
}

fn format_opt(opts: &JsValue) -> Result<Format, JsValue> {
    match opt_string(opts, "format", "options")? {
        None => Ok(Format::Json),
        Some(f) => {
            Format::parse(&f).ok_or_else(|| invalid("options.format", "expected json or xml"))
        }
    }
}

/// Unix ms from a `Date` or a number; `None` for anything else. NaN, ±Infinity
/// and invalid Dates are errors: cast to an integer they would sign as 1970.
pub(crate) fn time_ms(v: &JsValue, path: &str) -> Result<Option<i64>, JsValue> {
    let Some(ms) = v.as_f64().or_else(|| js::date_ms(v)) else {
        return Ok(None);
    };
    if !ms.is_finite() {
        return Err(invalid(
            path,
            "expected a valid Date or finite Unix time in ms",
        ));
    }
    Ok(Some(ms as i64))
}

/// The `timestamp` option: a string as given (the core checks its form), or a
/// Date / Unix ms (default: now) written by `format` (TOP GMT+8 or ISO UTC).
fn option_timestamp(
    opts: &JsValue,
    given: bool,
    format: fn(i64) -> Option<String>,
) -> Result<String, JsValue> {
    let v = if given {
        opt(opts, "timestamp", "options")?
    } else {
        JsValue::UNDEFINED
    };
    let ms = if present(&v) {
        if v.is_string() {
            return opt_string(opts, "timestamp", "options").map(Option::unwrap_or_default);
        }
        time_ms(&v, "options.timestamp")?
            .ok_or_else(|| invalid("options.timestamp", "expected a string, Date or number"))?
    } else {
        js_sys::Date::now() as i64
    };
    format(ms).ok_or_else(|| invalid("options.timestamp", "out of range"))
}

/// Random bytes for nonces, drawn 4 KiB at a time (`fill_random`): one
/// crossing into JS per 256 nonces (a /dev/urandom read in Node is ~6 µs). Bytes are used once.
static POOL: super::Local<(Vec<u8>, usize)> = super::Local::new((Vec::new(), 0));

#[wasm_bindgen]
extern "C" {
    /// An entry point's own random source: `fill(bytes)` fills the view with
    /// secure random bytes and returns true, or returns false.
    #[derive(Clone)]
    pub(crate) type RandomSource;
    #[wasm_bindgen(method, structural, catch)]
    fn fill(this: &RandomSource, buf: &mut [u8]) -> Result<bool, JsValue>;
}

/// Fills `buf` with secure random bytes: from the entry's source when it has
/// one (Node: /dev/urandom, because the first use of `globalThis.crypto` loads
/// Node's crypto modules, ~3 ms of a cold start), else getrandom
/// (`crypto.getRandomValues`).
fn fill_random(buf: &mut [u8]) -> Result<(), Error> {
    let source = super::RANDOM.with(|r| r.clone());
    if let Some(Ok(true)) = source.map(|s| s.fill(buf)) {
        return Ok(());
    }
    getrandom::fill(buf).map_err(|_| {
        Error::new(
            crate::error::ErrorKind::Internal,
            "no secure random source for the nonce",
        )
    })
}

fn fresh_nonce() -> Result<String, Error> {
    // Refilled outside `with`: the refill calls into JS.
    if POOL.with(|p| p.1 + 16 > p.0.len()) {
        let mut buf = vec![0u8; 4096];
        fill_random(&mut buf)?;
        POOL.with(|p| *p = (buf, 0));
    }
    POOL.with(|p| {
        // Refilled above; checked again so the indexing below cannot panic.
        if p.1 + 16 > p.0.len() {
            return Err(Error::new(
                crate::error::ErrorKind::Internal,
                "nonce pool empty",
            ));
        }
        let mut b = [0u8; 16];
        let at = p.1;
        b.copy_from_slice(&p.0[at..at + 16]);
        // Overwrite what was handed out so no byte is ever used twice.
        p.0[at..at + 16].fill(0);
        p.1 += 16;
        Ok(aliyun_rpc::nonce_from_bytes(b))
    })
}

/// The api name and parsed parameters of `(api, params)`, and whether they
/// passed through JS numbers. Builders take `__prepareRequest` / `__callRequest`.
fn call_args(api: &JsValue, params: &JsValue) -> Result<(String, Json, bool), JsValue> {
    let name = api
        .as_string()
        .ok_or_else(|| invalid("api", "expected an API name or a request builder"))?;
    let (json, js) = params_json(params)?;
    let value = prepare::parse_params(&json).map_err(core_err)?;
    Ok((name, value, js))
}

const TOP_PREPARE_KEYS: [&str; 3] = ["timestamp", "session", "redact"];
const RPC_PREPARE_KEYS: [&str; 3] = ["timestamp", "nonce", "redact"];

enum Signer {
    Top(TopConfig),
    Rpc(RpcConfig, Option<Provider>),
}

/// Credentials from an async provider (rotating STS), cached until they expire.
#[derive(Clone)]
struct Provider {
    call: Function,
    cache: Rc<RefCell<Option<Creds>>>,
}

#[derive(Clone)]
struct Creds {
    access_key_id: String,
    access_key_secret: Secret,
    security_token: Option<Secret>,
    /// Unix ms; None = never expires.
    expires: Option<f64>,
}

impl Provider {
    fn cached(&self) -> Option<Creds> {
        let c = self.cache.borrow();
        c.as_ref()
            .filter(|c| c.expires.is_none_or(|e| js_sys::Date::now() < e))
            .cloned()
    }

    /// Takes what the provider returned (the JS side awaits it): `ok` false
    /// means it threw or rejected with `v`.
    fn accept(&self, ok: bool, v: &JsValue) -> Result<(), Error> {
        if !ok {
            // Not its message: a provider's failure text can quote a credential.
            let name = js::error_name(v).unwrap_or_else(|| "a non-Error value".into());
            return Err(Error::new(
                crate::error::ErrorKind::Network,
                format!("credentials provider failed: it threw or rejected with {name}"),
            ));
        }
        let field = |k: &str| {
            js::string_capped(&get(v, k), MAX_OPTION_CHARS)
                .and_then(|s| s.ok())
                .filter(|s| !s.is_empty())
        };
        let missing = |k: &str| {
            Error::invalid(
                format!("credentials().{k}"),
                "the provider returned no value",
            )
        };
        let expiration = get(v, "expiration");
        let expires = if let Some(Ok(s)) = js::string_capped(&expiration, 64) {
            Some(js_sys::Date::parse(&s))
        } else {
            expiration.as_f64().or_else(|| js::date_ms(&expiration))
        };
        // An expiration that is present but unreadable is not "never expires".
        let expires = match expires {
            Some(t) if !t.is_finite() => {
                return Err(Error::invalid(
                    "credentials().expiration",
                    "expected a Date, an ISO 8601 time or Unix ms",
                ))
            }
            e => e,
        };
        let creds = Creds {
            access_key_id: field("accessKeyId").ok_or_else(|| missing("accessKeyId"))?,
            access_key_secret: Secret::new(
                field("accessKeySecret").ok_or_else(|| missing("accessKeySecret"))?,
            ),
            security_token: field("securityToken").map(Secret::new),
            expires,
        };
        *self.cache.borrow_mut() = Some(creds);
        Ok(())
    }
}

fn with_creds(cfg: &RpcConfig, c: Creds) -> RpcConfig {
    RpcConfig {
        access_key_id: c.access_key_id,
        access_key_secret: c.access_key_secret,
        security_token: c.security_token,
        // Keyed with the old secret: key afresh.
        keyed: Default::default(),
        ..cfg.clone()
    }
}

impl Signer {
    fn protocol(&self) -> Protocol {
        match self {
            Signer::Top(_) => Protocol::Top,
            Signer::Rpc(..) => Protocol::AliyunRpc,
        }
    }

    fn format(&self) -> Format {
        match self {
            Signer::Top(c) => c.format,
            Signer::Rpc(c, _) => c.format,
        }
    }

    fn simplify(&self) -> bool {
        matches!(self, Signer::Top(c) if c.simplify)
    }

    /// Scrubs the secrets this signer puts in requests from `err` (`Error::scrub`).
    fn scrub(&self, err: &mut Error) {
        fn open(s: Option<&Secret>) -> &str {
            s.map_or("", Secret::expose)
        }
        match self {
            Signer::Top(c) => err.scrub(&[c.app_secret.expose(), open(c.session.as_ref())]),
            Signer::Rpc(c, p) => {
                let cache = p.as_ref().map(|p| p.cache.borrow());
                let cr = cache.as_ref().and_then(|c| c.as_ref());
                err.scrub(&[
                    c.access_key_secret.expose(),
                    open(c.security_token.as_ref()),
                    open(cr.map(|c| &c.access_key_secret)),
                    open(cr.and_then(|c| c.security_token.as_ref())),
                ]);
            }
        }
    }

    /// Signs one attempt with a fresh timestamp (and nonce, and the
    /// provider's cached credentials when there is a provider).
    fn sign_now(&self, api: &str, params: &Json, js: bool) -> Result<Prepared, Error> {
        if let Signer::Rpc(c, Some(p)) = self {
            let creds = p.cached().ok_or_else(|| {
                Error::invalid("credentials", "the provider has no current credentials")
            })?;
            return Signer::Rpc(with_creds(c, creds), None).sign_sync(api, params, js);
        }
        self.sign_sync(api, params, js)
    }

    fn sign_sync(&self, api: &str, params: &Json, js: bool) -> Result<Prepared, Error> {
        let now = js_sys::Date::now() as i64;
        match self {
            Signer::Top(c) => {
                let ts = crate::time::top_timestamp(now)
                    .ok_or_else(|| Error::invalid("timestamp", "clock out of range"))?;
                prepare::prepare_top(c, api, params, js, &ts)
            }
            Signer::Rpc(c, _) => {
                let ts = crate::time::iso_utc(now)
                    .ok_or_else(|| Error::invalid("timestamp", "clock out of range"))?;
                prepare::prepare_rpc(c, api, params, js, &ts, &fresh_nonce()?)
            }
        }
    }
}

/// One `execute` call. The JS side runs the loop and does the IO (fetch,
/// timers, the credentials provider); every decision is made here: each
/// attempt is signed afresh, responses are decoded, and failures are
/// classified by the core policy and repeated only when that cannot duplicate
/// an effect.
#[wasm_bindgen]
pub struct Call {
    signer: Signer,
    api: String,
    params: Json,
    js: bool,
    http: Http,
    signal: JsValue,
    attempt: u32,
    repeat_safe: bool,
}

fn new_call(
    signer: Signer,
    http: &Http,
    (api, params, js): (String, Json, bool),
    opts: &JsValue,
) -> Result<Call, JsValue> {
    check_keys(
        opts,
        &["signal", "timeoutMs", "retries", "session"],
        "options",
    )?;
    let http = http.with_call(opts)?;
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
    Ok(Call {
        signer,
        api,
        params,
        js,
        http,
        signal,
        attempt: 0,
        repeat_safe: false,
    })
}

#[wasm_bindgen]
impl Call {
    /// True when the provider must be awaited before the next `__sign`.
    #[wasm_bindgen(js_name = "__needsCredentials")]
    pub fn needs_credentials(&self) -> bool {
        matches!(&self.signer, Signer::Rpc(_, Some(p)) if p.cached().is_none())
    }

    /// Hands the provider's outcome over (see `Provider::accept`).
    #[wasm_bindgen(js_name = "__setCredentials")]
    pub fn set_credentials(&self, ok: bool, value: JsValue) -> Result<(), JsValue> {
        match &self.signer {
            Signer::Rpc(_, Some(p)) => p
                .accept(ok, &value)
                .map_err(|e| to_js_error(&e, self.attempt)),
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

    /// Signs the next attempt: the prepared line (see `prepared_to_line`).
    #[wasm_bindgen(js_name = "__sign")]
    pub fn sign(&mut self) -> Result<String, JsValue> {
        let p = self
            .signer
            .sign_now(&self.api, &self.params, self.js)
            .map_err(|e| to_js_error(&e, self.attempt))?;
        self.attempt += 1;
        self.repeat_safe = p.repeat_safe;
        Ok(prepared_to_line(&p, false))
    }

    /// IO settings for the JS side: `[fetch, signal, timeoutMs, maxBodyBytes]`.
    #[wasm_bindgen(js_name = "__io")]
    pub fn io(&self) -> js_sys::Array {
        let fetch: JsValue = self
            .http
            .fetch
            .clone()
            .map(JsValue::from)
            .unwrap_or(JsValue::UNDEFINED);
        let a = js_sys::Array::of2(&fetch, &self.signal);
        a.push(&JsValue::from(self.http.timeout_ms));
        a.push(&JsValue::from(self.http.max_body as f64));
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
        let call = decode::Call {
            protocol: self.signer.protocol(),
            api: &self.api,
            format: self.signer.format(),
            simplify: self.signer.simplify(),
        };
        let received = decode::Received {
            status,
            content_type,
            body,
        };
        match decode::decode(&call, &received, self.http.max_body) {
            Ok(json) => Ok(json.into()),
            Err(e) => self.failure(e, None).map(JsValue::from),
        }
    }

    /// A failed attempt: `what` is `aborted` (the caller's signal), `timeout`,
    /// `credentials` (the provider did not settle within the timeout),
    /// `network` (fetch rejected with `error`) or `body` (the body read failed).
    /// Returns the wait in ms before the next attempt; throws the final error.
    #[wasm_bindgen(js_name = "__failed")]
    pub fn failed(&mut self, what: &str, error: JsValue) -> Result<f64, JsValue> {
        let (e, fault) = match what {
            "aborted" => (transport::aborted_error(), None),
            "timeout" => (
                Error::new(
                    crate::error::ErrorKind::Timeout,
                    format!("no complete response within {} ms", self.http.timeout_ms),
                ),
                None,
            ),
            // The provider did not settle in time: a timeout that counts as an attempt.
            "credentials" => {
                self.attempt += 1;
                (
                    Error::new(
                        crate::error::ErrorKind::Timeout,
                        format!(
                            "the credentials provider did not answer within {} ms",
                            self.http.timeout_ms
                        ),
                    ),
                    None,
                )
            }
            "body" => (
                Error::decode(format!(
                    "truncated body: the connection failed while reading it: {}",
                    transport::describe_js_error(&error)
                )),
                Some(retry::NetworkFault::Other),
            ),
            _ => {
                let fault = transport::classify_fetch_error(&error);
                let what = if fault == retry::NetworkFault::Refused {
                    "request failed: connection refused"
                } else {
                    "request failed"
                };
                let why = transport::describe_js_error(&error);
                (
                    Error::new(crate::error::ErrorKind::Network, format!("{what}: {why}")),
                    Some(fault),
                )
            }
        };
        self.failure(e, fault)
    }
}

impl Call {
    fn failure(
        &mut self,
        mut err: Error,
        fault: Option<retry::NetworkFault>,
    ) -> Result<f64, JsValue> {
        let decision = retry::classify(&err, fault, &self.http.policy);
        retry::mark(&mut err, decision, self.repeat_safe);
        // A gateway may echo the request: none of its secrets leave in the error.
        self.signer.scrub(&mut err);
        let delay = retry::next_delay(
            decision,
            self.repeat_safe,
            self.attempt,
            &self.http.policy,
            js_sys::Math::random(),
        );
        match delay {
            Some(ms) => Ok(ms as f64),
            None => Err(to_js_error(&err, self.attempt)),
        }
    }
}

/// Client for the Taobao Open Platform router.
#[wasm_bindgen]
pub struct TopClient {
    cfg: TopConfig,
    http: Http,
}

#[wasm_bindgen]
impl TopClient {
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<TopClient, JsValue> {
        let mut keys = vec![
            "appKey",
            "appSecret",
            "signMethod",
            "endpoint",
            "session",
            "format",
            "simplify",
        ];
        keys.extend(HTTP_KEYS);
        check_keys(&options, &keys, "options")?;
        if !present(&options) {
            return Err(invalid("options", "appKey and appSecret are required"));
        }
        let sign_method = match opt_string(&options, "signMethod", "options")? {
            None => SignMethod::Md5,
            Some(s) => SignMethod::parse(&s).ok_or_else(|| {
                invalid(
                    "options.signMethod",
                    "expected one of md5, hmac, hmac-sha256",
                )
            })?,
        };
        let client = TopClient {
            cfg: TopConfig {
                app_key: req_string(&options, "appKey", "options")?,
                app_secret: Secret::new(req_string(&options, "appSecret", "options")?),
                sign_method,
                endpoint: endpoint(&options, TOP_DEFAULT_ENDPOINT)?,
                session: opt_string(&options, "session", "options")?.map(Secret::new),
                format: format_opt(&options)?,
                simplify: opt_bool(&options, "simplify", "options")?.unwrap_or(false),
                keyed: Default::default(),
            },
            http: Http::from_options(&options)?,
        };
        // Fail at construction, not at the first call (prepare checks again).
        client.cfg.check().map_err(core_err)?;
        Ok(client)
    }

    /// Validates and signs without sending. Options: `timestamp` (GMT+8
    /// string, Date or ms), `session`, `redact`. Returns the prepared line,
    /// which the JS entry's `prepare` turns into `{ method, url, headers,
    /// body }`, or the error, which it throws (`in_band`).
    #[wasm_bindgen(js_name = "__prepare")]
    pub fn prepare(&self, api: JsValue, params: JsValue, options: JsValue) -> JsValue {
        in_band(
            call_args(&api, &params)
                .and_then(|(name, value, js)| self.prepare_value(&name, &value, js, &options)),
        )
    }

    /// `prepare` with the JS entry's JSON text of JS values (strings cross
    /// as arguments: no lookups back into JS).
    #[wasm_bindgen(js_name = "__prepareText")]
    pub fn prepare_text(&self, api: &str, json: &str, options: JsValue) -> JsValue {
        in_band(
            prepare::parse_params(json)
                .map_err(core_err)
                .and_then(|value| self.prepare_value(api, &value, true, &options)),
        )
    }

    /// `prepare` for a builder: its parameters are used in place.
    #[wasm_bindgen(js_name = "__prepareRequest")]
    pub fn prepare_request(&self, req: &Request, options: JsValue) -> JsValue {
        in_band(self.prepare_value(req.model().api, req.params(), true, &options))
    }

    /// Starts a call; the JS entry's `execute` (and the per-API methods)
    /// run it: resolves to the decoded result, rejects with `AligateError`.
    #[wasm_bindgen(js_name = "__call")]
    pub fn call(&self, api: JsValue, params: JsValue, options: JsValue) -> Result<Call, JsValue> {
        new_call(
            self.signer(),
            &self.http,
            call_args(&api, &params)?,
            &options,
        )
    }

    #[wasm_bindgen(js_name = "__callRequest")]
    pub fn call_request(&self, req: &Request, options: JsValue) -> Result<Call, JsValue> {
        let args = (req.model().api.to_string(), req.params().clone(), true);
        new_call(self.signer(), &self.http, args, &options)
    }

    /// Configuration without credentials.
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> JsValue {
        let o = Object::new();
        super::set(&o, "appKey", self.cfg.app_key.as_str());
        super::set(&o, "signMethod", self.cfg.sign_method.as_str());
        super::set(&o, "endpoint", self.cfg.endpoint.as_str());
        super::set(
            &o,
            "format",
            if self.cfg.format == Format::Json {
                "json"
            } else {
                "xml"
            },
        );
        super::set(&o, "simplify", self.cfg.simplify);
        super::set(&o, "appSecret", "***");
        if self.cfg.session.is_some() {
            super::set(&o, "session", "***");
        }
        o.into()
    }

    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        format!(
            "TopClient {{ appKey: {}, signMethod: {}, endpoint: {} }}",
            self.cfg.app_key,
            self.cfg.sign_method.as_str(),
            self.cfg.endpoint
        )
    }
}

impl TopClient {
    fn signer(&self) -> Signer {
        Signer::Top(self.cfg.clone())
    }

    fn prepare_value(
        &self,
        api: &str,
        value: &Json,
        js: bool,
        opts: &JsValue,
    ) -> Result<String, JsValue> {
        // Options are usually absent: then no lookups (each is a JS crossing).
        let given = present(opts);
        if given {
            check_keys(opts, &TOP_PREPARE_KEYS, "options")?;
        }
        let ts = option_timestamp(opts, given, crate::time::top_timestamp)?;
        let session = if given {
            opt_string(opts, "session", "options")?
        } else {
            None
        };
        let p = match session {
            Some(s) => {
                let mut cfg = self.cfg.clone();
                cfg.session = Some(Secret::new(s));
                prepare::prepare_top(&cfg, api, value, js, &ts)
            }
            None => prepare::prepare_top(&self.cfg, api, value, js, &ts),
        }
        .map_err(core_err)?;
        let redact = given && opt_bool(opts, "redact", "options")?.unwrap_or(false);
        Ok(prepared_to_line(&p, redact))
    }
}

/// Client for LinkedMall (Aliyun RPC, signature v1).
#[wasm_bindgen]
pub struct LinkedMallClient {
    cfg: RpcConfig,
    http: Http,
    provider: Option<Provider>,
}

/// An environment variable: from `options.env` (a Worker's bindings) when
/// given, else `process.env` (Node, Bun, Deno 2) or `Deno.env`.
fn env_var(opts_env: &JsValue, name: &str) -> Option<String> {
    let pick = |v: JsValue| {
        js::string_capped(&v, MAX_OPTION_CHARS)
            .and_then(|s| s.ok())
            .filter(|s| !s.is_empty())
    };
    if present(opts_env) {
        return pick(get(opts_env, name));
    }
    let global: JsValue = js_sys::global().into();
    let process_env = get(&get(&global, "process"), "env");
    if present(&process_env) {
        return pick(get(&process_env, name));
    }
    let deno_env = get(&get(&global, "Deno"), "env");
    let getter = get(&deno_env, "get").dyn_into::<Function>().ok()?;
    // Without --allow-env Deno throws: treat it as unset.
    getter
        .call1(&deno_env, &JsValue::from_str(name))
        .ok()
        .and_then(pick)
}

#[wasm_bindgen]
impl LinkedMallClient {
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<LinkedMallClient, JsValue> {
        let mut keys = vec![
            "accessKeyId",
            "accessKeySecret",
            "securityToken",
            "credentials",
            "env",
            "signatureVersion",
            "endpoint",
            "httpMethod",
            "format",
            "version",
        ];
        keys.extend(HTTP_KEYS);
        check_keys(&options, &keys, "options")?;
        let http_method = match opt_string(&options, "httpMethod", "options")? {
            None => HttpMethod::Post,
            Some(m) => HttpMethod::parse(&m)
                .ok_or_else(|| invalid("options.httpMethod", "expected GET or POST"))?,
        };
        let signature_version =
            match opt_string(&options, "signatureVersion", "options")?.as_deref() {
                None | Some("v1") => SignatureVersion::V1,
                Some("v3") => SignatureVersion::V3,
                Some(_) => return Err(invalid("options.signatureVersion", "expected v1 or v3")),
            };
        let format = format_opt(&options)?;
        if signature_version == SignatureVersion::V3 && format == Format::Xml {
            return Err(invalid(
                "options.format",
                "signature v3 responses are JSON; use format json",
            ));
        }
        let provider = opt_function(&options, "credentials", "options")?.map(|call| Provider {
            call,
            cache: Rc::new(RefCell::new(None)),
        });
        // Explicit options first, then the environment; a provider needs neither.
        let env = opt(&options, "env", "options")?;
        let from = |key: &str, var: &str| -> Result<Option<String>, JsValue> {
            Ok(opt_string(&options, key, "options")?
                .filter(|s| !s.is_empty())
                .or_else(|| env_var(&env, var)))
        };
        let id = from("accessKeyId", "ALIBABA_CLOUD_ACCESS_KEY_ID")?;
        let secret = from("accessKeySecret", "ALIBABA_CLOUD_ACCESS_KEY_SECRET")?;
        let token = from("securityToken", "ALIBABA_CLOUD_SECURITY_TOKEN")?;
        if provider.is_none() {
            if id.is_none() {
                return Err(invalid(
                    "options.accessKeyId",
                    "missing: pass accessKeyId or credentials, or set ALIBABA_CLOUD_ACCESS_KEY_ID",
                ));
            }
            if secret.is_none() {
                return Err(invalid("options.accessKeySecret", "missing: pass accessKeySecret or credentials, or set ALIBABA_CLOUD_ACCESS_KEY_SECRET"));
            }
        }
        let client = LinkedMallClient {
            cfg: RpcConfig {
                access_key_id: id.unwrap_or_default(),
                access_key_secret: Secret::new(secret.unwrap_or_default()),
                security_token: token.map(Secret::new),
                endpoint: endpoint(&options, LINKEDMALL_DEFAULT_ENDPOINT)?,
                http_method,
                format,
                version: opt_string(&options, "version", "options")?
                    .unwrap_or_else(|| crate::models::confirm_disburse::VERSION.to_string()),
                signature_version,
                keyed: Default::default(),
            },
            http: Http::from_options(&options)?,
            provider,
        };
        client.cfg.check().map_err(core_err)?;
        Ok(client)
    }

    /// A call with no parameters, for `refreshCredentials()` (the JS entry
    /// awaits the provider when its cached credentials expired).
    #[wasm_bindgen(js_name = "__credentials")]
    pub fn credentials(&self) -> Result<Call, JsValue> {
        let none = (String::new(), Json::Null, false);
        new_call(self.signer(), &self.http, none, &JsValue::UNDEFINED)
    }

    /// Validates and signs without sending. Options: `timestamp` (ISO UTC
    /// string, Date or ms), `nonce`, `redact`. See `TopClient::prepare`.
    #[wasm_bindgen(js_name = "__prepare")]
    pub fn prepare(&self, api: JsValue, params: JsValue, options: JsValue) -> JsValue {
        in_band(
            call_args(&api, &params)
                .and_then(|(name, value, js)| self.prepare_value(&name, &value, js, &options)),
        )
    }

    /// `prepare` with the JS entry's JSON text of JS values (strings cross
    /// as arguments: no lookups back into JS).
    #[wasm_bindgen(js_name = "__prepareText")]
    pub fn prepare_text(&self, api: &str, json: &str, options: JsValue) -> JsValue {
        in_band(
            prepare::parse_params(json)
                .map_err(core_err)
                .and_then(|value| self.prepare_value(api, &value, true, &options)),
        )
    }

    #[wasm_bindgen(js_name = "__prepareRequest")]
    pub fn prepare_request(&self, req: &Request, options: JsValue) -> JsValue {
        in_band(self.prepare_value(req.model().api, req.params(), true, &options))
    }

    /// See `TopClient::call`.
    #[wasm_bindgen(js_name = "__call")]
    pub fn call(&self, api: JsValue, params: JsValue, options: JsValue) -> Result<Call, JsValue> {
        let args = call_args(&api, &params)?;
        new_call(self.signer(), &self.http, args, &options)
    }

    #[wasm_bindgen(js_name = "__callRequest")]
    pub fn call_request(&self, req: &Request, options: JsValue) -> Result<Call, JsValue> {
        let args = (req.model().api.to_string(), req.params().clone(), true);
        new_call(self.signer(), &self.http, args, &options)
    }

    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> JsValue {
        let o = Object::new();
        super::set(&o, "accessKeyId", self.cfg.access_key_id.as_str());
        super::set(&o, "accessKeySecret", "***");
        if self.cfg.security_token.is_some() {
            super::set(&o, "securityToken", "***");
        }
        super::set(&o, "endpoint", self.cfg.endpoint.as_str());
        super::set(&o, "httpMethod", self.cfg.http_method.as_str());
        o.into()
    }

    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        format!(
            "LinkedMallClient {{ accessKeyId: {}, endpoint: {} }}",
            self.cfg.access_key_id, self.cfg.endpoint
        )
    }
}

impl LinkedMallClient {
    fn signer(&self) -> Signer {
        Signer::Rpc(self.cfg.clone(), self.provider.clone())
    }

    fn prepare_value(
        &self,
        api: &str,
        value: &Json,
        js: bool,
        opts: &JsValue,
    ) -> Result<String, JsValue> {
        let given = present(opts);
        if given {
            check_keys(opts, &RPC_PREPARE_KEYS, "options")?;
        }
        let ts = option_timestamp(opts, given, crate::time::iso_utc)?;
        let nonce = match given
            .then(|| opt_string(opts, "nonce", "options"))
            .transpose()?
        {
            Some(Some(n)) => n,
            _ => fresh_nonce().map_err(core_err)?,
        };
        let cfg = match &self.provider {
            None => alloc::borrow::Cow::Borrowed(&self.cfg),
            Some(p) => alloc::borrow::Cow::Owned(with_creds(
                &self.cfg,
                p.cached().ok_or_else(|| {
                    invalid(
                        "credentials",
                        "the provider has no current credentials; execute() calls it, or await refreshCredentials() before prepare()",
                    )
                })?,
            )),
        };
        let p = prepare::prepare_rpc(&cfg, api, value, js, &ts, &nonce).map_err(core_err)?;
        let redact = given && opt_bool(opts, "redact", "options")?.unwrap_or(false);
        Ok(prepared_to_line(&p, redact))
    }
}
