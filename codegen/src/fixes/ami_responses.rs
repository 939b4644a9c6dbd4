//! What AMI actions answer (`specs/fixes/ami_responses.toml`): the headers the
//! C handler appends to a success response (typed like event headers), and the
//! answer quirks of single actions (list items without `ActionID`, no response).
//!
//! The XML documents none of this; every entry names the C handler in its
//! `reason`. An entry that names no action of any release fails generation.

use super::ami_types::HeaderType;
use crate::Result;
use serde::Deserialize;
use std::path::Path;

/// The response fixes, in file order.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseFixes {
    /// Typed success responses.
    #[serde(default)]
    pub response: Vec<ResponseFix>,
    /// List actions whose items arrive without an `ActionID`.
    #[serde(default)]
    pub unkeyed_items: Vec<QuirkFix>,
    /// Actions Asterisk answers without any `Response:`.
    #[serde(default)]
    pub no_response: Vec<QuirkFix>,
}

/// The success response of one action.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseFix {
    /// Short identifier.
    pub name: String,
    /// Why: the C handler (and file) that writes these headers.
    pub reason: String,
    /// The action.
    pub action: String,
    /// Its headers, in the order the handler writes them.
    pub fields: Vec<ResponseFieldFix>,
}

/// How many headers one response field takes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Repeat {
    /// The first header of that name: `Option<T>`.
    #[default]
    One,
    /// Every header of that name, in order: `Vec<T>`.
    All,
    /// Every header whose name starts with `header` (`Category-` for
    /// `Category-000000`, …), in order: `Vec<T>`.
    Prefix,
    /// Every header no other field and no standard header (`Response`,
    /// `ActionID`, `Message`) takes, as `(name, value)` pairs; `header` is `*`.
    Rest,
}

/// One header of a success response.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseFieldFix {
    /// The header name (the prefix for [`Repeat::Prefix`], `*` for [`Repeat::Rest`]).
    pub header: String,
    /// The type, as in `ami_types.toml` (default `text`).
    #[serde(default = "text", rename = "type")]
    pub ty: String,
    /// How many headers it takes.
    #[serde(default)]
    pub repeat: Repeat,
    /// Rust field name, when the one derived from `header` does not fit.
    #[serde(default)]
    pub ident: Option<String>,
    /// A plausible value as a real Asterisk sends it (the mock answers with it).
    pub example: String,
}

fn text() -> String {
    "text".into()
}

/// A quirk of one action's answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuirkFix {
    /// Short identifier.
    pub name: String,
    /// Why: the C handler (and file) and what it does.
    pub reason: String,
    /// The action.
    pub action: String,
}

impl ResponseFixes {
    /// Load and check `ami_responses.toml`.
    pub fn load(path: &Path) -> Result<Self> {
        let fixes: ResponseFixes = super::load_toml(path)?;
        fixes
            .validate()
            .map_err(|m| crate::input_err(path.display(), m))?;
        Ok(fixes)
    }

    /// Parse from TOML text (tests).
    pub fn from_toml(text: &str) -> std::result::Result<Self, String> {
        let fixes: ResponseFixes = toml::from_str(text).map_err(|e| e.to_string())?;
        fixes.validate()?;
        Ok(fixes)
    }

    fn validate(&self) -> std::result::Result<(), String> {
        let mut names = std::collections::BTreeSet::new();
        let quirks = self.unkeyed_items.iter().chain(&self.no_response);
        let all = self
            .response
            .iter()
            .map(|r| (&r.name, &r.reason))
            .chain(quirks.map(|q| (&q.name, &q.reason)));
        for (name, reason) in all {
            if !names.insert(name.clone()) {
                return Err(format!("fix {name} defined twice"));
            }
            if reason.trim().is_empty() {
                return Err(format!("fix {name} has no reason"));
            }
        }
        let mut actions = std::collections::BTreeSet::new();
        for r in &self.response {
            if !actions.insert(&r.action) {
                return Err(format!(
                    "fix {}: action {} has two responses",
                    r.name, r.action
                ));
            }
            if r.fields.is_empty() {
                return Err(format!("fix {} has no fields", r.name));
            }
            for f in &r.fields {
                match HeaderType::parse(&f.ty) {
                    None | Some(HeaderType::Enum) => {
                        return Err(format!("fix {}: unknown type {:?}", r.name, f.ty));
                    }
                    Some(_) => {}
                }
                let shape_ok = match f.repeat {
                    Repeat::One | Repeat::All => {
                        !f.header.is_empty() && !f.header.ends_with('-') && f.header != "*"
                    }
                    Repeat::Prefix => f.header.len() > 1 && f.header.ends_with('-'),
                    Repeat::Rest => f.header == "*" && f.ty == "text",
                };
                if !shape_ok {
                    return Err(format!(
                        "fix {}: header {:?} does not fit repeat {:?}",
                        r.name, f.header, f.repeat
                    ));
                }
            }
        }
        Ok(())
    }

    /// The typed response of `action`, if any.
    pub fn of(&self, action: &str) -> Option<&ResponseFix> {
        self.response.iter().find(|r| r.action == action)
    }

    /// The unkeyed-items quirk of `action`, if any.
    pub fn unkeyed_items_of(&self, action: &str) -> Option<&QuirkFix> {
        self.unkeyed_items.iter().find(|q| q.action == action)
    }

    /// The no-response quirk of `action`, if any.
    pub fn no_response_of(&self, action: &str) -> Option<&QuirkFix> {
        self.no_response.iter().find(|q| q.action == action)
    }

    /// Every action an entry names, with the entry's name (to check they exist).
    pub fn targets(&self) -> impl Iterator<Item = (&str, &str)> {
        let responses = self
            .response
            .iter()
            .map(|r| (r.name.as_str(), r.action.as_str()));
        let quirks = self
            .unkeyed_items
            .iter()
            .chain(&self.no_response)
            .map(|q| (q.name.as_str(), q.action.as_str()));
        responses.chain(quirks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOML: &str = r#"
[[response]]
name = "ping"
reason = "action_ping (main/manager.c)"
action = "Ping"
fields = [
  { header = "Ping", example = "Pong" },
  { header = "Timestamp", type = "f64", example = "1.5" },
]

[[unkeyed_items]]
name = "iaxpeers"
reason = "manager_iax2_show_peers"
action = "IAXpeers"
"#;

    #[test]
    fn loads_fields_with_defaults() {
        let f = ResponseFixes::from_toml(TOML).unwrap();
        let ping = f.of("Ping").unwrap();
        assert_eq!(ping.fields[0].ty, "text");
        assert_eq!(ping.fields[0].repeat, Repeat::One);
        assert_eq!(ping.fields[1].ty, "f64");
        assert!(f.unkeyed_items_of("IAXpeers").is_some());
        assert!(f.no_response_of("IAXpeers").is_none());
        assert_eq!(f.targets().count(), 2);
    }

    #[test]
    fn rejects_bad_entries() {
        let unknown_key = TOML.replace("action = \"Ping\"", "action = \"Ping\"\nextra = 1");
        assert!(ResponseFixes::from_toml(&unknown_key).is_err());
        let bad_type = TOML.replace("\"f64\"", "\"float\"");
        assert!(ResponseFixes::from_toml(&bad_type).is_err());
        let no_reason = TOML.replace("reason = \"manager_iax2_show_peers\"", "reason = \" \"");
        assert!(ResponseFixes::from_toml(&no_reason).is_err());
        let bad_prefix = TOML.replace(
            "{ header = \"Ping\", example = \"Pong\" }",
            "{ header = \"Ping\", repeat = \"prefix\", example = \"Pong\" }",
        );
        assert!(ResponseFixes::from_toml(&bad_prefix).is_err());
    }

    #[test]
    fn committed_file_loads() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/fixes/ami_responses.toml");
        let f = ResponseFixes::load(&path).unwrap();
        assert!(f.response.len() >= 18, "{}", f.response.len());
        assert!(f.no_response_of("IAXnetstats").is_some());
        assert!(f.unkeyed_items_of("IAXpeers").is_some());
    }
}
