//! The ARI route table, read from the committed manifest
//! `specs/api/23.4.1.json` (embedded at build time with `include_str!`, so users
//! of the mock need no file at run time): method, path template and parameters
//! of every operation, to match requests and check required parameters.

use serde::Deserialize;
use std::sync::OnceLock;

const MANIFEST: &str = include_str!("../../../specs/api/23.4.1.json");

#[derive(Debug, Deserialize)]
struct Manifest {
    ari: Ari,
}

#[derive(Debug, Deserialize)]
struct Ari {
    operations: Vec<Operation>,
}

/// One parameter of an operation.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Param {
    pub(crate) name: String,
    pub(crate) location: String,
    #[serde(default)]
    pub(crate) required: bool,
}

/// One ARI operation of the manifest.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Operation {
    pub(crate) resource: String,
    pub(crate) nickname: String,
    pub(crate) method: String,
    pub(crate) path: String,
    #[serde(default)]
    pub(crate) params: Vec<Param>,
}

/// A matched operation and its path parameters.
#[derive(Debug)]
pub(crate) struct Matched<'a> {
    pub(crate) op: &'a Operation,
    pub(crate) path_params: Vec<(String, String)>,
}

impl Matched<'_> {
    /// A path parameter by name ("" when absent).
    pub(crate) fn path(&self, name: &str) -> &str {
        self.path_params
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// Why no operation matched.
#[derive(Debug, PartialEq)]
pub(crate) enum NoMatch {
    /// No operation has this path.
    NotFound,
    /// The path exists, not with this method.
    Method,
}

fn operations() -> &'static [Operation] {
    static OPS: OnceLock<Vec<Operation>> = OnceLock::new();
    OPS.get_or_init(|| match serde_json::from_str::<Manifest>(MANIFEST) {
        Ok(m) => m.ari.operations,
        // The manifest is committed and checked by the generator's tests; an
        // unreadable one leaves the mock with no routes (every request 404s).
        Err(_) => Vec::new(),
    })
}

/// How many operations the route table holds.
#[cfg(test)]
pub(crate) fn operation_count() -> usize {
    operations().len()
}

fn match_path(template: &str, segments: &[&str]) -> Option<(usize, Vec<(String, String)>)> {
    let parts: Vec<&str> = template.trim_start_matches('/').split('/').collect();
    if parts.len() != segments.len() {
        return None;
    }
    let mut literal = 0;
    let mut params = Vec::new();
    for (p, s) in parts.iter().zip(segments) {
        if let Some(name) = p.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            if s.is_empty() {
                return None;
            }
            params.push((name.to_string(), s.to_string()));
        } else if p == s {
            literal += 1;
        } else {
            return None;
        }
    }
    Some((literal, params))
}

/// Find the operation for `method` and a decoded path below `/ari` (segments
/// already percent-decoded). Literal segments win over parameters.
pub(crate) fn find(method: &str, segments: &[&str]) -> Result<Matched<'static>, NoMatch> {
    let mut best: Option<(usize, Matched<'static>)> = None;
    let mut path_exists = false;
    for op in operations() {
        let Some((literal, path_params)) = match_path(&op.path, segments) else {
            continue;
        };
        path_exists = true;
        if !op.method.eq_ignore_ascii_case(method) {
            continue;
        }
        if best.as_ref().is_none_or(|(l, _)| literal > *l) {
            best = Some((literal, Matched { op, path_params }));
        }
    }
    match best {
        Some((_, m)) => Ok(m),
        None if path_exists => Err(NoMatch::Method),
        None => Err(NoMatch::NotFound),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_manifest_routes() {
        assert!(operation_count() >= 100);
        let m = find("POST", &["channels", "c1", "play"]).expect("play");
        assert_eq!(m.op.nickname, "play");
        assert_eq!(m.path("channelId"), "c1");
        assert_eq!(
            find("POST", &["channels", "create"]).map(|m| m.op.nickname.as_str()),
            Ok("create")
        );
        assert_eq!(
            find("POST", &["channels", "c1"]).map(|m| m.op.nickname.as_str()),
            Ok("originateWithId")
        );
        assert_eq!(find("PATCH", &["channels"]).err(), Some(NoMatch::Method));
        assert_eq!(find("GET", &["nope"]).err(), Some(NoMatch::NotFound));
    }
}
