//! The table-driven RFC 3986 encoder against the percent-encoding crate, and
//! the form decoder's round trip.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| aligate::fuzzing::percent_encode(data));
