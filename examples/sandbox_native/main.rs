//! aligate from native Rust: the four APIs against a running sandbox gateway,
//! with `ureq` doing the HTTP. The core takes time and randomness as inputs and
//! returns what to send; `client::Attempts` decides what happens after each
//! answer. Run `npx aligate sandbox` (or `node js/cli.mjs sandbox`), then:
//!
//! ```sh
//! cargo run --example sandbox_native -- http://127.0.0.1:8787/router/rest http://127.0.0.1:8787/
//! ```
//!
//! The credentials are the sandbox's fixed test credentials.

#[cfg(not(target_arch = "wasm32"))]
mod native;

fn main() {
    #[cfg(not(target_arch = "wasm32"))]
    native::main();
}
