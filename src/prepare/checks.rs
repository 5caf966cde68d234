//! What may become a header, a URL part or a line of the prepared-request
//! protocol (`method \n url \n name:value\tname:value \n body`, see
//! src/line.rs): no control character anywhere, only
//! printable ASCII in headers, and endpoints that cannot hide or drop parts.
//! Messages name the option and never quote its value (it may be a secret).
//! Written over bytes with `get`: str slicing and patterns would link their
//! panic and search machinery into the .wasm (kilobytes).

use crate::error::{Error, Issue, Result};
use crate::prelude::*;

/// Where a value ends up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sink {
    /// Percent-encoded into the URL or body, or a line of the protocol.
    Text,
    /// A header value (Aliyun v3): fetch sends header values as bytes, so a
    /// non-ASCII value would be signed as UTF-8 but sent otherwise, or be
    /// refused by fetch with the value quoted in its message.
    Header,
}

/// C0, DEL, C1, U+2028, U+2029 (short texts: every byte is in the .wasm).
const CONTROL: &str = "has a control character";

/// C0, DEL, C1, and the JS line/paragraph separators.
fn is_control(c: char) -> bool {
    matches!(c, '\0'..='\x1f' | '\x7f'..='\u{9f}' | '\u{2028}' | '\u{2029}')
}

/// Why `s` may not go to `sink`, if it may not.
pub fn fault(s: &str, sink: Sink) -> Option<&'static str> {
    // Fast path: printable ASCII goes anywhere (a scan, no allocation).
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return None;
    }
    if s.chars().any(is_control) {
        return Some(CONTROL);
    }
    match sink {
        Sink::Text => None,
        Sink::Header => Some("must be printable ASCII (an HTTP header)"),
    }
}

/// Checks a client's options: each `(path, value)` for `sink`, and the
/// endpoint; every issue at once.
pub fn options(fields: &[(&str, &str)], sink: Sink, endpoint: &str) -> Result<()> {
    let mut issues = Vec::new();
    let mut add = |path: &str, why: &str| {
        issues.push(Issue {
            path: path.into(),
            message: why.into(),
        })
    };
    for &(path, value) in fields {
        if let Some(why) = fault(value, sink) {
            add(path, why);
        }
    }
    if let Some(why) = endpoint_fault(endpoint) {
        add("options.endpoint", why);
    }
    if issues.is_empty() {
        Ok(())
    } else {
        Err(Error::validation(issues))
    }
}

/// The endpoint rule: `http://` or `https://` (lower case); printable ASCII
/// without spaces, backslashes (URL parsers read them as `/`) or a
/// `#fragment` (fetch drops what follows it: the signed query); an
/// authority of letters, digits and `-._:[]` (a host, an optional port, an
/// IPv6 literal: no `user@`) that starts with a host; no query (it would not
/// be signed; one bare trailing `?` is ignored).
pub fn endpoint_fault(e: &str) -> Option<&'static str> {
    let b = e.as_bytes();
    let Some(rest) = b
        .strip_prefix(b"https://")
        .or_else(|| b.strip_prefix(b"http://"))
    else {
        return Some("expected an http(s) URL");
    };
    if !b
        .iter()
        .all(|&c| c > b' ' && c < 0x7f && c != b'\\' && c != b'#')
    {
        return Some("has a space, backslash, #fragment or non-ASCII");
    }
    let end = rest
        .iter()
        .position(|&c| c == b'/' || c == b'?')
        .unwrap_or(rest.len());
    let host = |c: &u8| c.is_ascii_alphanumeric() || b"-._[".contains(c);
    let authority_ok = rest.first().is_some_and(host)
        && rest
            .iter()
            .take(end)
            .all(|c| host(c) || *c == b':' || *c == b']');
    if !authority_ok {
        return Some("expected a host[:port] (no user@)");
    }
    let tail = rest.get(end..).unwrap_or_default();
    if tail
        .iter()
        .position(|&c| c == b'?')
        .is_some_and(|q| q + 1 != tail.len())
    {
        return Some("has a ?query (not signed)");
    }
    None
}

/// `Err` at `options.endpoint` unless `endpoint_fault` accepts it.
pub fn check_endpoint(endpoint: &str) -> Result<()> {
    match endpoint_fault(endpoint) {
        None => Ok(()),
        Some(why) => Err(Error::invalid("options.endpoint", why)),
    }
}

/// The last guard, run where a `Prepared` is assembled: method, URLs,
/// content type and every header name and value pass `fault(_, Header)`,
/// whatever field a future change adds. The body is percent-encoded and is
/// the last part of the protocol, so it cannot split anything: not rescanned.
pub fn sealed(
    method: &str,
    urls: [&str; 2],
    content_type: Option<&str>,
    headers: &[(&'static str, String)],
) -> bool {
    let clean = |s: &str| fault(s, Sink::Header).is_none();
    let mut ok = clean(method) && clean(urls[0]) && clean(urls[1]);
    ok &= clean(content_type.unwrap_or_default());
    for (k, v) in headers {
        ok &= clean(k) && clean(v);
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_final_check_catches_what_slips_through() {
        let h = |k: &'static str, v: &str| vec![(k, v.to_string())];
        let ok = h("x-acs-action", "ConfirmDisburse");
        assert!(sealed(
            "POST",
            ["https://h/?a=1"; 2],
            Some("text/plain"),
            &ok
        ));
        for (k, v) in [
            ("x-acs-security-token", "tok\tx-evil:1"),
            ("x-acs-action", "a\nb"),
            ("x-acs-version", "é"),
            ("bad\tname", "v"),
        ] {
            assert!(!sealed("POST", ["https://h/"; 2], None, &h(k, v)), "{k}");
        }
        for url in ["https://h/\n", "https://h/\tx", "https://h/\u{2028}"] {
            assert!(!sealed("GET", [url, "https://h/"], None, &[]));
            assert!(!sealed("GET", ["https://h/", url], None, &[]));
        }
        assert!(!sealed("POST", ["https://h/"; 2], Some("a\tb"), &[]));
        assert!(!sealed("GE\nT", ["https://h/"; 2], None, &[]));
    }

    #[test]
    fn faults_by_sink() {
        assert_eq!(fault("plain ascii", Sink::Header), None);
        assert_eq!(fault("中文", Sink::Text), None);
        assert!(fault("中文", Sink::Header).is_some());
        for c in [
            '\0', '\t', '\n', '\r', '\x1f', '\x7f', '\u{80}', '\u{85}', '\u{9f}', '\u{2028}',
            '\u{2029}',
        ] {
            let s = format!("a{c}b");
            assert_eq!(fault(&s, Sink::Text), Some(CONTROL));
            assert_eq!(fault(&s, Sink::Header), Some(CONTROL));
        }
        assert_eq!(fault("\u{a0}", Sink::Text), None);
    }
}
