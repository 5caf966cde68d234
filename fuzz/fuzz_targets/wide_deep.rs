//! Wide and deep JSON and XML documents for the parsers (run with `-timeout`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| aligate::fuzzing::wide_deep(data));
