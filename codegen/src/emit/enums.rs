//! Domain enums (HangupCause, ChannelState, …) from `specs/fixes/enums.toml`.

use super::{GeneratedFile, Options};
use crate::fixes::Fixes;
use crate::surface::Releases;
use crate::Result;

/// Emit `domain.rs`.
pub fn emit(releases: &Releases, fixes: &Fixes, options: &Options) -> Result<Vec<GeneratedFile>> {
    let _ = (releases, fixes, options);
    Ok(Vec::new())
}
