//! cargo-fuzz target: ARI events and models: from_slice versus Deserialize, decode → encode → decode.
//! The checks live in `tests/tests/parsers/checks/`, shared with the stable CI
//! test that runs the seed corpus (`tests/fuzz/seeds/ari/`) and fixed-seed mutations.
#![no_main]

#[allow(dead_code)]
#[path = "../../tests/parsers/checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::ari::check(data));
