//! `extract`: build a release's raw spec folder from an Asterisk source tree.
//!
//! Asterisk's build assembles `core-en_US.xml` from the `/*** DOCUMENTATION … ***/`
//! comment blocks of its C sources (plus the module documentation `*.xml` files
//! that name `appdocsxml.dtd`) and optionally the `/*** MODULEINFO … ***/` blocks.
//! This command does the same without configuring or building Asterisk, and copies
//! the ARI Swagger files and the DTD beside it:
//!
//! ```text
//! <out>/<tag>/core-en_US.xml
//! <out>/<tag>/appdocsxml.dtd          (when doc/appdocsxml.dtd exists)
//! <out>/<tag>/ari/resources.json
//! <out>/<tag>/ari/<resource>.json
//! <out>/<tag>/supplement.json         (facts read from the C sources)
//! ```
//!
//! `supplement.json` (schema: [`crate::upstream::supplement::Supplement`]) comes
//! from reading the C sources with a small scanner ([`scan`]) over the files that
//! can emit AMI messages ([`tree`]), walking what each function sends ([`emits`]),
//! and comparing the result with the XML just assembled ([`facts`], [`agi`]).
//! [`compare`] measures an extracted supplement against a reference one.
//!
//! Files are walked in sorted order, so the output depends only on the tree.

use crate::{Error, Result, input_err};
use std::path::{Path, PathBuf};

/// Module folders Asterisk's documentation build walks, in its order.
pub const MODULE_DIRS: [&str; 13] = [
    "channels", "pbx", "apps", "codecs", "formats", "cdr", "cel", "bridges", "funcs", "tests",
    "main", "res", "addons",
];

pub mod agi;
pub mod compare;
pub mod docs;
pub mod emits;
pub mod facts;
pub mod scan;
pub mod tree;

pub use docs::{MODULE_TAGGED, assemble_xml, tag_modules};

/// Build `<out>/<tag>/` (XML documentation, DTD, ARI files) from the Asterisk
/// source tree at `asterisk_src`.
pub fn extract(asterisk_src: &Path, tag: &str, out: &Path) -> Result<()> {
    if !asterisk_src.is_dir() {
        return Err(input_err(
            asterisk_src.display(),
            "not a directory (expected an Asterisk source tree)",
        ));
    }
    if tag.is_empty() || tag.contains(['/', '\\']) || tag == "." || tag == ".." {
        return Err(input_err(tag, "not a usable release tag"));
    }
    let dest = out.join(tag);
    let ari_dest = dest.join("ari");
    create_dir(&ari_dest)?;

    let xml = assemble_xml(asterisk_src)?;
    // Refuse to write something the reader could not parse.
    let xml_path = dest.join("core-en_US.xml");
    crate::upstream::xmldom::parse(&xml, &xml_path.display().to_string())?;
    write(&xml_path, xml.as_bytes())?;

    let dtd = asterisk_src.join("doc").join("appdocsxml.dtd");
    if dtd.is_file() {
        copy(&dtd, &dest.join("appdocsxml.dtd"))?;
    }

    let rest = asterisk_src.join("rest-api");
    let resources = rest.join("resources.json");
    if !resources.is_file() {
        return Err(input_err(
            resources.display(),
            "missing: not an Asterisk source tree with ARI",
        ));
    }
    copy(&resources, &ari_dest.join("resources.json"))?;
    let api_docs = rest.join("api-docs");
    for file in sorted_entries(&api_docs)? {
        if file.extension().is_some_and(|e| e == "json")
            && file.is_file()
            && let Some(name) = file.file_name()
        {
            copy(&file, &ari_dest.join(name))?;
        }
    }

    let (ami, _) = crate::upstream::amixml::read(&xml_path)?;
    let supplement = supplement_from_tree(asterisk_src, &ami, tag)?;
    write(
        &dest.join("supplement.json"),
        supplement.to_json().as_bytes(),
    )?;
    Ok(())
}

/// The supplement of the source tree at `src`, given the AMI part of its XML.
pub fn supplement_from_tree(
    src: &Path,
    xml: &crate::manifest::Ami,
    tag: &str,
) -> Result<crate::upstream::supplement::Supplement> {
    let tree = tree::Tree::load(src)?;
    Ok(facts::build(&tree, xml, tag))
}

/// Every file under `dir`, recursively, sorted by path; symlinked files are
/// included, symlinked folders are not followed.
pub(crate) fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for path in sorted_entries(dir)? {
        let meta = std::fs::symlink_metadata(&path).map_err(|source| io_err(&path, source))?;
        if meta.is_dir() {
            walk(&path, out)?;
        } else if meta.is_file() || (meta.file_type().is_symlink() && path.is_file()) {
            out.push(path);
        }
    }
    Ok(())
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let rd = std::fs::read_dir(dir).map_err(|source| io_err(dir, source))?;
    let mut out = Vec::new();
    for e in rd {
        let e = e.map_err(|source| io_err(dir, source))?;
        out.push(e.path());
    }
    out.sort();
    Ok(out)
}

pub(crate) fn has_ext(p: &Path, exts: &[&str]) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| exts.contains(&e))
}

pub(crate) fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

pub(crate) fn read_lossy(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|source| io_err(path, source))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn create_dir(path: &Path) -> Result<()> {
    std::fs::create_dir_all(path).map_err(|source| io_err(path, source))
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|source| io_err(path, source))
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|source| io_err(from, source))
}

fn io_err(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        source,
    }
}
