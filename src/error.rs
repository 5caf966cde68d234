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

/// Whether `c` may not travel raw in error text: C0, DEL, C1, the JS line and
/// paragraph separators, and the bidi embeddings, overrides and isolates (they
/// split log lines, drive terminals or reorder what a reader sees).
pub fn is_unsafe_char(c: char) -> bool {
    matches!(c, '\0'..='\x1f' | '\x7f'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every `is_unsafe_char` written as a visible `\uXXXX`: the one
/// gate for text that enters an error (gateway fields, parameter keys).
pub fn visible(s: String) -> String {
    if !s.chars().any(is_unsafe_char) {
        return s;
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_unsafe_char(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.as_str(), self.message)
    }
}

impl core::error::Error for Error {}

pub type Result<T> = core::result::Result<T, Error>;
