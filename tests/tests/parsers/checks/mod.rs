//! Properties of the parsers, checked on arbitrary bytes: one function per
//! parser family, panicking when a property fails. Shared by the cargo-fuzz
//! targets in `tests/fuzz/` (which include this directory by path) and the stable,
//! deterministic CI test in `tests/tests/parsers/main.rs`, so the checks exist
//! once.

pub mod agi;
pub mod ami;
pub mod ari;
pub mod timestamp;

/// At most `max` bytes of `data`, escaped, for assertion messages.
pub fn shown(data: &[u8], max: usize) -> String {
    let cut = &data[..data.len().min(max)];
    let more = if data.len() > max { "…" } else { "" };
    format!("{}{more} ({} bytes)", cut.escape_ascii(), data.len())
}
