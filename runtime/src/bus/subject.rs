//! Subject names: `<prefix>.<node>.ami.<Event>`, `<prefix>.<node>.ari.<type>`,
//! `<prefix>.<node>.ami.action`, `<prefix>.<node>.ari.action`, with every
//! token sanitised.

use std::borrow::Cow;

/// The token of AMI action requests (`<prefix>.<node>.ami.action`) and of ARI
/// operation requests (`<prefix>.<node>.ari.action`).
pub const ACTION_TOKEN: &str = "action";

/// The last token of the subjects of reconnect and lag markers
/// (`<prefix>.<node>.ami._marker`, `<prefix>.<node>.ari._marker`). No Asterisk
/// event or ARI type starts with `_`.
pub const MARKER_TOKEN: &str = "_marker";

/// `text` as one subject token: each `.`, `*`, `>`, whitespace or control
/// character becomes `_`; an empty text becomes `_`. Borrowed when nothing
/// changes (the fleet's [`name_token`](crate::fleet::name_token)).
pub fn token(text: &str) -> Cow<'_, str> {
    crate::fleet::name_token(text)
}

/// Which side of Asterisk a subject is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// AMI: `.ami.`
    Ami,
    /// ARI: `.ari.`
    Ari,
}

impl Side {
    /// The subject token: `ami` or `ari`.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Ami => "ami",
            Side::Ari => "ari",
        }
    }
}

/// `<prefix>.<node>.<side>.<last>`, with `node` and `last` sanitised (`prefix`
/// is used as is: it may hold several tokens).
pub fn subject(prefix: &str, node: &str, side: Side, last: &str) -> String {
    format!("{prefix}.{}.{}.{}", token(node), side.as_str(), token(last))
}

/// The subject filter of `side`'s events of one node (`Some`) or of every node,
/// and one event name (`Some`) or every one.
pub fn filter(prefix: &str, node: Option<&str>, side: Side, event: Option<&str>) -> String {
    let node = node.map_or(Cow::Borrowed("*"), token);
    let last = event.map_or(Cow::Borrowed("*"), token);
    format!("{prefix}.{node}.{}.{last}", side.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitises_every_wildcard_separator_and_space() {
        assert_eq!(token("pbx-1"), "pbx-1");
        assert!(matches!(token("pbx-1"), Cow::Borrowed(_)));
        assert_eq!(token("eu.pbx 1*>\t"), "eu_pbx_1___");
        assert_eq!(token(""), "_");
        assert_eq!(
            subject("asterisk", "a.b", Side::Ami, "Hangup"),
            "asterisk.a_b.ami.Hangup"
        );
        assert_eq!(
            subject("asterisk", "n1", Side::Ari, "Stasis Start"),
            "asterisk.n1.ari.Stasis_Start"
        );
    }

    #[test]
    fn filters_use_single_token_wildcards() {
        assert_eq!(
            filter("asterisk", None, Side::Ami, None),
            "asterisk.*.ami.*"
        );
        assert_eq!(
            filter("asterisk", Some("n.1"), Side::Ami, Some("Hangup")),
            "asterisk.n_1.ami.Hangup"
        );
    }
}
