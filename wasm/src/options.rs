//! Reading a caller's option objects: each value read once, through the
//! catching operations of `js.rs`, and every refusal names the option. What a
//! value may be (ranges, defaults) is the core's (`client::config`,
//! `prepare`); this file only converts.

use super::{get, invalid, js, present};
use aligate::client::config::{Http, HttpOptions, HTTP_NUMBERS};
use aligate::prelude::*;
use js_sys::Function;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::AbortSignal;

/// Option strings are short (keys, tokens, URLs); longer ones are refused
/// before they are copied into wasm memory.
pub(crate) const MAX_OPTION_CHARS: usize = 64 * 1024;

/// Rejects option names the client does not know (typos would otherwise be silent).
pub(crate) fn check_keys(opts: &JsValue, allowed: &[&str], what: &str) -> Result<(), JsValue> {
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
            return Err(invalid_at(
                what,
                &k,
                &["unknown option; expected one of ", &allowed.join(", ")].concat(),
            ));
        }
    }
    Ok(())
}

/// An invalid option at `what.key`.
fn invalid_at(what: &str, key: &str, message: &str) -> JsValue {
    invalid(&[what, ".", key].concat(), message)
}

/// `opts[key]`; a getter or Proxy trap that throws is an error naming the option.
pub(crate) fn opt(opts: &JsValue, key: &str, what: &str) -> Result<JsValue, JsValue> {
    js::read(opts, key).map_err(|_| invalid_at(what, key, "reading it threw"))
}

pub(crate) fn opt_string(opts: &JsValue, key: &str, what: &str) -> Result<Option<String>, JsValue> {
    let v = opt(opts, key, what)?;
    if !present(&v) {
        return Ok(None);
    }
    match js::string_capped(&v, MAX_OPTION_CHARS) {
        Some(Ok(s)) => Ok(Some(s)),
        Some(Err(_)) => Err(invalid_at(
            what,
            key,
            &[
                "longer than the ",
                &aligate::schema::decimal(MAX_OPTION_CHARS as i64),
                " characters aligate accepts",
            ]
            .concat(),
        )),
        None => Err(invalid_at(what, key, "expected a string")),
    }
}

pub(crate) fn req_string(opts: &JsValue, key: &str, what: &str) -> Result<String, JsValue> {
    match opt_string(opts, key, what)? {
        Some(s) if !s.trim().is_empty() => Ok(s),
        _ => Err(invalid_at(what, key, "is required")),
    }
}

/// `opts[key]` as a number for the core to check; a present non-number is
/// NaN (refused there by name).
pub(crate) fn opt_number(opts: &JsValue, key: &str) -> Result<Option<f64>, JsValue> {
    let v = opt(opts, key, "options")?;
    Ok(present(&v).then(|| v.as_f64().unwrap_or(f64::NAN)))
}

pub(crate) fn opt_bool(opts: &JsValue, key: &str, what: &str) -> Result<Option<bool>, JsValue> {
    let v = opt(opts, key, what)?;
    if !present(&v) {
        return Ok(None);
    }
    v.as_bool()
        .map(Some)
        .ok_or_else(|| invalid_at(what, key, "expected a boolean"))
}

pub(crate) fn opt_function(
    opts: &JsValue,
    key: &str,
    what: &str,
) -> Result<Option<Function>, JsValue> {
    let v = opt(opts, key, what)?;
    if !present(&v) {
        return Ok(None);
    }
    v.dyn_into::<Function>()
        .map(Some)
        .map_err(|_| invalid_at(what, key, "expected a function"))
}

pub(crate) fn opt_signal(opts: &JsValue) -> Result<Option<AbortSignal>, JsValue> {
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

/// A client's HTTP settings: the core's checked `Http` plus the caller's `fetch`.
#[derive(Clone)]
pub(crate) struct HttpIo {
    pub(crate) fetch: Option<Function>,
    pub(crate) http: Http,
}

impl HttpIo {
    pub(crate) fn from_options(o: &JsValue) -> Result<HttpIo, JsValue> {
        let mut values = [None; 5];
        for (v, (key, _)) in values.iter_mut().zip(HTTP_NUMBERS) {
            *v = opt_number(o, key)?;
        }
        Ok(HttpIo {
            fetch: opt_function(o, "fetch", "options")?,
            http: Http::from_options(&HttpOptions::from_values(values)).map_err(super::core_err)?,
        })
    }

    /// Per-call overrides (`timeoutMs`, `retries`).
    pub(crate) fn with_call(&self, o: &JsValue) -> Result<Http, JsValue> {
        let (t, r) = (opt_number(o, "timeoutMs")?, opt_number(o, "retries")?);
        self.http.with_call(t, r).map_err(super::core_err)
    }
}

/// `options.endpoint` (default `default`), checked by the core's endpoint rule.
pub(crate) fn endpoint(opts: &JsValue, default: &str) -> Result<String, JsValue> {
    let e = opt_string(opts, "endpoint", "options")?.unwrap_or_else(|| default.to_string());
    aligate::prepare::check_endpoint(&e).map_err(super::core_err)?;
    Ok(e)
}

pub(crate) fn format_opt(opts: &JsValue) -> Result<aligate::prepare::Format, JsValue> {
    match opt_string(opts, "format", "options")? {
        None => Ok(aligate::prepare::Format::Json),
        Some(f) => aligate::prepare::Format::parse(&f)
            .ok_or_else(|| invalid("options.format", "expected json or xml")),
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
pub(crate) fn option_timestamp(
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

/// An environment variable: from `options.env` (a Worker's bindings) when
/// given, else `process.env` (Node, Bun, Deno 2) or `Deno.env`.
pub(crate) fn env_var(opts_env: &JsValue, name: &str) -> Option<String> {
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
    js::call(&getter, &deno_env, &JsValue::from_str(name))
        .ok()
        .and_then(pick)
}
