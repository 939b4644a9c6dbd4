//! Domain enums (`specs/fixes/enums.toml`): HangupCause, ChannelState, … with wire values.

use crate::Result;
use std::path::Path;

/// The domain enums.
#[derive(Debug, Clone, Default)]
pub struct EnumFixes {}

impl EnumFixes {
    /// Load `enums.toml`.
    pub fn load(path: &Path) -> Result<Self> {
        let _ = path;
        Ok(Self::default())
    }
}
