//! The project's layout on disk: where manifests, fixes and generated code live,
//! and the operations that read and write them.

use crate::emit::{self, GeneratedFile};
use crate::fixes::Fixes;
use crate::manifest::Manifest;
use crate::surface::Releases;
use crate::{Error, Result};
use std::path::{Path, PathBuf};

/// A project root (the workspace holding `specs/` and `generated/`).
#[derive(Debug, Clone)]
pub struct Project {
    root: PathBuf,
}

impl Project {
    /// The project at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Project { root: root.into() }
    }

    /// Find the project root: `root` if given, else the nearest ancestor of the
    /// current directory that has `specs/api`.
    pub fn locate(root: Option<&Path>) -> Result<Self> {
        if let Some(r) = root {
            return Ok(Project::new(r));
        }
        let cwd = std::env::current_dir().map_err(|source| Error::Io {
            path: ".".into(),
            source,
        })?;
        let mut dir: Option<&Path> = Some(&cwd);
        while let Some(d) = dir {
            if d.join("specs").join("api").is_dir() {
                return Ok(Project::new(d));
            }
            dir = d.parent();
        }
        Err(crate::input_err(
            cwd.display(),
            "no specs/api above this directory; pass --root",
        ))
    }

    /// `specs/api`.
    pub fn manifest_dir(&self) -> PathBuf {
        self.root.join("specs").join("api")
    }

    /// `specs/api/<tag>.json`.
    pub fn manifest_path(&self, tag: &str) -> PathBuf {
        self.manifest_dir().join(format!("{tag}.json"))
    }

    /// `specs/fixes`.
    pub fn fixes_dir(&self) -> PathBuf {
        self.root.join("specs").join("fixes")
    }

    /// `generated/src`.
    pub fn generated_dir(&self) -> PathBuf {
        self.root.join("generated").join("src")
    }

    /// A path relative to the root, for messages.
    pub fn relative(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .display()
            .to_string()
    }

    /// Committed manifest files as (tag, path), oldest release first.
    pub fn manifest_files(&self) -> Result<Vec<(String, PathBuf)>> {
        let dir = self.manifest_dir();
        let entries = std::fs::read_dir(&dir).map_err(|source| Error::Io {
            path: dir.display().to_string(),
            source,
        })?;
        let mut out = Vec::new();
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "json")
                && let Some(stem) = p.file_stem()
            {
                out.push((stem.to_string_lossy().to_string(), p));
            }
        }
        out.sort_by(|a, b| crate::release::compare(&a.0, &b.0));
        Ok(out)
    }

    /// Load one committed manifest.
    pub fn load_manifest(&self, tag: &str) -> Result<Manifest> {
        let path = self.manifest_path(tag);
        let text = crate::read_to_string(&path)?;
        Manifest::from_json(&text).map_err(|e| crate::input_err(path.display(), e.to_string()))
    }

    /// Load every committed manifest.
    pub fn load_releases(&self) -> Result<Releases> {
        let mut ms = Vec::new();
        for (tag, _) in self.manifest_files()? {
            ms.push(self.load_manifest(&tag)?);
        }
        if ms.is_empty() {
            return Err(crate::input_err(
                self.manifest_dir().display(),
                "no manifests; run `asterisk-codegen manifest --upstream DIR` first",
            ));
        }
        Ok(Releases::new(ms))
    }

    /// Read every release folder of `upstream` into manifests (not written).
    pub fn manifests_from_upstream(&self, upstream: &Path) -> Result<Vec<Manifest>> {
        let mut out = Vec::new();
        for (tag, dir) in crate::upstream::release_dirs(upstream)? {
            out.push(crate::upstream::read_release(&dir, &tag)?);
        }
        if out.is_empty() {
            return Err(crate::input_err(
                upstream.display(),
                "no release folders (each needs core-en_US.xml)",
            ));
        }
        Ok(out)
    }

    /// Write manifests to `specs/api/`.
    pub fn write_manifests(&self, manifests: &[Manifest]) -> Result<()> {
        let dir = self.manifest_dir();
        std::fs::create_dir_all(&dir).map_err(|source| Error::Io {
            path: dir.display().to_string(),
            source,
        })?;
        for m in manifests {
            write_file(&self.manifest_path(&m.tag), &m.to_json())?;
        }
        Ok(())
    }

    /// Generate the crate's files from the committed manifests and fixes (the
    /// corrections are applied to the manifests first).
    pub fn generate_in_memory(&self, options: &emit::Options) -> Result<Vec<GeneratedFile>> {
        self.generate_without(options, &[])
    }

    /// [`Project::generate_in_memory`] as if the manifests of `without` were
    /// absent (an error names a tag that has no manifest, or leaving none).
    pub fn generate_without(
        &self,
        options: &emit::Options,
        without: &[String],
    ) -> Result<Vec<GeneratedFile>> {
        let fixes = Fixes::load(&self.fixes_dir())?;
        let mut releases = self.load_releases()?;
        for tag in without {
            if !releases.manifests.iter().any(|m| &m.tag == tag) {
                return Err(crate::input_err(
                    self.manifest_path(tag).display(),
                    "--without names a release that has no manifest",
                ));
            }
        }
        releases.manifests.retain(|m| !without.contains(&m.tag));
        if releases.manifests.is_empty() {
            return Err(crate::input_err(
                self.manifest_dir().display(),
                "--without leaves no release to generate",
            ));
        }
        fixes.corrections.apply_all(&mut releases.manifests)?;
        let mut options = options.clone();
        options.left_out = without.to_vec();
        emit::generate(&releases, &fixes, &options)
    }

    /// Generated files present on disk (those starting with the generated header),
    /// relative to `generated/src`, sorted.
    pub fn generated_files_on_disk(&self) -> Result<Vec<String>> {
        let base = self.generated_dir();
        let mut out = Vec::new();
        let mut stack = vec![base.clone()];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    let text = std::fs::read_to_string(&p).unwrap_or_default();
                    if text.starts_with(emit::HEADER_MARK)
                        && let Ok(rel) = p.strip_prefix(&base)
                    {
                        out.push(rel.to_string_lossy().replace('\\', "/"));
                    }
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// Write generated files and delete generated files that are no longer produced.
    /// Returns (written, removed) counts.
    pub fn write_generated(&self, files: &[GeneratedFile]) -> Result<(usize, usize)> {
        let base = self.generated_dir();
        let mut written = 0;
        for f in files {
            let path = base.join(&f.path);
            if std::fs::read_to_string(&path).ok().as_deref() != Some(f.contents.as_str()) {
                write_file(&path, &f.contents)?;
                written += 1;
            }
        }
        let mut removed = 0;
        for stale in self.generated_files_on_disk()? {
            if !files.iter().any(|f| f.path == stale) {
                let path = base.join(&stale);
                std::fs::remove_file(&path).map_err(|source| Error::Io {
                    path: path.display().to_string(),
                    source,
                })?;
                removed += 1;
            }
        }
        Ok((written, removed))
    }
}

/// Write a file, creating its folder.
pub fn write_file(path: &Path, contents: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|source| Error::Io {
            path: parent.display().to_string(),
            source,
        })?;
    }
    std::fs::write(path, contents).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })
}
