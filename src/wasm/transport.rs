//! fetch with a timeout, the caller's AbortSignal and a capped body read.
//! Global `fetch` (or an injected one); no Node built-ins.

use super::get;
use crate::error::{Error, ErrorKind};
use crate::prepare::Prepared;
use crate::retry::NetworkFault;
use js_sys::{Function, Object, Promise, Reflect, Uint8Array};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(url: &str, init: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(cb: &JsValue, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

pub struct Received {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

pub struct Failure {
    pub error: Error,
    pub fault: Option<NetworkFault>,
}

fn text(v: &JsValue, k: &str) -> String {
    get(v, k).as_string().unwrap_or_default()
}

pub fn aborted_error() -> Error {
    Error::new(
        ErrorKind::Aborted,
        "the request was aborted by the caller's signal",
    )
}

/// Links the caller's signal to our controller; returns a cleanup.
fn link(
    signal: Option<&AbortSignal>,
    controller: &AbortController,
) -> Option<(AbortSignal, Function)> {
    let signal = signal?;
    let c = controller.clone();
    let cb = Closure::<dyn FnMut()>::new(move || c.abort());
    let f: Function = cb.into_js_value().unchecked_into();
    let _ = signal.add_event_listener_with_callback("abort", &f);
    Some((signal.clone(), f))
}

fn classify_fetch_error(e: &JsValue) -> NetworkFault {
    let cause = get(e, "cause");
    let codes = [text(e, "code"), text(&cause, "code"), text(&cause, "name")];
    let message =
        format!("{} {}", text(e, "message"), text(&cause, "message")).to_ascii_lowercase();
    if codes
        .iter()
        .any(|c| c == "ECONNREFUSED" || c == "ConnectionRefused")
        || message.contains("connection refused")
        || message.contains("econnrefused")
    {
        NetworkFault::Refused
    } else {
        NetworkFault::Other
    }
}

fn describe_js_error(e: &JsValue) -> String {
    let cause = get(e, "cause");
    let mut m = text(e, "message");
    let c = text(&cause, "code");
    let cm = text(&cause, "message");
    if !c.is_empty() || !cm.is_empty() {
        m.push_str(&format!(" ({c} {cm})"));
    }
    m.trim().to_string()
}

/// One attempt: send, then read at most `max_body` bytes.
pub async fn send(
    p: &Prepared,
    fetch: Option<&Function>,
    signal: Option<&AbortSignal>,
    timeout_ms: u32,
    max_body: usize,
) -> Result<Received, Failure> {
    let fail = |error: Error, fault: Option<NetworkFault>| Failure { error, fault };
    if signal.is_some_and(|s| s.aborted()) {
        return Err(fail(aborted_error(), None));
    }
    let controller = AbortController::new().map_err(|_| {
        fail(
            Error::new(ErrorKind::Internal, "AbortController is unavailable"),
            None,
        )
    })?;
    let linked = link(signal, &controller);
    let timed_out = Rc::new(Cell::new(false));
    let timer = {
        let c = controller.clone();
        let t = timed_out.clone();
        let cb = Closure::once_into_js(move || {
            t.set(true);
            c.abort();
        });
        set_timeout(&cb, timeout_ms as f64)
    };
    let result = attempt(p, fetch, &controller, max_body).await;
    clear_timeout(&timer);
    if let Some((s, f)) = linked {
        let _ = s.remove_event_listener_with_callback("abort", &f);
    }
    result.map_err(|(e, fault, during_body)| {
        if signal.is_some_and(|s| s.aborted()) {
            fail(aborted_error(), None)
        } else if timed_out.get() {
            fail(
                Error::new(
                    ErrorKind::Timeout,
                    format!("no complete response within {timeout_ms} ms"),
                ),
                None,
            )
        } else if during_body {
            fail(
                Error::decode(format!(
                    "truncated body: the connection failed while reading it: {}",
                    describe_js_error(&e)
                )),
                Some(NetworkFault::Other),
            )
        } else {
            fail(
                Error::new(
                    ErrorKind::Network,
                    format!("request failed: {}", describe_js_error(&e)),
                ),
                fault,
            )
        }
    })
}

type AttemptErr = (JsValue, Option<NetworkFault>, bool);

async fn attempt(
    p: &Prepared,
    fetch: Option<&Function>,
    controller: &AbortController,
    max_body: usize,
) -> Result<Received, AttemptErr> {
    let init = Object::new();
    let _ = Reflect::set(&init, &"method".into(), &p.method.into());
    let headers = Object::new();
    if let Some(ct) = p.content_type {
        let _ = Reflect::set(&headers, &"content-type".into(), &ct.into());
    }
    for (k, v) in &p.headers {
        let _ = Reflect::set(&headers, &(*k).into(), &v.as_str().into());
    }
    if p.method != "GET" && !p.body.is_empty() {
        let _ = Reflect::set(&init, &"body".into(), &p.body.as_str().into());
    }
    let _ = Reflect::set(&init, &"headers".into(), &headers);
    let _ = Reflect::set(&init, &"signal".into(), &controller.signal());
    let promise = match fetch {
        Some(f) => match f.call2(&JsValue::UNDEFINED, &p.url.as_str().into(), &init) {
            Ok(v) => Promise::resolve(&v),
            Err(e) => return Err((e, Some(NetworkFault::Other), false)),
        },
        None => global_fetch(&p.url, &init),
    };
    let response = JsFuture::from(promise).await.map_err(|e| {
        let f = classify_fetch_error(&e);
        (e, Some(f), false)
    })?;
    let status = get(&response, "status").as_f64().unwrap_or(0.0) as u16;
    let content_type = get(&response, "headers")
        .dyn_into::<web_sys::Headers>()
        .ok()
        .and_then(|h| h.get("content-type").ok().flatten())
        .unwrap_or_default();
    let body = read_capped(&response, max_body)
        .await
        .map_err(|e| (e, Some(NetworkFault::Other), true))?;
    Ok(Received {
        status,
        content_type,
        body,
    })
}

/// Reads the body stream, stopping (and cancelling) past `max_body` bytes:
/// returns what was read plus one byte so the decoder reports the overflow.
async fn read_capped(response: &JsValue, max_body: usize) -> Result<Vec<u8>, JsValue> {
    let stream = get(response, "body");
    if stream.is_null() || stream.is_undefined() {
        // No stream support (some injected fetches): fall back to arrayBuffer.
        let f: Function = get(response, "arrayBuffer").dyn_into()?;
        let buf = JsFuture::from(Promise::resolve(&f.call0(response)?)).await?;
        let arr = Uint8Array::new(&buf);
        if arr.length() as usize > max_body {
            return Ok(vec![0; max_body + 1]);
        }
        return Ok(arr.to_vec());
    }
    let get_reader: Function = get(&stream, "getReader").dyn_into()?;
    let reader = get_reader.call0(&stream)?;
    let read: Function = get(&reader, "read").dyn_into()?;
    let mut out = Vec::new();
    loop {
        let chunk = JsFuture::from(Promise::resolve(&read.call0(&reader)?)).await?;
        if get(&chunk, "done").as_bool().unwrap_or(true) {
            break;
        }
        let value = Uint8Array::new(&get(&chunk, "value"));
        let n = value.length() as usize;
        if out.len() + n > max_body {
            if let Ok(cancel) = get(&reader, "cancel").dyn_into::<Function>() {
                // Stop the download; the result of cancel does not matter.
                let _ = cancel.call0(&reader);
            }
            out.resize(max_body + 1, 0);
            return Ok(out);
        }
        let start = out.len();
        out.resize(start + n, 0);
        value.copy_to(&mut out[start..]);
    }
    Ok(out)
}

/// Waits `ms`, or until the caller's signal aborts (then `Err(aborted)`).
pub async fn sleep(ms: u64, signal: Option<&AbortSignal>) -> Result<(), Error> {
    if signal.is_some_and(|s| s.aborted()) {
        return Err(aborted_error());
    }
    let mut timer = JsValue::UNDEFINED;
    let mut listener: Option<Function> = None;
    let promise = Promise::new(&mut |resolve, _reject| {
        timer = set_timeout(&resolve, ms as f64);
        if let Some(s) = signal {
            let _ = s.add_event_listener_with_callback("abort", &resolve);
            listener = Some(resolve);
        }
    });
    let _ = JsFuture::from(promise).await;
    clear_timeout(&timer);
    if let (Some(s), Some(f)) = (signal, listener) {
        let _ = s.remove_event_listener_with_callback("abort", &f);
    }
    if signal.is_some_and(|s| s.aborted()) {
        return Err(aborted_error());
    }
    Ok(())
}
