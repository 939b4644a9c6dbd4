//! The scanned C sources of one Asterisk tree: the files that can emit AMI
//! messages or register actions, the string constants of every header, and an
//! index of function definitions across files.

use super::scan::CFile;
use crate::Result;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Texts that mark a file as worth scanning: every emit primitive and
/// registration this extractor reads contains one of them.
const MARKERS: [&str; 6] = [
    "astman_",
    "manager_event",
    "ast_manager_",
    "ast_sip_create_ami_event",
    "Event:",
    "ast_agi_send",
];

/// The scanned tree.
#[derive(Debug, Default)]
pub struct Tree {
    /// Scanned `*.c`/`*.cc` files, by path relative to the root (`/`-separated).
    pub files: BTreeMap<String, CFile>,
    /// String constants of the headers under `include/` and beside the sources.
    pub header_constants: BTreeMap<String, String>,
    /// Non-static functions: name → (file, index in that file's `functions`).
    pub globals: HashMap<String, (String, usize)>,
}

impl Tree {
    /// Scan the module folders of the tree at `root` (see [`super::MODULE_DIRS`],
    /// without `tests/`) plus `include/`. Symlinked files that point at another scanned file are skipped.
    pub fn load(root: &Path) -> Result<Tree> {
        let mut tree = Tree::default();
        let mut paths = Vec::new();
        // `tests/` holds test modules, built only with TEST_FRAMEWORK.
        let dirs = super::MODULE_DIRS.iter().filter(|d| **d != "tests");
        for dir in dirs.chain(["include"].iter()) {
            let d = root.join(dir);
            if d.is_dir() {
                super::walk(&d, &mut paths)?;
            }
        }
        let mut seen_targets = std::collections::BTreeSet::new();
        for p in paths {
            let is_source = super::has_ext(&p, &["c", "cc"]);
            let is_header = super::has_ext(&p, &["h"]);
            if !is_source && !is_header {
                continue;
            }
            let canonical = std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone());
            if !seen_targets.insert(canonical) {
                continue;
            }
            let text = super::read_lossy(&p)?;
            let rel = p
                .strip_prefix(root)
                .unwrap_or(&p)
                .to_string_lossy()
                .replace('\\', "/");
            if is_header {
                if text.contains("#define") {
                    let f = CFile::parse(&rel, &text);
                    for (k, v) in f.constants {
                        tree.header_constants.entry(k).or_insert(v);
                    }
                }
                continue;
            }
            if !MARKERS.iter().any(|m| text.contains(m)) {
                continue;
            }
            tree.files.insert(rel.clone(), CFile::parse(&rel, &text));
        }
        for (path, f) in &tree.files {
            for (i, func) in f.functions.iter().enumerate() {
                if !func.is_static {
                    tree.globals
                        .entry(func.name.clone())
                        .or_insert_with(|| (path.clone(), i));
                }
            }
        }
        Ok(tree)
    }

    /// The string constant `name` as seen from `file`.
    pub fn constant(&self, file: &CFile, name: &str) -> Option<String> {
        file.constants
            .get(name)
            .or_else(|| self.header_constants.get(name))
            .cloned()
    }

    /// The function `name` as called from `file`: the file's own definition,
    /// else a non-static one elsewhere.
    pub fn resolve<'a>(&'a self, file: &'a CFile, name: &str) -> Option<(&'a CFile, usize)> {
        if let Some(i) = file.function_index(name) {
            return Some((file, i));
        }
        let (path, idx) = self.globals.get(name)?;
        let other = self.files.get(path)?;
        Some((other, *idx))
    }
}
