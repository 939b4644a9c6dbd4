//! cargo-fuzz target: AGI reply lines and environment: line-by-line versus whole-block parsing.
//! The checks live in `tests/tests/parsers/checks/`, shared with the stable CI
//! test that runs the seed corpus (`tests/fuzz/seeds/agi/`) and fixed-seed mutations.
#![no_main]

#[allow(dead_code)]
#[path = "../../tests/parsers/checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::agi::check(data));
