//! The one error type. Secrets never reach it: every constructor takes only
//! field paths, reasons and gateway-supplied fields.

use crate::prelude::*;
use core::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    Validation,
    Api,
    Http,
    Network,
    Timeout,
    Aborted,
    Decode,
    /// The credentials provider threw, rejected or returned something unusable.
    Credentials,
    Internal,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Validation => "validation",
            ErrorKind::Api => "api",
            ErrorKind::Http => "http",
            ErrorKind::Network => "network",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Aborted => "aborted",
            ErrorKind::Decode => "decode",
            ErrorKind::Credentials => "credentials",
            ErrorKind::Internal => "internal",
        }
    }
}

/// One invalid field: `path` is the wire path (`a.b[0].c`), `message` a plain reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    pub path: String,
    pub message: String,
}

/// What retry classification needs to know that the kind alone does not say.
/// Set where the fact is known (the decoder, the transport), never read from
/// a message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Cause {
    #[default]
    Unspecified,
    /// The body ended before the document did: the server may have acted.
    Truncated,
    /// The connection was refused: nothing was sent.
    Refused,
    /// It failed before a request was sent (the credentials provider did not
    /// answer in time).
    NotSent,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApiFields {
    /// TOP `code` or Aliyun `Code`.
    pub code: Option<String>,
    /// TOP `msg` or Aliyun `Message`.
    pub message: Option<String>,
    pub sub_code: Option<String>,
    pub sub_msg: Option<String>,
    pub request_id: Option<String>,
    pub host_id: Option<String>,
    pub recommend: Option<String>,
}

/// Whether a failed call may have taken effect (set by `retry::mark`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The failure proves nothing was processed (refused, throttled, invalid).
    NotApplied,
    /// It may have been applied: check before sending it again.
    Unknown,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::NotApplied => "not-applied",
            Outcome::Unknown => "unknown",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    pub issues: Vec<Issue>,
    pub api: Box<ApiFields>,
    /// HTTP status when a response was received.
    pub status: Option<u16>,
    /// Whether repeating the request could succeed and cannot duplicate an effect;
    /// set by the retry policy (`retry.rs`).
    pub retryable: bool,
    pub cause: Cause,
    /// Whether the request may have taken effect; `None` when no request was
    /// involved (`decodeResponse`, `prepare`).
    pub outcome: Option<Outcome>,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: visible(message.into()),
            issues: Vec::new(),
            api: Box::default(),
            status: None,
            retryable: false,
            cause: Cause::Unspecified,
            outcome: None,
        }
    }

    pub fn validation(mut issues: Vec<Issue>) -> Self {
        for i in &mut issues {
            i.path = visible(core::mem::take(&mut i.path));
            i.message = visible(core::mem::take(&mut i.message));
        }
        let mut message = String::from("invalid request: ");
        for (i, issue) in issues.iter().take(5).enumerate() {
            if i > 0 {
                message.push_str("; ");
            }
            message.push_str(&issue.path);
            message.push_str(": ");
            message.push_str(&issue.message);
        }
        if issues.len() > 5 {
            message.push_str("; and ");
            message.push_str(&crate::schema::decimal(issues.len() as i64 - 5));
            message.push_str(" more");
        }
        Error {
            issues,
            // Refused before anything was sent.
            outcome: Some(Outcome::NotApplied),
            ..Error::new(ErrorKind::Validation, message)
        }
    }

    pub fn invalid(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error::validation(vec![Issue {
            path: path.into(),
            message: message.into(),
        }])
    }

    pub fn decode(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Decode, message)
    }

    /// The same error with `cause` set.
    pub fn with_cause(mut self, cause: Cause) -> Self {
        self.cause = cause;
        self
    }
}

/// The unsafe character at byte `i` of `b`, if one starts there: its code
/// point and length. Unsafe in error text: C0, DEL, C1, the JS line and
/// paragraph separators, and the bidi embeddings, overrides and isolates (they
/// split log lines, drive terminals or reorder what a reader sees). By bytes:
/// smaller in the .wasm than decoding chars.
fn unsafe_at(b: &[u8], i: usize) -> Option<(u32, usize)> {
    let at = |k: usize| u32::from(b.get(i + k).copied().unwrap_or(0));
    match (at(0), at(1), at(2)) {
        (c @ (0..=0x1f | 0x7f), ..) if i < b.len() => Some((c, 1)),
        (0xc2, c @ 0x80..=0x9f, _) => Some((c, 2)),
        (0xe2, m @ 0x80, c @ 0xa8..=0xae) | (0xe2, m @ 0x81, c @ 0xa6..=0xa9) => {
            Some((0x2000 + ((m & 0x3f) << 6) + (c & 0x3f), 3))
        }
        _ => None,
    }
}

/// Whether `s` holds a character `visible` escapes.
pub fn has_unsafe(s: &str) -> bool {
    // Fast path (every parameter key passes here): printable ASCII is safe.
    !s.bytes().all(|b| (0x20..0x7f).contains(&b))
        && (0..s.len()).any(|i| unsafe_at(s.as_bytes(), i).is_some())
}

/// `s` with every unsafe character (see `unsafe_at`) written as a visible
/// `\uXXXX`: the one gate for text that enters an error (gateway fields,
/// messages, parameter keys).
pub fn visible(s: String) -> String {
    if !has_unsafe(&s) {
        return s;
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len() + 16);
    let mut i = 0;
    while i < b.len() {
        match unsafe_at(b, i) {
            Some((c, n)) => {
                out.extend_from_slice(b"\\u");
                for shift in [12, 8, 4, 0] {
                    out.push(b"0123456789abcdef"[(c >> shift & 15) as usize]);
                }
                i += n;
            }
            None => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    // Whole characters were copied or replaced by ASCII: still UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// Secrets shorter than this are not looked for (they would match ordinary
/// words); a text that ends (before an excerpt's `…`) with this many or more
/// leading characters of a secret has them scrubbed too (an excerpt can cut
/// a secret short).
const SCRUB_MIN: usize = 8;

impl Error {
    /// Replaces each of `secrets` in every text of the error with `***`:
    /// raw, percent-encoded (any case, `+` for space), JSON- and HTML-escaped.
    pub fn scrub(&mut self, secrets: &[&str]) {
        let one = |t: &mut String| {
            if let Some(s) = scrub_text(t, secrets) {
                *t = s;
            }
        };
        one(&mut self.message);
        for i in &mut self.issues {
            one(&mut i.path);
            one(&mut i.message);
        }
        let a = &mut self.api;
        for f in [
            &mut a.code,
            &mut a.message,
            &mut a.sub_code,
            &mut a.sub_msg,
            &mut a.request_id,
            &mut a.host_id,
            &mut a.recommend,
        ]
        .into_iter()
        .flatten()
        {
            one(f);
        }
    }
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// One decoded unit of `t` at `i`: the ASCII byte it stands for (`%2b`,
/// `\u002f`, `&amp;`, `&#x2F;`… or itself; `+` and space are one byte here,
/// as in form encoding) and its length in `t`. Backslashes are dropped by the
/// caller (JSON escapes, however often applied: `\\/` is `/`).
fn unit(t: &[u8], i: usize) -> (u8, usize) {
    let at = |k: usize| t.get(i + k).copied().unwrap_or(0);
    let b = match at(0) {
        b'%' => match (hex(at(1)), hex(at(2)), hex(at(3)), hex(at(4))) {
            // Encoded twice (`%252B`): Aliyun quotes its string-to-sign so.
            (Some(2), Some(5), Some(h), Some(l)) => return (fold(h * 16 + l), 5),
            (Some(h), Some(l), ..) => return (fold(h * 16 + l), 3),
            _ => b'%',
        },
        b'\\' if at(1) == b'u' && at(2) == b'0' && at(3) == b'0' => {
            match (hex(at(4)), hex(at(5))) {
                (Some(h), Some(l)) => return (fold(h * 16 + l), 6),
                _ => b'\\',
            }
        }
        b'&' => {
            let end = t
                .get(i..)
                .unwrap_or_default()
                .iter()
                .take(8)
                .position(|&c| c == b';');
            let name = end.and_then(|e| t.get(i + 1..i + e)).unwrap_or_default();
            // An ASCII character reference (`&#47;`, `&#x2F;`).
            let num = |n: &[u8], radix: u32| {
                let mut v = 0u32;
                for &d in n {
                    v = v * radix + (d as char).to_digit(radix)?;
                    if v > 0x7f {
                        return None;
                    }
                }
                (!n.is_empty()).then_some(v as u8)
            };
            let c = match name {
                b"amp" => Some(b'&'),
                b"lt" => Some(b'<'),
                b"gt" => Some(b'>'),
                b"quot" => Some(b'"'),
                b"apos" => Some(b'\''),
                [b'#', b'x' | b'X', n @ ..] => num(n, 16),
                [b'#', n @ ..] => num(n, 10),
                _ => None,
            };
            match (c, end) {
                (Some(c), Some(e)) => return (fold(c), e + 1),
                _ => b'&',
            }
        }
        c => c,
    };
    (fold(b), 1)
}

fn fold(b: u8) -> u8 {
    if b == b'+' {
        b' '
    } else {
        b
    }
}

/// `text` with each secret (see `Error::scrub`) replaced by `***`, or None
/// when none occurs. Linear: one decoding pass, then KMP per secret.
/// `t` decoded unit by unit (`unit`; backslashes dropped, so JSON escapes
/// however often applied match), and where each decoded byte starts in `t`
/// (plus the end).
fn decoded(t: &[u8]) -> (Vec<u8>, Vec<usize>) {
    let (mut u, mut at) = (Vec::with_capacity(t.len()), Vec::with_capacity(t.len() + 1));
    let mut i = 0;
    while i < t.len() {
        let (b, n) = unit(t, i);
        if b != b'\\' {
            u.push(b);
            at.push(i);
        }
        i += n;
    }
    at.push(t.len());
    (u, at)
}

pub fn scrub_text(text: &str, secrets: &[&str]) -> Option<String> {
    let (u, at) = decoded(text.as_bytes());
    let mut hit = vec![false; u.len()];
    // Where a cut secret would end: before the excerpt mark `…`, else the end.
    let end = u.len() - if u.ends_with("…".as_bytes()) { 3 } else { 0 };
    for s in secrets {
        // Decoded like the text, so a secret holding `%41` or `&amp;` matches itself.
        let s = decoded(s.as_bytes()).0;
        if s.len() < SCRUB_MIN {
            continue;
        }
        // KMP failure table.
        let mut fail = vec![0usize; s.len()];
        let mut k = 0;
        for j in 1..s.len() {
            while k > 0 && s[j] != s[k] {
                k = fail[k - 1];
            }
            if s[j] == s[k] {
                k += 1;
            }
            fail[j] = k;
        }
        let mut q = 0;
        for (j, &b) in u.iter().enumerate().take(end) {
            while q > 0 && s[q] != b {
                q = fail[q - 1];
            }
            if s[q] == b {
                q += 1;
            }
            if q == s.len() {
                hit[j + 1 - q..=j].fill(true);
                q = fail[q - 1];
            }
        }
        if q >= SCRUB_MIN {
            hit[end - q..end].fill(true);
        }
    }
    if !hit.contains(&true) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut j = 0;
    let mut copied = 0;
    while j < u.len() {
        if !hit[j] {
            j += 1;
            continue;
        }
        let start = j;
        while j < u.len() && hit[j] {
            j += 1;
        }
        // Widened to whole characters (a secret's prefix can end inside one).
        let (mut a, mut b) = (at[start], at[j]);
        while !text.is_char_boundary(a) {
            a -= 1;
        }
        while !text.is_char_boundary(b) {
            b += 1;
        }
        // `get`, not indexing: str slicing links its panic formatting.
        if a >= copied {
            out.push_str(text.get(copied..a).unwrap_or_default());
            out.push_str("***");
        }
        copied = copied.max(b);
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    Some(out)
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.as_str(), self.message)
    }
}

impl core::error::Error for Error {}

pub type Result<T> = core::result::Result<T, Error>;
