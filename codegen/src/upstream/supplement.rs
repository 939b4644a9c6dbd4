//! `supplement.json`: facts from Asterisk's C sources that the XML lacks.

use crate::manifest::Manifest;
use crate::Result;
use std::path::Path;

/// The parts of the supplement the manifest uses.
#[derive(Debug, Clone, Default)]
pub struct Supplement {}

impl Supplement {
    /// Load a supplement file.
    pub fn load(path: &Path) -> Result<Self> {
        let _ = path;
        todo!("supplement::load")
    }
}

/// Merge the supplement's facts into a manifest.
pub fn apply(s: &Supplement, m: &mut Manifest) {
    let _ = (s, m);
}
