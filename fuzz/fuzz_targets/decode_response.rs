//! TOP and Aliyun response decoding, JSON and XML, from arbitrary bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| aligate::fuzzing::decode_response(data));
