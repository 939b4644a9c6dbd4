//! Upstream readers: one release's raw specs (`core-en_US.xml`, `ari/*.json`,
//! `supplement.json`) to a [`Manifest`].

use crate::Result;
use crate::manifest::Manifest;
use std::path::Path;

pub mod amixml;
pub mod ari;
pub mod supplement;
pub mod xinclude;
pub mod xmldom;

/// Read the release folder `dir` (holding `core-en_US.xml`, `ari/` and optionally
/// `supplement.json`) as release `tag`.
pub fn read_release(dir: &Path, tag: &str) -> Result<Manifest> {
    let (ami, agi) = amixml::read(&dir.join("core-en_US.xml"))?;
    let ari = ari::read(&dir.join("ari"))?;
    let mut manifest = Manifest {
        tag: tag.to_string(),
        ami,
        agi,
        ari,
    };
    let supplement_path = dir.join("supplement.json");
    if supplement_path.exists() {
        let s = supplement::Supplement::load(&supplement_path)?;
        supplement::apply(&s, &mut manifest);
    }
    Ok(manifest)
}

/// Every release folder under `dir` (one sub-folder per tag), oldest first.
pub fn release_dirs(dir: &Path) -> Result<Vec<(String, std::path::PathBuf)>> {
    let entries = std::fs::read_dir(dir).map_err(|source| crate::Error::Io {
        path: dir.display().to_string(),
        source,
    })?;
    let mut out = Vec::new();
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() && p.join("core-en_US.xml").exists() {
            let tag = e.file_name().to_string_lossy().to_string();
            out.push((tag, p));
        }
    }
    out.sort_by(|a, b| crate::release::compare(&a.0, &b.0));
    Ok(out)
}
