//! The prepared-request line: how a `Prepared` crosses from wasm to the JS
//! entry as one string (building a JS object field by field from wasm cost a
//! third of `prepare`'s time). js/core.mjs `preparedFromLine` is the reader.
//!
//! Grammar (`\n` is LF, `\t` is TAB):
//!
//! ```text
//! line    = method "\n" url "\n" headers "\n" body
//! headers = "" / header *( "\t" header )
//! header  = name ":" value          ; a name holds no ":"
//! ```
//!
//! - `method`, `url`, header names and values hold no control character (C0
//!   with TAB, CR and LF, DEL, C1, U+2028/9) and headers are printable ASCII
//!   (`prepare::sealed`): `build` refuses anything else before the line
//!   exists, so no value can split a field or a header.
//! - `url` is percent-encoded; `body` is the form-encoded body (percent-
//!   encoded) or empty, and runs to the end of the line (it is never split).
//! - `content-type`, when the request has one, is the first header.

use crate::error::{Error, ErrorKind, Result};
use crate::prelude::*;
use crate::prepare::{sealed, Prepared};

const SECURITY_TOKEN_HEADER: &str = "x-acs-security-token";

/// The line for `p`; `redacted`: credentials replaced by `***` (dry runs).
pub fn build(p: &Prepared, redacted: bool) -> Result<String> {
    let (url, body) = if redacted {
        (p.redacted_url(), p.redacted_body())
    } else {
        (p.url.as_str(), p.body.as_str())
    };
    // `prepare` seals what it builds; a `Prepared` is plain data, so the
    // line checks again (a bug, or a hand-made one): the rule of `sealed`.
    // A `:` in a name would move the split between name and value.
    let names = p.headers.iter().all(|(k, _)| !k.bytes().any(|b| b == b':'));
    if !(names && sealed(p.method, [url, ""], p.content_type, &p.headers)) {
        return Err(Error::new(
            ErrorKind::Internal,
            "control character in a prepared request",
        ));
    }
    let mut s = String::with_capacity(url.len() + body.len() + 256);
    s.push_str(p.method);
    s.push('\n');
    s.push_str(url);
    s.push('\n');
    let mut first = true;
    let mut header = |k: &str, v: &str| {
        if !first {
            s.push('\t');
        }
        first = false;
        s.push_str(k);
        s.push(':');
        s.push_str(v);
    };
    if let Some(ct) = p.content_type {
        header("content-type", ct);
    }
    for (k, v) in &p.headers {
        let secret = redacted && *k == SECURITY_TOKEN_HEADER;
        header(k, if secret { "***" } else { v });
    }
    s.push('\n');
    s.push_str(body);
    Ok(s)
}

/// A line's parts, as the JS reader splits them.
#[derive(Debug, PartialEq, Eq)]
pub struct Parts<'a> {
    pub method: &'a str,
    pub url: &'a str,
    pub headers: Vec<(&'a str, &'a str)>,
    pub body: &'a str,
}

/// Splits a line (for tests and Rust users of the line); `None` when it has
/// fewer than three line feeds.
pub fn parse(line: &str) -> Option<Parts<'_>> {
    let mut parts = line.splitn(4, '\n');
    let (method, url, head, body) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let headers = if head.is_empty() {
        Vec::new()
    } else {
        head.split('\t')
            .map(|h| h.split_once(':').unwrap_or((h, "")))
            .collect()
    };
    Some(Parts {
        method,
        url,
        headers,
        body,
    })
}
