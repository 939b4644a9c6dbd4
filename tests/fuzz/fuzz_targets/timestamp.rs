//! cargo-fuzz target: ARI timestamps: parse/format and from_unix/format round trips.
//! The checks live in `tests/tests/parsers/checks/`, shared with the stable CI
//! test that runs the seed corpus (`tests/fuzz/seeds/timestamp/`) and fixed-seed mutations.
#![no_main]

#[allow(dead_code)]
#[path = "../../tests/parsers/checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::timestamp::check(data));
