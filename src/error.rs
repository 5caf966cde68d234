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
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            issues: Vec::new(),
            api: Box::default(),
            status: None,
            retryable: false,
            cause: Cause::Unspecified,
        }
    }

    pub fn validation(issues: Vec<Issue>) -> Self {
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

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.as_str(), self.message)
    }
}

impl core::error::Error for Error {}

pub type Result<T> = core::result::Result<T, Error>;
