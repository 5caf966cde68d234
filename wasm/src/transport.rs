//! Error mapping for the JS side's fetch (js/core.mjs does the IO): what a
//! rejected fetch means, in the words the errors use.

use super::{get, js};
use aligate::client::Fault;
use aligate::json::find_str;
use aligate::prelude::*;
use wasm_bindgen::prelude::*;

/// `v[k]` as a string for classification (capped: a runtime's message can be long).
fn text(v: &JsValue, k: &str) -> String {
    match js::string_capped(&get(v, k), 4096) {
        Some(Ok(s)) => s,
        _ => String::new(),
    }
}

/// A refused connection proves nothing was sent (Node: ECONNREFUSED in the
/// cause; Bun: ConnectionRefused; Deno and browsers: only the message).
pub fn classify_fetch_error(e: &JsValue) -> Fault {
    let cause = get(e, "cause");
    let codes = [text(e, "code"), text(&cause, "code"), text(&cause, "name")];
    let message = [&text(e, "message"), " ", &text(&cause, "message")]
        .concat()
        .to_ascii_lowercase();
    if codes
        .iter()
        .any(|c| c == "ECONNREFUSED" || c == "ConnectionRefused")
        || find_str(&message, "connection refused").is_some()
        || find_str(&message, "econnrefused").is_some()
    {
        Fault::Refused
    } else {
        Fault::Network
    }
}

/// What a rejected fetch was, in words aligate chooses: the error's name and
/// its code identifiers only. Never its message: runtimes quote the offending
/// header value there (an STS token with a NUL, say), and it would travel on
/// in the AligateError to logs and proxy responses.
pub fn describe_js_error(e: &JsValue) -> String {
    let mut m = js::error_name(e).unwrap_or_else(|| "a non-Error value".into());
    let cause = get(e, "cause");
    for c in [text(e, "code"), text(&cause, "code")] {
        if c.len() <= 40 && js::identifier(&c) {
            m.push_str(" (");
            m.push_str(&c);
            m.push(')');
        }
    }
    m
}
