//! `diff`: what was added, removed and changed between two releases' manifests.
