//! The actions the mock answers: the generated catalog, restricted to one release.

use asterisk_sdk_runtime::ami::ActionInfo;
use std::collections::HashMap;

/// The generated catalog of every action of every generated release.
pub(crate) fn default_actions() -> &'static [ActionInfo] {
    asterisk_sdk::ami::catalog::ACTIONS
}

/// Numeric key of a release tag like `23.4.1` (non-numbers count as 0).
fn version_key(tag: &str) -> Vec<u64> {
    tag.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

/// The newest release named in `actions`.
pub(crate) fn newest_release(actions: &[ActionInfo]) -> Option<&'static str> {
    actions
        .iter()
        .flat_map(|a| a.releases.iter().copied())
        .max_by_key(|t| version_key(t))
}

/// Actions of one release, looked up by name case-insensitively.
#[derive(Debug, Clone, Default)]
pub(crate) struct Catalog {
    by_name: HashMap<String, ActionInfo>,
}

impl Catalog {
    /// The actions of `release` (every action when `release` is `None`).
    pub(crate) fn new(actions: &[ActionInfo], release: Option<&str>) -> Catalog {
        let by_name = actions
            .iter()
            .filter(|a| match release {
                Some(r) => a.releases.is_empty() || a.releases.contains(&r),
                None => true,
            })
            .map(|a| (a.name.to_ascii_lowercase(), *a))
            .collect();
        Catalog { by_name }
    }

    /// The action named `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&ActionInfo> {
        self.by_name.get(&name.to_ascii_lowercase())
    }

    /// Number of actions.
    pub(crate) fn len(&self) -> usize {
        self.by_name.len()
    }
}
