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
            message.push_str(&format!("; and {} more", issues.len() - 5));
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
    (0..s.len()).any(|i| unsafe_at(s.as_bytes(), i).is_some())
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

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.as_str(), self.message)
    }
}

impl core::error::Error for Error {}

pub type Result<T> = core::result::Result<T, Error>;
