//! The TOP batch API (`/router/batch`): many calls in one signed POST.
//!
//! Wire format (../shared/TOOLCHAIN.md "TOP batch API", as the official Java
//! SDK's `BatchTaobaoClient` speaks it): the system parameters and `sign` in
//! the URL query; a `text/plain` body of parts joined by a separator, first
//! an optional `#PUBLIC#` part (`#PUBLIC#method=…` when every call has the
//! same API), then one form-encoded part per call (its `method` unless
//! public, its own `session` when it differs from the shared one, its
//! business parameters; `N` for an empty part). The sign is the ordinary TOP
//! sign over the query with the raw body appended. Each call is validated
//! exactly as `prepare_top` validates one (`item`), and `Calls` reports every
//! issue of every call at once, each path prefixed by the call's index.

use super::{check_timestamp, endpoint_base, top_business, with_query, Prepared, TopConfig};
use super::{fault, Secret, Sink, REDACTED};
use crate::error::{Error, ErrorKind, Issue, Result};
use crate::json::Json;
use crate::prelude::*;
use crate::sign::{percent, top};

/// What the Java SDK joins parts with; CR and LF are always percent-encoded
/// inside a part, so a part can never hold it.
pub const DEFAULT_SEPARATOR: &str = "\r\n-S-\r\n";
/// The request header that announces any other separator.
pub const SEPARATOR_HEADER: &str = "top-api-separator";
pub const BATCH_CONTENT_TYPE: &str = "text/plain;charset=UTF-8";
/// Calls per request when the caller does not say (what public SDK users send).
pub const DEFAULT_BATCH_SIZE: usize = 20;
pub const MAX_BATCH_SIZE: usize = 1000;
/// Tried in order when a part holds the one before (printable: a header).
const FALLBACK_SEPARATORS: [&str; 2] = ["|-S-|", "#-aligate-S-#"];
const MAX_SEPARATOR_CHARS: usize = 64;

/// One validated call of a batch: its wire parameters, ready to sign.
#[derive(Clone, Debug)]
pub struct Item {
    pub api: String,
    pub params: Vec<(String, String)>,
    /// The call's own session (redacted in dumps); sent in its part when it
    /// differs from the shared one.
    pub session: Option<Secret>,
    /// Repeating the call cannot duplicate its effect (`models`).
    pub repeat_safe: bool,
}

/// Validates one call as `prepare_top` does (same walker, same paths); a
/// session-required API needs `session` or the shared one (`cfg.session`).
pub fn item(
    cfg: &TopConfig,
    api: &str,
    params: &Json,
    js_numbers: bool,
    session: Option<Secret>,
) -> Result<Item> {
    let own = session.as_ref().map_or("", |s| s.expose());
    // The own session goes into the body: the text rule (no control character).
    if let Some(why) = fault(own, Sink::Text) {
        return Err(Error::invalid("session", why));
    }
    let shared = cfg.session.as_ref().map_or("", |s| s.expose());
    let has_session = !top::is_blank(own) || !top::is_blank(shared);
    let biz = top_business(api, params, js_numbers, has_session)?;
    let own_blank = top::is_blank(own);
    Ok(Item {
        api: api.into(),
        params: biz.params,
        session: session.filter(|_| !own_blank),
        repeat_safe: biz.repeat_safe,
    })
}

/// The calls of a batch in request order, or every issue of every invalid
/// call with its path prefixed by the call's index (`[3].param0.order_status`).
#[derive(Debug, Default)]
pub struct Calls {
    pub items: Vec<Item>,
    count: usize,
    issues: Vec<Issue>,
}

impl Calls {
    /// The next call (index = calls pushed so far), valid or not.
    pub fn push(&mut self, call: Result<Item>) {
        let at = ["[", &crate::schema::decimal(self.count as i64), "]"].concat();
        self.count += 1;
        match call {
            Ok(item) => self.items.push(item),
            Err(mut e) => {
                if e.issues.is_empty() {
                    e.issues.push(Issue {
                        path: String::new(),
                        message: e.message,
                    });
                }
                // Built anew: `String::insert_str` links a panic path.
                for mut i in e.issues {
                    let dot = if i.path.is_empty() { "" } else { "." };
                    i.path = [at.as_str(), dot, &i.path].concat();
                    self.issues.push(i);
                }
            }
        }
    }

    /// The items when every call was valid and there is at least one.
    pub fn finish(self) -> Result<Vec<Item>> {
        if self.count == 0 {
            return Err(Error::invalid("calls", "a batch needs at least one call"));
        }
        if !self.issues.is_empty() {
            return Err(Error::validation(self.issues));
        }
        Ok(self.items)
    }
}

/// The `batchSize` option: an integer from 1 to `MAX_BATCH_SIZE`, default 20.
pub fn batch_size(v: Option<f64>) -> Result<usize> {
    match crate::client::config::whole("batchSize", v, MAX_BATCH_SIZE as u32)? {
        None => Ok(DEFAULT_BATCH_SIZE),
        Some(0) => Err(Error::invalid("options.batchSize", "expected at least 1")),
        Some(n) => Ok(n as usize),
    }
}

/// `…/router/rest` → `…/router/batch` (the batch API's place on the gateway).
pub fn batch_endpoint(endpoint: &str) -> Result<String> {
    match endpoint_base(endpoint).strip_suffix("/router/rest") {
        Some(base) => Ok([base, "/router/batch"].concat()),
        None => Err(Error::invalid(
            "options.endpoint",
            "the batch API needs an endpoint ending in /router/rest (it posts to /router/batch)",
        )),
    }
}

/// Checks a caller's separator: printable ASCII (it travels in a header).
pub fn check_separator(sep: &str) -> Result<()> {
    let printable = sep.bytes().all(|b| (0x20..0x7f).contains(&b));
    // HTTP trims a header value's edge spaces: the gateway would split on another string.
    let trimmed = !sep.starts_with(' ') && !sep.ends_with(' ');
    if sep.is_empty() || sep.len() > MAX_SEPARATOR_CHARS || !printable || !trimmed {
        return Err(Error::invalid(
            "options.separator",
            "expected 1 to 64 printable ASCII characters, no space at either end (it is sent in a header)",
        ));
    }
    Ok(())
}

/// Splits `body` on `sep` into at most `limit` pieces (the last keeps the
/// rest). Linear: a scan for the separator's first byte, then at most
/// `sep.len()` (≤ 64) bytes compared per candidate; pieces past `limit` are
/// not collected.
pub fn split<'a>(body: &'a [u8], sep: &[u8], limit: usize) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let (mut from, mut i) = (0, 0);
    if let Some(&first) = sep.first() {
        while out.len() + 1 < limit {
            let rest = body.get(i..).unwrap_or_default();
            let Some(at) = rest.iter().position(|&b| b == first).map(|k| i + k) else {
                break;
            };
            if body.get(at..at + sep.len()) == Some(sep) {
                out.push(body.get(from..at).unwrap_or_default());
                i = at + sep.len();
                from = i;
            } else {
                i = at + 1;
            }
        }
    }
    out.push(body.get(from..).unwrap_or_default());
    out
}

/// `parts` (never empty) joined by `sep`, by hand: `[String]::join` links
/// ~1.4 KB of generic code into the .wasm.
fn join(parts: &[String], sep: &str) -> String {
    let mut out = String::new();
    for p in parts {
        if !out.is_empty() {
            out.push_str(sep);
        }
        out.push_str(p);
    }
    out
}

/// `parts` joined by `sep`, when splitting the result gives them back.
fn joined(parts: &[String], sep: &str) -> Option<String> {
    let body = join(parts, sep);
    let back = split(body.as_bytes(), sep.as_bytes(), parts.len() + 1);
    let same = back.len() == parts.len() && back.iter().zip(parts).all(|(a, b)| *a == b.as_bytes());
    same.then_some(body)
}

/// The body and its separator: the caller's, or the default unless a part
/// could hold it (then the first fallback that no part holds).
pub fn join_parts(parts: &[String], explicit: Option<&str>) -> Result<(String, String)> {
    if let Some(sep) = explicit {
        check_separator(sep)?;
        return match joined(parts, sep) {
            Some(body) => Ok((body, sep.into())),
            None => Err(Error::invalid(
                "options.separator",
                "occurs in a call's encoded parameters; choose one with a character such as | or #",
            )),
        };
    }
    // A part is form-encoded (CR and LF become %0D, %0A), `#PUBLIC#…` or
    // `N`: none holds the default, which needs no check on this hot path.
    if parts.iter().all(|p| !p.bytes().any(|b| b == b'\r')) {
        return Ok((join(parts, DEFAULT_SEPARATOR), DEFAULT_SEPARATOR.into()));
    }
    for sep in FALLBACK_SEPARATORS {
        if let Some(body) = joined(parts, sep) {
            return Ok((body, sep.into()));
        }
    }
    Err(Error::new(
        ErrorKind::Internal,
        "no batch separator fits the parts",
    ))
}

/// The separator a prepared batch was sent with (its header, else the default).
pub fn separator_of(p: &Prepared) -> &str {
    p.headers
        .iter()
        .find(|(k, _)| *k == SEPARATOR_HEADER)
        .map_or(DEFAULT_SEPARATOR, |(_, v)| v.as_str())
}

/// The `#PUBLIC#` part (if any) and one part per call; sessions as `***`
/// when `redact`.
fn parts(items: &[&Item], public: Option<&str>, shared: &str, redact: bool) -> Vec<String> {
    let mut out = Vec::with_capacity(items.len() + 1);
    if let Some(api) = public {
        let mut head = String::from("#PUBLIC#method=");
        percent::encode_into(api, &mut head);
        out.push(head);
    }
    for it in items {
        let mut pairs: Vec<(&str, &str)> = Vec::with_capacity(it.params.len() + 2);
        if public.is_none() {
            pairs.push(("method", &it.api));
        }
        // A part's own session overrides the shared one at the gateway.
        if let Some(s) = it.session.as_ref().map(Secret::expose) {
            if s != shared {
                pairs.push(("session", if redact { REDACTED } else { s }));
            }
        }
        let params = it.params.iter().filter(|(_, v)| !top::is_blank(v));
        pairs.extend(params.map(|(k, v)| (k.as_str(), v.as_str())));
        out.push(if pairs.is_empty() {
            "N".into()
        } else {
            percent::form(pairs)
        });
    }
    out
}

/// Builds and signs one batch request of `items` (validated by `item`).
/// `timestamp` is `yyyy-MM-dd HH:mm:ss` in GMT+8; `separator` the caller's.
pub fn prepare_batch(
    cfg: &TopConfig,
    items: &[&Item],
    timestamp: &str,
    separator: Option<&str>,
) -> Result<Prepared> {
    cfg.check()?;
    check_timestamp(
        crate::time::parse_top_timestamp_ms(timestamp),
        "expected yyyy-MM-dd HH:mm:ss (GMT+8)",
    )?;
    let endpoint = batch_endpoint(&cfg.endpoint)?;
    let first = items
        .first()
        .ok_or_else(|| Error::invalid("calls", "a batch needs at least one call"))?;
    let public = items
        .iter()
        .all(|it| it.api == first.api)
        .then_some(first.api.as_str());
    let shared = cfg.session.as_ref().map_or("", |s| s.expose());
    let (body, sep) = join_parts(&parts(items, public, shared, false), separator)?;
    let format = match cfg.format {
        super::Format::Json => "json",
        super::Format::Xml => "xml",
    };
    let mut system: Vec<(&str, &str)> = vec![
        ("app_key", &cfg.app_key),
        ("format", format),
        ("sign_method", cfg.sign_method.as_str()),
        ("timestamp", timestamp),
        ("v", "2.0"),
    ];
    if !top::is_blank(shared) {
        system.push(("session", shared));
    }
    if cfg.simplify {
        system.push(("simplify", "true"));
    }
    let keyed = cfg
        .keyed
        .get_or_init(|| top::Keyed::new(cfg.app_secret.expose(), cfg.sign_method));
    let mut signed = system.clone();
    let sign = keyed
        .as_ref()
        .map(|k| k.sign(&mut signed, Some(body.as_bytes())))
        .unwrap_or_default();
    system.push(("sign", &sign));
    let url = with_query(&endpoint, &percent::form(system.iter().copied()));
    let sessions = !top::is_blank(shared) || items.iter().any(|it| it.session.is_some());
    let redacted = sessions.then(|| {
        let red = system
            .iter()
            .map(|&(k, v)| (k, if k == "session" { REDACTED } else { v }));
        let body = join(&parts(items, public, shared, true), &sep);
        (with_query(&endpoint, &percent::form(red)), body)
    });
    let headers = if sep == DEFAULT_SEPARATOR {
        Vec::new()
    } else {
        vec![(SEPARATOR_HEADER, sep)]
    };
    Prepared {
        method: "POST",
        url,
        content_type: Some(BATCH_CONTENT_TYPE),
        headers,
        body,
        repeat_safe: items.iter().all(|it| it.repeat_safe),
        redacted,
    }
    .sealed()
}
