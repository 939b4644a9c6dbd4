//! The union surface: one view over several releases, where every item knows the
//! releases that have it.
//!
//! Emitters generate one tolerant API across all manifests: an item present in any
//! release is generated once, documented with the releases that have it, and every
//! field that some release lacks is optional.

use crate::manifest::Manifest;
use std::collections::BTreeMap;

/// One item (action, event, field, model, …) merged over releases.
#[derive(Debug, Clone)]
pub struct Tagged<T> {
    /// The definition from the newest release that has the item.
    pub item: T,
    /// Every definition, oldest release first, with its tag.
    pub versions: Vec<(String, T)>,
}

impl<T> Tagged<T> {
    /// Tags of the releases that have the item, oldest first.
    pub fn releases(&self) -> Vec<&str> {
        self.versions.iter().map(|(t, _)| t.as_str()).collect()
    }

    /// Whether every release in `all` has the item.
    pub fn in_all(&self, all: &[String]) -> bool {
        self.versions.len() == all.len()
    }
}

/// Merge per-release lists by key. `lists` must be ordered oldest release first.
/// The result is sorted by key; each entry's `item` is the newest definition.
pub fn union_by<T: Clone, K: Ord>(lists: &[(&str, &[T])], key: impl Fn(&T) -> K) -> Vec<Tagged<T>> {
    let mut map: BTreeMap<K, Tagged<T>> = BTreeMap::new();
    for (tag, items) in lists {
        for it in items.iter() {
            let entry = map.entry(key(it)).or_insert_with(|| Tagged {
                item: it.clone(),
                versions: Vec::new(),
            });
            entry.item = it.clone();
            entry.versions.push((tag.to_string(), it.clone()));
        }
    }
    map.into_values().collect()
}

/// Merge per-release lists by key keeping first-seen order (newest release's order
/// first, then items only older releases have, in their order). For fields and
/// parameters, where order matters.
pub fn union_ordered<T: Clone, K: Ord + Clone>(
    lists: &[(&str, &[T])],
    key: impl Fn(&T) -> K,
) -> Vec<Tagged<T>> {
    let mut order: Vec<K> = Vec::new();
    for (_, items) in lists.iter().rev() {
        for it in items.iter() {
            let k = key(it);
            if !order.contains(&k) {
                order.push(k);
            }
        }
    }
    let mut merged = union_by(lists, &key);
    let mut out = Vec::with_capacity(merged.len());
    for k in order {
        if let Some(pos) = merged.iter().position(|t| key(&t.item) == k) {
            out.push(merged.swap_remove(pos));
        }
    }
    out
}

/// All manifests of a generation run, oldest release first.
#[derive(Debug, Clone)]
pub struct Releases {
    /// The manifests, oldest first.
    pub manifests: Vec<Manifest>,
}

impl Releases {
    /// Wrap manifests, sorting them oldest first.
    pub fn new(mut manifests: Vec<Manifest>) -> Self {
        manifests.sort_by(|a, b| crate::release::compare(&a.tag, &b.tag));
        Releases { manifests }
    }

    /// Release tags, oldest first.
    pub fn tags(&self) -> Vec<String> {
        self.manifests.iter().map(|m| m.tag.clone()).collect()
    }

    /// Pair each tag with a list taken from its manifest.
    pub fn lists<'a, T>(&'a self, f: impl Fn(&'a Manifest) -> &'a [T]) -> Vec<(&'a str, &'a [T])> {
        self.manifests
            .iter()
            .map(|m| (m.tag.as_str(), f(m)))
            .collect()
    }
}

/// Describe which releases have an item, for generated docs: "all releases
/// (20.20.1, 21.12.3, 22.10.1, 23.4.1)" or "20.20.1, 22.10.1, 23.4.1 (not 21.12.3)".
pub fn releases_doc(have: &[&str], all: &[String]) -> String {
    if have.len() == all.len() {
        format!("all generated releases ({})", have.join(", "))
    } else {
        let missing: Vec<&str> = all
            .iter()
            .map(|s| s.as_str())
            .filter(|t| !have.contains(t))
            .collect();
        format!("{} (not in {})", have.join(", "), missing.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_keeps_release_lists_and_newest_item() {
        let a = [(1, "a-old"), (2, "b")];
        let b = [(1, "a-new"), (3, "c")];
        let u = union_by(&[("20.0.0", &a[..]), ("21.0.0", &b[..])], |x| x.0);
        assert_eq!(u.len(), 3);
        assert_eq!(u[0].item.1, "a-new");
        assert_eq!(u[0].releases(), ["20.0.0", "21.0.0"]);
        assert_eq!(u[1].releases(), ["20.0.0"]);
    }

    #[test]
    fn ordered_union_follows_newest_order() {
        let a = ["x", "gone", "y"];
        let b = ["y", "x", "new"];
        let u = union_ordered(&[("1.0.0", &a[..]), ("2.0.0", &b[..])], |s| s.to_string());
        let names: Vec<&str> = u.iter().map(|t| t.item).collect();
        assert_eq!(names, ["y", "x", "new", "gone"]);
    }
}
