//! [`NodeId`]: the name of one Asterisk server of a fleet.

use super::FleetError;
use std::borrow::{Borrow, Cow};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// The name of one Asterisk server of a fleet (e.g. `pbx-eu-1`); cheap to clone.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(Arc<str>);

impl NodeId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id as one name token, as it appears in NATS subjects: each `.`,
    /// `*`, `>`, whitespace or control character becomes `_` (see
    /// [`name_token`]). Two nodes of one fleet never share a token.
    pub fn token(&self) -> Cow<'_, str> {
        name_token(&self.0)
    }
}

/// `text` as one name token (a NATS subject token): each `.`, `*`, `>`,
/// whitespace or control character becomes `_`; an empty text becomes `_`.
/// Borrowed when nothing changes.
pub fn name_token(text: &str) -> Cow<'_, str> {
    fn bad(c: char) -> bool {
        matches!(c, '.' | '*' | '>') || c.is_whitespace() || c.is_control()
    }
    if text.is_empty() {
        Cow::Borrowed("_")
    } else if text.chars().any(bad) {
        Cow::Owned(text.chars().map(|c| if bad(c) { '_' } else { c }).collect())
    } else {
        Cow::Borrowed(text)
    }
}

/// Refuse ids that are equal, or whose [`NodeId::token`]s are (`pbx.1` and
/// `pbx_1`): they would share subjects, and requests for one would reach the
/// other.
pub(crate) fn check_distinct<'a>(
    ids: impl IntoIterator<Item = &'a NodeId>,
) -> Result<(), FleetError> {
    let mut seen: HashMap<String, &NodeId> = HashMap::new();
    for id in ids {
        if let Some(first) = seen.insert(id.token().into_owned(), id) {
            return Err(if first == id {
                FleetError::DuplicateNode(id.clone())
            } else {
                FleetError::ConflictingNodes {
                    first: first.clone(),
                    second: id.clone(),
                    token: id.token().into_owned(),
                }
            });
        }
    }
    Ok(())
}

impl From<&str> for NodeId {
    fn from(s: &str) -> Self {
        NodeId(Arc::from(s))
    }
}

impl From<String> for NodeId {
    fn from(s: String) -> Self {
        NodeId(Arc::from(s))
    }
}

impl Borrow<str> for NodeId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_share_a_token_are_refused() {
        let ids = [
            NodeId::from("pbx-1"),
            NodeId::from("pbx.1"),
            NodeId::from("pbx_1"),
        ];
        match check_distinct(&ids) {
            Err(FleetError::ConflictingNodes {
                first,
                second,
                token,
            }) => {
                assert_eq!((first.as_str(), second.as_str()), ("pbx.1", "pbx_1"));
                assert_eq!(token, "pbx_1");
            }
            other => panic!("expected ConflictingNodes, got {other:?}"),
        }
        let same = [NodeId::from("a b"), NodeId::from("a b")];
        assert!(
            matches!(check_distinct(&same), Err(FleetError::DuplicateNode(id)) if id.as_str() == "a b")
        );
        let fine = [
            NodeId::from("pbx-1"),
            NodeId::from("pbx.2"),
            NodeId::from(""),
        ];
        assert!(check_distinct(&fine).is_ok());
        assert_eq!(NodeId::from("eu.pbx 1*>\t").token(), "eu_pbx_1___");
    }
}
