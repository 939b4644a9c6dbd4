//! The shared input files (`../shared`): read once, with a clear error when missing.

use std::path::PathBuf;

/// The shared directory next to the project checkout (`/work/shared`).
fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

fn read(rel: &str) -> Vec<u8> {
    let path = shared().join(rel);
    match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!(
                "cannot read {}: {e} (the benchmarks need ../shared next to the checkout)",
                path.display()
            );
            std::process::exit(2);
        }
    }
}

/// The real AMI stream of 1,000 calls (no banner).
pub fn ami_corpus() -> Vec<u8> {
    read("bench/ami-23.4.1-1000calls.bin")
}

/// The ARI events of one Stasis call, one JSON object a line.
pub fn ari_events() -> Vec<u8> {
    read("fixtures/asterisk-23.4.1/ari-events.jsonl")
}
