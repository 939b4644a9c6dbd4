//! Types for AMI headers (`specs/fixes/ami_types.toml`): the XML has none.
//!
//! A header's type comes from, in order: a per-header `[[field]]` entry, the first
//! matching `[[rule]]`, a generated open enum when the header has an `<enumlist>`,
//! else text. `[[pairs]]` and `[[family]]` describe action parameters that repeat.

use crate::Result;
use serde::Deserialize;
use std::path::Path;

/// Header type rules, per-header types and repeated action parameters.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmiTypeFixes {
    /// Naming rules, in file order (the first match wins).
    #[serde(default, rename = "rule")]
    pub rules: Vec<TypeRule>,
    /// Types of single headers of one event or action.
    #[serde(default, rename = "field")]
    pub fields: Vec<FieldType>,
    /// Repeated `name=value` action parameters.
    #[serde(default)]
    pub pairs: Vec<PairsParam>,
    /// Numbered action parameter families.
    #[serde(default, rename = "family")]
    pub families: Vec<Family>,
}

/// Where a rule applies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Event headers (and snapshot blocks).
    #[default]
    Event,
    /// Action parameters.
    Action,
}

/// A naming rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeRule {
    /// Short identifier.
    pub name: String,
    /// Why (one line).
    pub reason: String,
    /// Event headers or action parameters.
    #[serde(default)]
    pub scope: Scope,
    /// Exact header names.
    #[serde(default)]
    pub names: Vec<String>,
    /// Header name endings (case-sensitive).
    #[serde(default)]
    pub suffixes: Vec<String>,
    /// Only these events (or actions), when not empty.
    #[serde(default)]
    pub events: Vec<String>,
    /// Whether the rule also applies to headers with an `<enumlist>`.
    #[serde(default)]
    pub enums: bool,
    /// The type (see [`HeaderType::parse`]).
    #[serde(rename = "type")]
    pub ty: String,
}

/// The type of one header of one event or action.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldType {
    /// Short identifier.
    pub name: String,
    /// Why (one line).
    pub reason: String,
    /// The event (exclusive with `action`).
    #[serde(default)]
    pub event: Option<String>,
    /// The action (exclusive with `event`).
    #[serde(default)]
    pub action: Option<String>,
    /// The header name as documented.
    pub header: String,
    /// The type.
    #[serde(rename = "type")]
    pub ty: String,
}

/// A `name=value` parameter that repeats (`Variable`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairsParam {
    /// Short identifier.
    pub name: String,
    /// Why (one line).
    pub reason: String,
    /// Actions that take it.
    pub actions: Vec<String>,
    /// The header name.
    pub header: String,
}

/// A numbered parameter family (`Action-000000`, `UnitAmount(0)`) of one action.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Family {
    /// Short identifier.
    pub name: String,
    /// Why (one line).
    pub reason: String,
    /// The action.
    pub action: String,
    /// Rust name of the entry type.
    #[serde(rename = "type")]
    pub ty: String,
    /// Name of the builder method adding one entry.
    pub method: String,
}

/// A resolved header type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderType {
    /// `Text` (events) or `String` (actions).
    Text,
    /// A boolean.
    Bool,
    /// A primitive number type, by Rust name (`i64`, `u64`, `u32`, `f64`).
    Number(String),
    /// A domain enum of `enums.toml`, by name.
    Domain(String),
    /// A generated open enum over the header's `<enumlist>`.
    Enum,
    /// A hand-written runtime type by name (`asterisk_sdk_runtime::ami::<Name>`,
    /// e.g. `SoftHangupFlags`), implementing `FromHeader`.
    Runtime(String),
}

impl HeaderType {
    /// Parse a type string of the fixes file.
    pub fn parse(s: &str) -> Option<HeaderType> {
        Some(match s {
            "text" => HeaderType::Text,
            "bool" => HeaderType::Bool,
            "i64" | "u64" | "u32" | "f64" => HeaderType::Number(s.to_string()),
            _ => {
                let (kind, name) = s.split_once(':')?;
                if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
                    return None;
                }
                match kind {
                    "domain" => HeaderType::Domain(name.to_string()),
                    "runtime" => HeaderType::Runtime(name.to_string()),
                    _ => return None,
                }
            }
        })
    }

    /// The type's name as the fixes file and the generated catalog write it
    /// (the inverse of [`HeaderType::parse`]; `enum` for a generated open enum).
    pub fn label(&self) -> String {
        match self {
            HeaderType::Text => "text".into(),
            HeaderType::Bool => "bool".into(),
            HeaderType::Number(n) => n.clone(),
            HeaderType::Domain(d) => format!("domain:{d}"),
            HeaderType::Enum => "enum".into(),
            HeaderType::Runtime(r) => format!("runtime:{r}"),
        }
    }
}

impl AmiTypeFixes {
    /// Load and check `ami_types.toml`.
    pub fn load(path: &Path) -> Result<Self> {
        let fixes: AmiTypeFixes = super::load_toml(path)?;
        fixes
            .validate()
            .map_err(|m| crate::input_err(path.display(), m))?;
        Ok(fixes)
    }

    /// Parse from TOML text (tests).
    pub fn from_toml(text: &str) -> std::result::Result<Self, String> {
        let fixes: AmiTypeFixes = toml::from_str(text).map_err(|e| e.to_string())?;
        fixes.validate()?;
        Ok(fixes)
    }

    fn validate(&self) -> std::result::Result<(), String> {
        let mut seen = std::collections::BTreeSet::new();
        let named = self
            .rules
            .iter()
            .map(|r| (&r.name, &r.reason, Some(&r.ty)))
            .chain(
                self.fields
                    .iter()
                    .map(|f| (&f.name, &f.reason, Some(&f.ty))),
            )
            .chain(self.pairs.iter().map(|p| (&p.name, &p.reason, None)))
            .chain(self.families.iter().map(|f| (&f.name, &f.reason, None)));
        for (name, reason, ty) in named {
            if !seen.insert(name.clone()) {
                return Err(format!("fix {name} defined twice"));
            }
            if reason.trim().is_empty() {
                return Err(format!("fix {name} has no reason"));
            }
            if ty.is_some_and(|t| HeaderType::parse(t).is_none()) {
                return Err(format!("fix {name}: unknown type {ty:?}"));
            }
        }
        for r in &self.rules {
            if r.names.is_empty() && r.suffixes.is_empty() {
                return Err(format!("rule {} matches nothing", r.name));
            }
        }
        for f in &self.fields {
            if f.event.is_some() == f.action.is_some() {
                return Err(format!(
                    "field {} needs exactly one of event, action",
                    f.name
                ));
            }
        }
        Ok(())
    }

    /// The type of header `header` of event `event` (`ChannelSnapshot` and
    /// `BridgeSnapshot` for snapshot blocks); `has_enum` when it has an `<enumlist>`.
    pub fn event_header(&self, event: &str, header: &str, has_enum: bool) -> HeaderType {
        self.resolve(Scope::Event, event, header, has_enum)
    }

    /// The type of parameter `param` of action `action` (never [`HeaderType::Enum`]).
    pub fn action_param(&self, action: &str, param: &str) -> HeaderType {
        match self.resolve(Scope::Action, action, param, false) {
            HeaderType::Enum => HeaderType::Text,
            t => t,
        }
    }

    fn resolve(&self, scope: Scope, owner: &str, header: &str, has_enum: bool) -> HeaderType {
        self.decide(scope, owner, header, has_enum).0
    }

    /// The name of the `[[field]]` or `[[rule]]` that decides the type of a
    /// header (`None` when no fix does), as [`AmiTypeFixes::event_header`] and
    /// [`AmiTypeFixes::action_param`] resolve it.
    pub fn decided_by(
        &self,
        scope: Scope,
        owner: &str,
        header: &str,
        has_enum: bool,
    ) -> Option<&str> {
        self.decide(scope, owner, header, has_enum).1
    }

    fn decide(
        &self,
        scope: Scope,
        owner: &str,
        header: &str,
        has_enum: bool,
    ) -> (HeaderType, Option<&str>) {
        for f in &self.fields {
            let o = match scope {
                Scope::Event => f.event.as_deref(),
                Scope::Action => f.action.as_deref(),
            };
            if o == Some(owner) && f.header == header {
                let ty = HeaderType::parse(&f.ty).unwrap_or(HeaderType::Text);
                return (ty, Some(&f.name));
            }
        }
        for r in &self.rules {
            if r.scope != scope {
                continue;
            }
            if !r.events.is_empty() && !r.events.iter().any(|e| e == owner) {
                continue;
            }
            let hit = r.names.iter().any(|n| n == header)
                || r.suffixes.iter().any(|s| header.ends_with(s.as_str()));
            if !hit {
                continue;
            }
            let ty = HeaderType::parse(&r.ty).unwrap_or(HeaderType::Text);
            if has_enum && !r.enums && !matches!(ty, HeaderType::Domain(_)) {
                continue;
            }
            return (ty, Some(&r.name));
        }
        if has_enum && scope == Scope::Event {
            (HeaderType::Enum, None)
        } else {
            (HeaderType::Text, None)
        }
    }

    /// The `name=value` pairs header of `action`, if any.
    pub fn pairs_header(&self, action: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|p| p.actions.iter().any(|a| a == action))
            .map(|p| p.header.as_str())
    }

    /// The family description of `action`, if any.
    pub fn family(&self, action: &str) -> Option<&Family> {
        self.families.iter().find(|f| f.action == action)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOML: &str = r#"
[[rule]]
name = "counts"
reason = "counters"
suffixes = ["Count"]
type = "u64"

[[rule]]
name = "cause"
reason = "q850"
names = ["Cause"]
events = ["Hangup"]
type = "domain:HangupCause"

[[field]]
name = "d"
reason = "text there"
event = "X"
header = "MsgCount"
type = "text"
"#;

    #[test]
    fn resolves_in_order() {
        let f = AmiTypeFixes::from_toml(TOML).unwrap();
        assert_eq!(
            f.event_header("Y", "MsgCount", false),
            HeaderType::Number("u64".into())
        );
        assert_eq!(f.event_header("X", "MsgCount", false), HeaderType::Text);
        assert_eq!(f.event_header("Y", "AccountCode", false), HeaderType::Text);
        assert_eq!(
            f.event_header("Hangup", "Cause", false),
            HeaderType::Domain("HangupCause".into())
        );
        assert_eq!(f.event_header("Registry", "Cause", false), HeaderType::Text);
        assert_eq!(f.event_header("Y", "MsgCount", true), HeaderType::Enum);
        assert_eq!(f.action_param("Y", "MsgCount"), HeaderType::Text);
    }

    #[test]
    fn rejects_missing_reason_and_bad_type() {
        let bad = TOML.replace("reason = \"counters\"", "reason = \"\"");
        assert!(AmiTypeFixes::from_toml(&bad).is_err());
        let bad = TOML.replace("type = \"u64\"", "type = \"int\"");
        assert!(AmiTypeFixes::from_toml(&bad).is_err());
    }

    #[test]
    fn committed_file_loads() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/fixes/ami_types.toml");
        let f = AmiTypeFixes::load(&path).unwrap();
        assert_eq!(
            f.event_header("Cdr", "BillableSeconds", false),
            HeaderType::Number("u64".into())
        );
        assert_eq!(f.action_param("Originate", "Async"), HeaderType::Bool);
        assert_eq!(
            f.event_header("SoftHangupRequest", "Cause", false),
            HeaderType::Runtime("SoftHangupFlags".into())
        );
        assert_eq!(
            f.event_header("HangupRequest", "Cause", false),
            HeaderType::Domain("HangupCause".into())
        );
        assert_eq!(
            f.event_header("DialState", "DialStatus", true),
            HeaderType::Enum
        );
    }

    #[test]
    fn runtime_types_parse_and_print_back() {
        let t = HeaderType::parse("runtime:SoftHangupFlags").unwrap();
        assert_eq!(t, HeaderType::Runtime("SoftHangupFlags".into()));
        assert_eq!(t.label(), "runtime:SoftHangupFlags");
        assert_eq!(HeaderType::parse("crate:X"), None);
        assert_eq!(HeaderType::parse("runtime:"), None);
    }
}
