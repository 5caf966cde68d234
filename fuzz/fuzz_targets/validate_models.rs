//! Every model's validation (and the unmodelled pass-through) from arbitrary
//! JSON text, through `prepare` for TOP and Aliyun, plus `wire_to_params`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| aligate::fuzzing::validate_models(data));
