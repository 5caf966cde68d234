//! wasm-bindgen layer: conversion between JS values and the core, and error
//! mapping. `options` reads option objects, `top_client` and
//! `linkedmall_client` are the clients' JS surface, `execution` binds a call
//! to the core's attempt state machine (the JS entry does the IO), `batch` a
//! TOP batch to the core's rounds, `random`
//! is the randomness source, `transport` names what a rejected fetch was.
//! The rules (ranges, retry policy, credentials' validity, the prepared line)
//! are the core's.
//!
//! The shipped .wasm is this crate built without its `std` feature (`no_std`
//! with alloc, the panic handler below, `allocator` as the global allocator).
//! On other targets the crate is empty.

#![cfg(target_arch = "wasm32")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(not(target_feature = "atomics"))]
mod allocator;

#[cfg(not(target_feature = "atomics"))]
#[global_allocator]
static ALLOCATOR: allocator::Cached = allocator::Cached::new();

pub mod batch;
pub mod builders;
pub mod execution;
mod js;
pub mod linkedmall_client;
mod options;
mod random;
pub mod top_client;
mod transport;

use aligate::error::{Error, ErrorKind};
use aligate::prelude::*;
use core::cell::RefCell;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

pub use batch::Batch;
pub use builders::*;
pub use execution::Call;
pub use linkedmall_client::LinkedMallClient;
pub use top_client::TopClient;

/// A global for the single-threaded wasm instance (`thread_local!` is std-only;
/// the shipped build is `no_std`). Not re-entrant: `with` must not nest on the
/// same cell, which each user below keeps to (no JS call inside `with`).
pub(crate) struct Local<T>(RefCell<T>);

// SAFETY: wasm32 without the atomics feature has exactly one thread.
#[cfg(not(target_feature = "atomics"))]
unsafe impl<T> Sync for Local<T> {}

impl<T> Local<T> {
    pub(crate) const fn new(v: T) -> Self {
        Local(RefCell::new(v))
    }
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        f(&mut self.0.borrow_mut())
    }
}

/// Set once by the JS entry point: the `AligateError` class and the
/// `JSON.stringify` replacer (bigint → string, NaN/±Infinity → sentinel).
static SETUP: Local<Option<(js_sys::Function, js_sys::Function)>> = Local::new(None);

/// The last panic's message, taken once by the JS guard.
static LAST_PANIC: Local<Option<String>> = Local::new(None);

/// The entry's own source of random bytes, if it has a cheaper one than
/// `crypto.getRandomValues` (see `random`).
static RANDOM: Local<Option<random::RandomSource>> = Local::new(None);

/// Called by every entry point right after instantiation.
#[wasm_bindgen(js_name = "__setup")]
pub fn setup(error_class: js_sys::Function, replacer: js_sys::Function, random: JsValue) {
    SETUP.with(|s| *s = Some((error_class, replacer)));
    RANDOM.with(|r| *r = random.is_object().then(|| random.unchecked_into()));
    #[cfg(feature = "std")]
    std::panic::set_hook(Box::new(|info| {
        record_panic(info.payload_as_str(), info.location())
    }));
}

/// A panic is a bug: record where, so the JS guard can report it as an
/// AligateError of kind "internal" instead of a bare "unreachable" trap.
fn record_panic(msg: Option<&str>, at: Option<&core::panic::Location<'_>>) {
    let mut text = String::from(msg.unwrap_or("panic"));
    if let Some(l) = at {
        let line = aligate::schema::decimal(l.line().into());
        text.push_str(&[" at ", l.file(), ":", &line].concat());
    }
    // try_borrow: a panic while LAST_PANIC is borrowed must not panic again.
    if let Ok(mut p) = LAST_PANIC.0.try_borrow_mut() {
        *p = Some(text);
    }
}

/// Set while the panic handler runs, cleared when the JS guard takes the
/// message: a panic inside the handler (recording allocates; the allocation
/// itself may be what failed) traps at once instead of recursing.
#[cfg(not(feature = "std"))]
static IN_PANIC: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);

/// The shipped build's panic handler (std's runtime is not linked): keep the
/// message, then trap. The JS guard reports it, restores the shadow stack and
/// the instance stays usable.
#[cfg(not(feature = "std"))]
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    use core::sync::atomic::Ordering::Relaxed;
    if !IN_PANIC.swap(true, Relaxed) {
        record_panic(info.message().as_str(), info.location());
    }
    core::arch::wasm32::unreachable()
}

/// The last panic's message, once (for the JS guard).
#[wasm_bindgen(js_name = "__takePanic")]
pub fn take_panic() -> Option<String> {
    #[cfg(not(feature = "std"))]
    IN_PANIC.store(false, core::sync::atomic::Ordering::Relaxed);
    LAST_PANIC.with(|p| p.take())
}

/// Panics on purpose: the recovery test proves the instance survives a trap.
#[wasm_bindgen(js_name = "__panicForTest")]
pub fn panic_for_test() {
    panic!("deliberate panic (recovery test)");
}

pub(crate) use js::{get, present};

fn set(obj: &Object, k: &str, v: impl Into<JsValue>) {
    // Reflect.set on a fresh plain object cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(k), &v.into());
}

fn set_opt(obj: &Object, key: &str, v: &Option<String>) {
    if let Some(s) = v {
        set(obj, key, s.as_str());
    }
}

/// Turns a core error into a thrown `AligateError` (a plain `Error` before setup).
pub(crate) fn to_js_error(e: &Error, attempts: u32) -> JsValue {
    let fields = Object::new();
    set(&fields, "kind", e.kind.as_str());
    set(&fields, "retryable", e.retryable);
    set(&fields, "attempts", attempts);
    if let Some(s) = e.status {
        set(&fields, "status", s);
    }
    if let Some(o) = e.outcome {
        set(&fields, "outcome", o.as_str());
    }
    if e.kind == ErrorKind::Validation {
        set(&fields, "issues", issues_to_js(&e.issues));
    }
    let a = &e.api;
    set_opt(&fields, "code", &a.code);
    set_opt(&fields, "apiMessage", &a.message);
    set_opt(&fields, "subCode", &a.sub_code);
    set_opt(&fields, "subMsg", &a.sub_msg);
    set_opt(&fields, "requestId", &a.request_id);
    set_opt(&fields, "hostId", &a.host_id);
    set_opt(&fields, "recommend", &a.recommend);
    // TOP calls it `msg`, Aliyun `Message`: both names carry the raw text.
    set_opt(&fields, "msg", &a.message);
    let class = SETUP.with(|s| s.as_ref().map(|(c, _)| c.clone()));
    match class {
        Some(c) => {
            let args = Array::of2(&JsValue::from_str(&e.message), &fields);
            Reflect::construct(&c, &args).unwrap_or_else(|x| x)
        }
        None => js_sys::Error::new(&e.message).into(),
    }
}

pub(crate) fn invalid(path: &str, message: &str) -> JsValue {
    to_js_error(&Error::invalid(path, message), 0)
}

/// Parameters as JSON text plus whether they passed through JS numbers.
/// A string argument is taken as exact JSON text (big integers survive).
pub(crate) fn params_json(params: &JsValue) -> Result<(String, bool), JsValue> {
    match js::string_capped(params, MAX_INPUT_BYTES) {
        Some(Ok(s)) => return Ok((s, false)),
        Some(Err(_)) => return Err(too_large()),
        None => {}
    }
    if !present(params) {
        return Ok((String::new(), true));
    }
    // Plain JSON.stringify first: the replacer costs a JS call per key. It is
    // needed only when a bigint made stringify throw, or when a `null` might be
    // a NaN/Infinity or an invalid Date that stringify silently turned into null.
    let plain = js::stringify(params, &JsValue::UNDEFINED);
    if let Ok(t) = &plain {
        let text = json_text(t)?;
        if aligate::json::find_str(&text, "null").is_none() {
            return Ok((text, true));
        }
    }
    let replacer = SETUP.with(|s| s.as_ref().map(|(_, r)| r.clone()));
    let text = match replacer {
        Some(r) => js::stringify(params, &r),
        None => plain,
    };
    match text {
        Ok(t) => Ok((json_text(&t)?, true)),
        // The thrown message is not echoed: it can quote the caller's values.
        Err(e) => Err(invalid(
            "params",
            &[
                "cannot be serialised to JSON: a circular reference, or a getter, toJSON or Proxy trap that threw",
                &js::error_name(&e).map(|n| [" (", &n, ")"].concat()).unwrap_or_default(),
            ].concat(),
        )),
    }
}

/// The text `JSON.stringify` returned, refused past the input cap before it
/// is copied into wasm memory.
fn json_text(t: &js_sys::JsString) -> Result<String, JsValue> {
    match js::string_capped(t, MAX_INPUT_BYTES) {
        Some(Ok(s)) => Ok(s),
        Some(Err(_)) => Err(too_large()),
        // `undefined` (a function or symbol at the top): no parameters.
        None => Ok(String::new()),
    }
}

use aligate::schema::MAX_INPUT_BYTES;

fn too_large() -> JsValue {
    invalid(
        "params",
        &[
            "the parameters exceed the ",
            &aligate::schema::decimal(MAX_INPUT_BYTES as i64),
            " bytes aligate accepts",
        ]
        .concat(),
    )
}

pub(crate) fn core_err(e: Error) -> JsValue {
    to_js_error(&e, 0)
}

/// The hot exports (`prepare`, the builders' setters) return their error in
/// band and the JS entry throws it: a `Result` export returns through memory
/// (two more calls and a read-back per call), and with multi-value returns
/// instead Node 20 compiles one wrapper per signature at startup (~1.4 ms;
/// scripts/build.mjs). The JS side tells them apart by type: errors here
/// are always `AligateError` (or `Error`) objects, never strings.
pub(crate) fn in_band(r: Result<String, JsValue>) -> JsValue {
    r.map_or_else(|e| e, JsValue::from)
}

/// Validates `params` for `api` without signing: `[]` when valid, else the
/// issues (`{ path, message }`). For live form validation.
#[wasm_bindgen(js_name = "validateParams")]
pub fn validate_params(api: JsValue, params: JsValue) -> Result<JsValue, JsValue> {
    let api = api_name(&api)?;
    let parsed = params_json(&params).and_then(|(json, js_numbers)| {
        let value = aligate::prepare::parse_params(&json).map_err(core_err)?;
        Ok((value, js_numbers))
    });
    match parsed {
        Ok((value, js_numbers)) => Ok(issues_of(&api, &value, js_numbers)),
        // Params that cannot be read are issues too: live form validation
        // calls this on every keystroke and must not have to catch.
        Err(e) => Ok(get(&e, "issues")),
    }
}

/// A string argument of an exported function (arguments are `JsValue`s so
/// that a wrong type is an `AligateError` naming it, not a glue TypeError).
fn string_arg(v: &JsValue, path: &str, max: usize) -> Result<String, JsValue> {
    match js::string_capped(v, max) {
        Some(Ok(s)) => Ok(s),
        Some(Err(_)) => Err(invalid(
            path,
            &[
                "longer than ",
                &aligate::schema::decimal(max as i64),
                " characters",
            ]
            .concat(),
        )),
        None => Err(invalid(path, "expected a string")),
    }
}

fn api_name(v: &JsValue) -> Result<String, JsValue> {
    string_arg(v, "api", 256)
}

/// The protocol of a name (`models::protocol_of`); names of neither shape are
/// taken as TOP methods here, and refused by the clients.
fn protocol_of(api: &str) -> aligate::models::Protocol {
    aligate::models::protocol_of(api).unwrap_or(aligate::models::Protocol::Top)
}

/// `"top"`, `"aliyun-rpc"`, or `null` for a name of neither shape: the one
/// answer every layer (CLI, proxy, sandbox) uses.
#[wasm_bindgen(js_name = "protocolOf")]
pub fn protocol_of_js(api: JsValue) -> Result<JsValue, JsValue> {
    // Any string has an answer: longer than a name can be is neither shape.
    let api = match js::string_capped(&api, aligate::models::MAX_API_NAME) {
        Some(Ok(s)) => s,
        Some(Err(_)) => return Ok(JsValue::NULL),
        None => return Err(invalid("api", "expected a string")),
    };
    Ok(aligate::models::protocol_of(&api).map_or(JsValue::NULL, |p| JsValue::from_str(p.as_str())))
}

/// `[]` when `value` is valid for `api`, else its issues.
fn issues_of(api: &str, value: &aligate::json::Json, js_numbers: bool) -> JsValue {
    match aligate::prepare::business(protocol_of(api), api, value, js_numbers) {
        Ok(_) => Array::new().into(),
        Err(e) => issues_to_js(&e.issues),
    }
}

fn issues_to_js(issues: &[aligate::error::Issue]) -> JsValue {
    let out = Array::new();
    for i in issues {
        let o = Object::new();
        set(&o, "path", i.path.as_str());
        set(&o, "message", i.message.as_str());
        out.push(&o);
    }
    out.into()
}

/// Validates business parameters as they arrive on the wire (string values,
/// object parameters as JSON text): `[]` or the issues. For gateway emulators.
#[wasm_bindgen(js_name = "validateWire")]
pub fn validate_wire(api: JsValue, params: JsValue) -> Result<JsValue, JsValue> {
    let api = api_name(&api)?;
    let pairs = string_pairs(&params)?;
    let value = match aligate::prepare::wire_to_params(&api, &pairs) {
        Ok(v) => v,
        Err(issues) => return Ok(issues_to_js(&issues)),
    };
    Ok(issues_of(&api, &value, false))
}

/// The API names aligate models (others are signed unvalidated).
#[wasm_bindgen(js_name = "modelledApis")]
pub fn modelled_apis() -> Array {
    aligate::models::MODELS
        .iter()
        .map(|m| JsValue::from_str(m.api))
        .collect()
}

fn string_pairs(params: &JsValue) -> Result<Vec<(String, String)>, JsValue> {
    let (json, _) = params_json(params)?;
    let value = aligate::prepare::parse_params(&json).map_err(core_err)?;
    let aligate::json::Json::Obj(map) = value else {
        return Err(invalid("", "expected an object of string values"));
    };
    let mut out = Vec::with_capacity(map.len());
    for (k, v) in map {
        match v {
            aligate::json::Json::Str(s) => out.push((k, s)),
            aligate::json::Json::Null => {}
            other => out.push((k, other.text())),
        }
    }
    Ok(out)
}

/// TOP sign over `params` (all of them, system ones included, `sign` excluded).
#[wasm_bindgen(js_name = "signTop")]
pub fn sign_top(params: JsValue, secret: JsValue, sign_method: JsValue) -> Result<String, JsValue> {
    let secret = string_arg(&secret, "secret", 64 * 1024)?;
    let m = aligate::sign::top::SignMethod::parse(&string_arg(&sign_method, "signMethod", 64)?)
        .ok_or_else(|| invalid("signMethod", "expected one of md5, hmac, hmac-sha256"))?;
    let owned = string_pairs(&params)?;
    let mut p: Vec<(&str, &str)> = owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    Ok(aligate::sign::top::sign(&mut p, &secret, m, None))
}

/// Aliyun RPC v1 signature over `params` (`Signature` excluded).
#[wasm_bindgen(js_name = "signAliyunRpc")]
pub fn sign_aliyun_rpc(
    params: JsValue,
    secret: JsValue,
    http_method: JsValue,
) -> Result<String, JsValue> {
    let secret = string_arg(&secret, "secret", 64 * 1024)?;
    let m = aligate::prepare::HttpMethod::parse(&string_arg(&http_method, "httpMethod", 64)?)
        .ok_or_else(|| invalid("httpMethod", "expected GET or POST"))?;
    let owned = string_pairs(&params)?;
    let mut p: Vec<(&str, &str)> = owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    Ok(aligate::sign::aliyun_rpc::sign(&mut p, &secret, m.as_str()))
}

/// TOP's timestamp (`yyyy-MM-dd HH:mm:ss`, GMT+8) for a Unix time in ms or a Date.
#[wasm_bindgen(js_name = "topTimestamp")]
pub fn top_timestamp(time: JsValue) -> Result<String, JsValue> {
    let ms = options::time_ms(&time, "time")?
        .ok_or_else(|| invalid("time", "expected a Date or Unix time in ms"))?;
    aligate::time::top_timestamp(ms).ok_or_else(|| invalid("time", "out of range"))
}

/// Decodes a response body the way the clients do (for proxies and tests).
#[wasm_bindgen(js_name = "decodeResponse")]
pub fn decode_response(
    api: JsValue,
    status: JsValue,
    content_type: JsValue,
    body: &[u8],
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let api = &api_name(&api)?;
    let status = status
        .as_f64()
        .filter(|s| (100.0..=599.0).contains(s) && *s == (*s as u16) as f64)
        .ok_or_else(|| invalid("status", "expected an HTTP status from 100 to 599"))?
        as u16;
    let content_type = &string_arg(&content_type, "contentType", 1024)?;
    let format = get(&options, "format")
        .as_string()
        .and_then(|s| aligate::prepare::Format::parse(&s))
        .unwrap_or(aligate::prepare::Format::Json);
    let simplify = get(&options, "simplify").as_bool().unwrap_or(false);
    let call = aligate::decode::Call {
        protocol: protocol_of(api),
        api,
        format,
        simplify,
    };
    let r = aligate::decode::Received {
        status,
        content_type,
        body,
    };
    let json = aligate::decode::decode(&call, &r, aligate::decode::DEFAULT_MAX_BODY_BYTES)
        .map_err(core_err)?;
    js_sys::JSON::parse(&json)
}

/// `text` with each secret (newline-separated in `secrets`) scrubbed as the
/// core scrubs its errors (`error::scrub_text`), or undefined when none occurs:
/// the signing proxy's last line.
#[wasm_bindgen(js_name = "__scrub")]
pub fn scrub(text: &str, secrets: &str) -> Option<String> {
    // By bytes: `str::split` would link its searcher.
    let (mut list, mut from) = (Vec::new(), 0);
    for (i, b) in secrets.bytes().enumerate() {
        if b == b'\n' {
            list.push(secrets.get(from..i).unwrap_or_default());
            from = i + 1;
        }
    }
    list.push(secrets.get(from..).unwrap_or_default());
    aligate::error::scrub_text(text, &list)
}

/// Bytes of wasm linear memory (for the memory benchmark and leak checks).
#[wasm_bindgen(js_name = "__memoryBytes")]
pub fn memory_bytes() -> f64 {
    (core::arch::wasm32::memory_size(0) * 65_536) as f64
}
