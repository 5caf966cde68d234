//! Error mapping for the JS side's fetch (js/core.mjs does the IO): what a
//! rejected fetch means, in the words the errors use.

use super::get;
use crate::error::{Error, ErrorKind};
use crate::json::find_str;
use crate::prelude::*;
use crate::retry::NetworkFault;
use wasm_bindgen::prelude::*;

fn text(v: &JsValue, k: &str) -> String {
    get(v, k).as_string().unwrap_or_default()
}

pub fn aborted_error() -> Error {
    Error::new(
        ErrorKind::Aborted,
        "the request was aborted by the caller's signal",
    )
}

/// A refused connection proves nothing was sent (Node: ECONNREFUSED in the
/// cause; Bun: ConnectionRefused; Deno and browsers: only the message).
pub fn classify_fetch_error(e: &JsValue) -> NetworkFault {
    let cause = get(e, "cause");
    let codes = [text(e, "code"), text(&cause, "code"), text(&cause, "name")];
    let message =
        format!("{} {}", text(e, "message"), text(&cause, "message")).to_ascii_lowercase();
    if codes
        .iter()
        .any(|c| c == "ECONNREFUSED" || c == "ConnectionRefused")
        || find_str(&message, "connection refused").is_some()
        || find_str(&message, "econnrefused").is_some()
    {
        NetworkFault::Refused
    } else {
        NetworkFault::Other
    }
}

pub fn describe_js_error(e: &JsValue) -> String {
    let cause = get(e, "cause");
    let mut m = text(e, "message");
    if m.is_empty() {
        m = e.as_string().unwrap_or_default();
    }
    let c = text(&cause, "code");
    let cm = text(&cause, "message");
    if !c.is_empty() || !cm.is_empty() {
        m.push_str(&format!(" ({c} {cm})"));
    }
    m.trim().to_string()
}
