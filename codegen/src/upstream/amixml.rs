//! AMI actions and events, and AGI commands, from Asterisk's merged XML documentation.

use crate::manifest::{Agi, Ami};
use crate::Result;
use std::path::Path;

/// Read `core-en_US.xml`: resolve includes, expand snapshots, merge duplicates.
pub fn read(path: &Path) -> Result<(Ami, Agi)> {
    let _ = path;
    todo!("amixml::read")
}
