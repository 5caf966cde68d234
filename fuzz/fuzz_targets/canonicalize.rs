//! The canonicalisers and signers over arbitrary parameter sets: no panic, and
//! the result does not depend on the order the parameters came in.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| aligate::fuzzing::canonicalize(data));
