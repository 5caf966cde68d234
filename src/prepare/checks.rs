//! What may become a header, a URL part or a line of the prepared-request
//! protocol (`method \n url \n name:value\tname:value \n body`, see
//! src/wasm/mod.rs `prepared_to_line`): no control character anywhere, only
//! printable ASCII in headers, and endpoints every URL parser reads alike.
//! Messages name the option and never quote its value (it may be a secret).

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

const CONTROL: &str =
    "must not contain control characters (U+0000–U+001F, U+007F–U+009F, U+2028, U+2029)";

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
        Sink::Header => Some("must be printable ASCII: it is sent as an HTTP header"),
    }
}

/// Records an issue at `path` when `value` may not go to `sink`.
pub fn check(issues: &mut Vec<Issue>, path: &str, value: &str, sink: Sink) {
    if let Some(why) = fault(value, sink) {
        issues.push(Issue {
            path: path.into(),
            message: why.into(),
        });
    }
}

/// `Err` with the issues, if any.
pub fn done(issues: Vec<Issue>) -> Result<()> {
    if issues.is_empty() {
        Ok(())
    } else {
        Err(Error::validation(issues))
    }
}

/// The endpoint rule: `http://` or `https://` (lower case), printable ASCII
/// without spaces or backslashes, no `user@`, a host that fetch will not
/// rewrite (DNS labels, or a dotted-quad IPv4 written canonically, or an
/// `[IPv6]` literal), an optional port 1–65535 without leading zeros, no
/// `#fragment` (fetch would drop the signed query after it), and no query
/// (it would not be signed; one bare trailing `?` is ignored).
pub fn endpoint_fault(e: &str) -> Option<&'static str> {
    if let Some(why) = fault(e, Sink::Header) {
        return Some(why);
    }
    if e.bytes().any(|b| b == b' ' || b == b'\\') {
        return Some("must not contain spaces or backslashes");
    }
    let Some(rest) = e
        .strip_prefix("https://")
        .or_else(|| e.strip_prefix("http://"))
    else {
        return Some("expected an http:// or https:// URL");
    };
    if e.contains('#') {
        return Some("must not have a #fragment: fetch would drop the signed query after it");
    }
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = split(rest, end);
    if authority.contains('@') {
        return Some("must not contain user:password@; pass credentials as options");
    }
    if let Some(q) = tail.find('?') {
        if q + 1 != tail.len() {
            return Some(
                "must not have a ?query: it would not be signed; pass parameters as params",
            );
        }
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let Some(close) = v6.find(']') else {
                return Some("has an unclosed [IPv6] host");
            };
            let (addr, after) = split(v6, close);
            if addr.is_empty()
                || !addr
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
            {
                return Some("has an invalid [IPv6] host");
            }
            (None, after.get(1..).unwrap_or_default())
        }
        None => {
            let (h, p) = split(authority, authority.find(':').unwrap_or(authority.len()));
            (Some(h), p)
        }
    };
    if let Some(host) = host {
        if let Some(why) = host_fault(host) {
            return Some(why);
        }
    }
    if !port.is_empty() {
        let digits = port.get(1..).unwrap_or_default();
        let canonical = port.starts_with(':')
            && (1..=5).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if !canonical || digits.parse::<u32>().map_or(true, |p| p > 65_535) {
            return Some("has an invalid port: expected 1 to 65535 without leading zeros");
        }
    }
    None
}

/// `s.split_at(i)` without its panic path (whose message formatting costs
/// kilobytes of wasm; `i` always comes from a `find` on `s` here).
fn split(s: &str, i: usize) -> (&str, &str) {
    (s.get(..i).unwrap_or(s), s.get(i..).unwrap_or_default())
}

fn host_fault(host: &str) -> Option<&'static str> {
    if host.is_empty() {
        return Some("has no host");
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if !host.split('.').all(label_ok) {
        return Some("has an invalid host: expected DNS labels (a-z, 0-9, -, _) or an IP address");
    }
    // A numeric last label makes URL parsers read the host as IPv4 and
    // rewrite it (`127.1` → `127.0.0.1`): only the canonical form matches.
    let last = host.rsplit('.').next().unwrap_or(host);
    let numeric = last.bytes().all(|b| b.is_ascii_digit())
        || last.starts_with("0x")
        || last.starts_with("0X");
    if numeric {
        let parts: Vec<&str> = host.split('.').collect();
        let octet = |p: &&str| {
            p.bytes().all(|b| b.is_ascii_digit())
                && (p.len() == 1 || !p.starts_with('0'))
                && p.parse::<u16>().is_ok_and(|v| v <= 255)
        };
        if parts.len() != 4 || !parts.iter().all(octet) {
            return Some("has an invalid IPv4 host: expected four decimal octets like 127.0.0.1");
        }
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

/// The last guard, run where a `Prepared` is assembled: method, URL and every
/// header name and value are printable ASCII (URL without spaces), whatever
/// field a future change adds. The body is percent-encoded and is the last
/// part of the protocol, so it cannot split anything; it is not rescanned.
pub fn sealed<'a>(
    method: &str,
    url: &str,
    redacted_url: Option<&str>,
    mut headers: impl Iterator<Item = (&'a str, &'a str)>,
) -> bool {
    let token =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let url_ok = |s: &str| !s.is_empty() && s.bytes().all(|b| (0x21..0x7f).contains(&b));
    token(method)
        && url_ok(url)
        && redacted_url.is_none_or(url_ok)
        && headers.all(|(k, v)| token(k) && v.bytes().all(|b| (0x20..0x7f).contains(&b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_final_check_catches_what_slips_through() {
        let ok = [("x-acs-action", "ConfirmDisburse")];
        assert!(sealed("POST", "https://h/?a=1", None, ok.into_iter()));
        for (k, v) in [
            ("x-acs-security-token", "tok\tx-evil:1"),
            ("x-acs-action", "a\nb"),
            ("x-acs-version", "é"),
            ("bad name", "v"),
            ("", "v"),
        ] {
            assert!(
                !sealed("POST", "https://h/", None, [(k, v)].into_iter()),
                "{k}"
            );
        }
        for url in ["https://h/\n", "https://h/ x", ""] {
            assert!(!sealed("GET", url, None, core::iter::empty()));
            assert!(!sealed("GET", "https://h/", Some(url), core::iter::empty()));
        }
        assert!(!sealed("GE T", "https://h/", None, core::iter::empty()));
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
