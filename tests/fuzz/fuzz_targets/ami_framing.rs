//! cargo-fuzz target: AMI framing and typed decoding: whole versus chunked decoding.
//! The checks live in `tests/tests/parsers/checks/`, shared with the stable CI
//! test that runs the seed corpus (`tests/fuzz/seeds/ami_framing/`) and fixed-seed mutations.
#![no_main]

#[allow(dead_code)]
#[path = "../../tests/parsers/checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::ami::check(data));
