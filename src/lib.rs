//! aligate: validated, signed calls to four Alibaba open-platform APIs.
//!
//! The core does no IO: time, nonce and HTTP are inputs.
//! Data flows builder → validate (`schema`, `models`) → canonicalise and sign
//! (`prepare`, `sign`) → transport (the caller) → decode (`decode`), with
//! `retry` deciding what may be repeated and `client` running a call's
//! attempts as a state machine; `line` is the prepared request's wire form
//! for the JS entry.
//!
//! The wasm binding (`aligate-wasm`, in `wasm/`) builds it `no_std` + `alloc`
//! (feature `std` off; see Cargo.toml); native builds and the tests use std.
//! The code is the same either way.

#![cfg_attr(all(target_arch = "wasm32", not(feature = "std")), no_std)]

extern crate alloc;

/// What std's prelude gives, for the `no_std` build (the binding uses it too).
#[doc(hidden)]
pub mod prelude {
    pub use alloc::boxed::Box;
    pub use alloc::format;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec;
    pub use alloc::vec::Vec;
}

pub mod client;
pub mod decode;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod json;
pub mod line;
pub mod models;
pub mod prepare;
pub mod retry;
pub mod schema;
pub mod sign;
pub mod time;
pub mod xml;

pub use error::{Error, ErrorKind, Issue, Result};
