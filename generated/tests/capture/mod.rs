//! The captures of real Asterisk traffic committed under `tests/fixtures/`: read
//! by path relative to that folder, `.gz` files decompressed on the way.

use flate2::read::GzDecoder;
use std::io::Read;
use std::path::PathBuf;

/// The bytes of `tests/fixtures/<rel>`, gunzipped when `rel` ends in `.gz`.
/// Panics naming the file when it is missing or not valid gzip.
pub fn read(rel: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(rel);
    let bytes =
        std::fs::read(&path).unwrap_or_else(|e| panic!("missing fixture {}: {e}", path.display()));
    if !rel.ends_with(".gz") {
        return bytes;
    }
    let mut out = Vec::new();
    GzDecoder::new(&bytes[..])
        .read_to_end(&mut out)
        .unwrap_or_else(|e| panic!("fixture {} is not valid gzip: {e}", path.display()));
    out
}
