//! Every JS operation the binding performs on a caller's value. A JS exception
//! that unwinds through wasm frames skips their destructors and leaves the
//! shadow stack, borrow flags and heap as they were mid-call, so each operation
//! that can run caller code (a getter, a Proxy trap, `valueOf`) is a `catch`
//! import here and returns a `Result`. The rest of `src/wasm` reaches caller
//! values only through these functions (and `Reflect`, which js-sys declares
//! `catch`); `npm test` checks the glue for imports that can throw uncaught.

use crate::prelude::*;
use js_sys::{Array, JsString, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// `Object.keys(o)`: a Proxy's `ownKeys` or descriptor trap may throw.
    #[wasm_bindgen(js_namespace = Object, js_name = keys, catch)]
    fn object_keys(o: &JsValue) -> Result<Array, JsValue>;
}

/// True for a value that is neither `undefined` nor `null`.
pub(crate) fn present(v: &JsValue) -> bool {
    !(v.is_undefined() || v.is_null())
}

/// `v[k]`, or `undefined` when `v` is nullish or the lookup throws. For
/// best-effort reads (error details, environment lookups).
pub(crate) fn get(v: &JsValue, k: &str) -> JsValue {
    read(v, k).unwrap_or(JsValue::UNDEFINED)
}

/// `v[k]`; `Err(())` when a getter or Proxy trap threw.
pub(crate) fn read(v: &JsValue, k: &str) -> Result<JsValue, ()> {
    if !v.is_object() && !v.is_function() {
        return Ok(JsValue::UNDEFINED);
    }
    Reflect::get(v, &JsValue::from_str(k)).map_err(|_| ())
}

/// The own enumerable string keys of an object; `Err(())` when listing them threw.
pub(crate) fn keys(o: &JsValue) -> Result<Vec<String>, ()> {
    let a = object_keys(o).map_err(|_| ())?;
    // Object.keys returns a fresh plain array of strings: indexing cannot throw.
    Ok(a.iter().filter_map(|k| k.as_string()).collect())
}

/// The string, when `v` is one of at most `max` UTF-16 units (checked before
/// the copy into wasm memory, which never shrinks again). `Err(len)` when longer.
pub(crate) fn string_capped(v: &JsValue, max: usize) -> Option<Result<String, usize>> {
    let s = v.dyn_ref::<JsString>()?;
    let len = s.length() as usize;
    if len > max {
        return Some(Err(len));
    }
    v.as_string().map(Ok)
}

/// Unix ms of a real `Date` (NaN for an invalid one); `None` for anything
/// else, including objects that merely inherit from `Date.prototype`.
pub(crate) fn date_ms(v: &JsValue) -> Option<f64> {
    if !v.is_instance_of::<js_sys::Date>() {
        return None;
    }
    // `Date.prototype.getTime` itself, not the object's own `getTime`; `call0`
    // is a catch import: on a fake Date it throws a TypeError, caught here.
    let date = get(&js_sys::global(), "Date");
    let get_time = get(&get(&date, "prototype"), "getTime");
    let get_time = get_time.dyn_ref::<js_sys::Function>()?;
    get_time.call0(v).ok()?.as_f64()
}

/// The `name` of a thrown value when it is a short identifier (`TypeError`,
/// `AbortError`): never the message, which may quote what the caller passed.
pub(crate) fn error_name(e: &JsValue) -> Option<String> {
    let n = string_capped(&get(e, "name"), 40)?.ok()?;
    identifier(&n).then_some(n)
}

/// True for a non-empty `[A-Za-z0-9_]` word: safe to put in a message.
pub(crate) fn identifier(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}
