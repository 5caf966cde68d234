//! Replays every input under tests/fuzz_regressions/<target>/ (crashes found by
//! `npm run fuzz`, copied here once fixed) through the fuzz target bodies.
#![cfg(not(target_arch = "wasm32"))]

use std::fs;

type Target = (&'static str, fn(&[u8]));

#[test]
fn fuzz_regressions_stay_fixed() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fuzz_regressions");
    let targets: [Target; 5] = [
        ("validate_models", aligate::fuzzing::validate_models),
        ("decode_response", aligate::fuzzing::decode_response),
        ("percent_encode", aligate::fuzzing::percent_encode),
        ("canonicalize", aligate::fuzzing::canonicalize),
        ("wide_deep", aligate::fuzzing::wide_deep),
    ];
    let mut replayed = 0;
    for (name, run) in targets {
        let Ok(dir) = fs::read_dir(format!("{root}/{name}")) else {
            continue;
        };
        for entry in dir.flatten() {
            if entry.path().extension().is_some_and(|e| e == "md") {
                continue;
            }
            run(&fs::read(entry.path()).unwrap());
            replayed += 1;
        }
    }
    // Also the shared vectors, so the replay is never empty.
    for f in ["examples.json", "validation.json", "signatures.json"] {
        let data = fs::read(format!("{}/tests/vectors/{f}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        for (_, run) in targets {
            run(&data);
        }
        replayed += 1;
    }
    assert!(replayed >= 3);
}
