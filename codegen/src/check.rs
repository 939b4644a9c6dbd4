//! `check`: regenerate in memory and list every file that differs from what is committed.
//!
//! Manifests are compared only when the raw upstream specs are given; the generated
//! crate always. A generated file that exists on disk but is no longer produced
//! (stale) counts as a difference too.

use crate::Result;
use crate::emit::{self, GeneratedFile};
use crate::project::Project;
use std::path::Path;

/// One difference found by the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    /// The file, relative to the project root.
    pub path: String,
    /// `differs`, `missing` (should exist) or `stale` (should not exist).
    pub kind: &'static str,
}

/// Regenerate everything in memory and compare with the files on disk.
pub fn check(project: &Project, upstream: Option<&Path>) -> Result<Vec<Drift>> {
    let mut drift = Vec::new();
    if let Some(dir) = upstream {
        for m in project.manifests_from_upstream(dir)? {
            let path = project.manifest_path(&m.tag);
            compare_file(project, &path, &m.to_json(), &mut drift);
        }
        for (tag, path) in project.manifest_files()? {
            if !dir.join(&tag).exists() {
                drift.push(Drift {
                    path: project.relative(&path),
                    kind: "stale",
                });
            }
        }
    }
    let files = project.generate_in_memory(&emit::Options::default())?;
    for f in &files {
        compare_file(
            project,
            &project.generated_dir().join(&f.path),
            &f.contents,
            &mut drift,
        );
    }
    for on_disk in project.generated_files_on_disk()? {
        if !files.iter().any(|f: &GeneratedFile| f.path == on_disk) {
            drift.push(Drift {
                path: project.relative(&project.generated_dir().join(&on_disk)),
                kind: "stale",
            });
        }
    }
    Ok(drift)
}

fn compare_file(project: &Project, path: &Path, expected: &str, drift: &mut Vec<Drift>) {
    match std::fs::read_to_string(path) {
        Ok(actual) if actual == expected => {}
        Ok(_) => drift.push(Drift {
            path: project.relative(path),
            kind: "differs",
        }),
        Err(_) => drift.push(Drift {
            path: project.relative(path),
            kind: "missing",
        }),
    }
}
