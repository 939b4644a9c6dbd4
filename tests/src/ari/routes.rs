//! The ARI route table of the release the mock plays (Asterisk 23.4.1), taken
//! from the generated catalog `asterisk_sdk::ari::catalog::OPERATIONS`: method,
//! path template and parameters of every operation, to match requests and check
//! required parameters.

use asterisk_sdk::ari::catalog::OPERATIONS;
use asterisk_sdk::runtime::ari::{OperationInfo, ParamInfo};

/// The release whose routes the mock serves (the one its captures come from).
pub(crate) const RELEASE: &str = "23.4.1";

/// A matched operation and its path parameters.
#[derive(Debug)]
pub(crate) struct Matched {
    pub(crate) op: &'static OperationInfo,
    pub(crate) path_params: Vec<(String, String)>,
}

impl Matched {
    /// The parameters of the operation in the mock's release that it requires.
    pub(crate) fn required_params(&self) -> impl Iterator<Item = &'static ParamInfo> {
        self.op
            .params
            .iter()
            .filter(|p| p.required && p.releases.contains(&RELEASE))
    }

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

/// The operations of the mock's release.
fn operations() -> impl Iterator<Item = &'static OperationInfo> {
    OPERATIONS
        .iter()
        .filter(|op| op.releases.contains(&RELEASE))
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
pub(crate) fn find(method: &str, segments: &[&str]) -> Result<Matched, NoMatch> {
    let mut best: Option<(usize, Matched)> = None;
    let mut path_exists = false;
    for op in operations() {
        let Some((literal, path_params)) = match_path(op.path, segments) else {
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
        assert_eq!(operations().count(), 109, "operations of 23.4.1");
        let m = find("POST", &["channels", "c1", "play"]).expect("play");
        assert_eq!(m.op.nickname, "play");
        assert_eq!(m.path("channelId"), "c1");
        let required: Vec<&str> = m.required_params().map(|p| p.name).collect();
        assert_eq!(required, ["channelId", "media"]);
        assert_eq!(
            find("POST", &["channels", "create"]).map(|m| m.op.nickname),
            Ok("create")
        );
        assert_eq!(
            find("POST", &["channels", "c1"]).map(|m| m.op.nickname),
            Ok("originateWithId")
        );
        assert_eq!(find("PATCH", &["channels"]).err(), Some(NoMatch::Method));
        assert_eq!(find("GET", &["nope"]).err(), Some(NoMatch::NotFound));
    }
}
