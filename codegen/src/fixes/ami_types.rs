//! Types for AMI/AGI headers (`specs/fixes/ami_types.toml`): the XML has none.

use crate::Result;
use std::path::Path;

/// Header type rules and per-field types.
#[derive(Debug, Clone, Default)]
pub struct AmiTypeFixes {}

impl AmiTypeFixes {
    /// Load `ami_types.toml`.
    pub fn load(path: &Path) -> Result<Self> {
        let _ = path;
        Ok(Self::default())
    }
}
