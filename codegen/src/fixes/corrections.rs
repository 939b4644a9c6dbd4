//! Corrections where Asterisk's docs are wrong (`specs/fixes/corrections.toml`).

use crate::Result;
use std::path::Path;

/// Name and type corrections.
#[derive(Debug, Clone, Default)]
pub struct Corrections {}

impl Corrections {
    /// Load `corrections.toml`.
    pub fn load(path: &Path) -> Result<Self> {
        let _ = path;
        Ok(Self::default())
    }
}
