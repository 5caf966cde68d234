//! Every JS operation the binding performs on a caller's value. A JS exception
//! that unwinds through wasm frames skips their destructors and leaves the
//! shadow stack, borrow flags and heap as they were mid-call, so each operation
//! that can run caller code (a getter, a Proxy trap, `valueOf`, `toJSON`) is a
//! `catch` import here and returns a `Result`. The rest of the binding reaches
//! caller values only through these functions; `npm test` checks the glue for
//! imports that can throw uncaught.
//!
//! Each returns `Option<T>`, never a bare `T`: wasm-bindgen moves a bare
//! returned value into a fresh externref-table slot in a wasm-side shim, even
//! the `undefined` its `handleError` returns after a throw, and the `catch`
//! wrapper returns `Err` before that slot is ever owned, so every throw leaked
//! a slot (and 4 bytes of the slot list). An `Option` is put in the table by
//! the glue's JS, which a throw skips: the wasm side gets 0 (`None`), nothing
//! is allocated. The cost: `null` reads back as `undefined`; every caller
//! treats the two alike (`present`).

use aligate::prelude::*;
use js_sys::{Array, Function, JsString};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// `Object.keys(o)`: a Proxy's `ownKeys` or descriptor trap may throw.
    #[wasm_bindgen(js_namespace = Object, js_name = keys, catch)]
    fn object_keys(o: &JsValue) -> Result<Option<Array>, JsValue>;
    /// `Reflect.get(o, k)`: a getter or Proxy trap may throw.
    #[wasm_bindgen(js_namespace = Reflect, js_name = get, catch)]
    fn reflect_get(o: &JsValue, k: &str) -> Result<Option<JsValue>, JsValue>;
    /// `JSON.stringify(v, replacer)`: a `toJSON`, getter or trap may throw.
    #[wasm_bindgen(js_namespace = JSON, js_name = stringify, catch)]
    fn json_stringify(v: &JsValue, replacer: &JsValue) -> Result<Option<JsString>, JsValue>;
    /// A function, called through its `call` like js-sys's `Function::call1`
    /// (js-sys's own returns a bare `JsValue`, see above).
    type Callable;
    #[wasm_bindgen(method, js_name = call, catch)]
    fn call1(
        this: &Callable,
        this_arg: &JsValue,
        arg: &JsValue,
    ) -> Result<Option<JsValue>, JsValue>;
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
    Ok(reflect_get(v, k)
        .map_err(|_| ())?
        .unwrap_or(JsValue::UNDEFINED))
}

/// The own enumerable string keys of an object; `Err(())` when listing them threw.
pub(crate) fn keys(o: &JsValue) -> Result<Vec<String>, ()> {
    let a = object_keys(o).map_err(|_| ())?.ok_or(())?;
    // Object.keys returns a fresh plain array of strings: indexing cannot throw.
    Ok(a.iter().filter_map(|k| k.as_string()).collect())
}

/// `JSON.stringify(v, replacer)` (`replacer` may be `undefined`) or the thrown
/// value; like js-sys's, `undefined` typed as a `JsString` when `v` is a
/// function or symbol.
pub(crate) fn stringify(v: &JsValue, replacer: &JsValue) -> Result<JsString, JsValue> {
    Ok(json_stringify(v, replacer)?.unwrap_or_else(|| JsValue::UNDEFINED.unchecked_into()))
}

/// `f.call(this_arg, arg)`: the result (nullish as `undefined`) or the thrown value.
pub(crate) fn call(f: &Function, this_arg: &JsValue, arg: &JsValue) -> Result<JsValue, JsValue> {
    let r = f.unchecked_ref::<Callable>().call1(this_arg, arg)?;
    Ok(r.unwrap_or(JsValue::UNDEFINED))
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
    // `Date.prototype.getTime` itself, not the object's own `getTime`; on a
    // fake Date it throws a TypeError, caught here.
    let date = get(&js_sys::global(), "Date");
    let get_time = get(&get(&date, "prototype"), "getTime");
    let get_time = get_time.dyn_ref::<js_sys::Function>()?;
    call(get_time, v, &JsValue::UNDEFINED).ok()?.as_f64()
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
