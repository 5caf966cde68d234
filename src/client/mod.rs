//! What a client decides around `prepare` and `decode`, without IO: the
//! attempt loop's state machine (`attempt`; `batch` for a TOP batch's rounds), checked HTTP settings
//! (`config`), credentials from a rotating provider (`credentials`) and the
//! nonce pool (`nonce`). Time, randomness, responses and transport faults are
//! inputs; a binding (the `aligate-wasm` crate in wasm/) does the IO and converts values.

pub mod attempt;
pub mod batch;
pub mod config;
pub mod credentials;
pub mod nonce;

pub use attempt::{Attempts, Fault, Step, Target};
pub use config::Http;
pub use credentials::{CredentialCache, Credentials};
pub use nonce::NoncePool;
