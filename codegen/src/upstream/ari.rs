//! ARI resources, operations and models from the Swagger 1.1/1.2 files.

use crate::manifest::Ari;
use crate::Result;
use std::path::Path;

/// Read `resources.json` and every resource file it lists from `dir`.
pub fn read(dir: &Path) -> Result<Ari> {
    let _ = dir;
    todo!("ari::read")
}
