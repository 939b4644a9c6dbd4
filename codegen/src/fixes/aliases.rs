//! Search aliases (`specs/fixes/aliases.toml`): spellings users type that are
//! neither the Rust name nor the wire name (`GetVar` for `Getvar`).
//!
//! The wire name is always an alias when it differs from the Rust name; this file
//! only lists the extra spellings, each with a reason.

use crate::Result;
use serde::Deserialize;
use std::path::Path;

/// Every extra alias.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Aliases {
    /// Alias entries, in file order.
    #[serde(default)]
    pub alias: Vec<Alias>,
}

/// What an alias is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AliasTarget {
    /// An AMI action builder, by action name.
    AmiAction,
    /// An AMI event struct, by documented event name.
    AmiEvent,
}

/// Extra search spellings of one generated type.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alias {
    /// Fix name.
    pub name: String,
    /// One-line reason.
    pub reason: String,
    /// Kind of item.
    pub target: AliasTarget,
    /// The action or event name as in the manifest.
    pub item: String,
    /// The spellings to add.
    pub aliases: Vec<String>,
}

impl Aliases {
    /// Load `aliases.toml`.
    pub fn load(path: &Path) -> Result<Self> {
        let a: Aliases = super::load_toml(path)?;
        for e in &a.alias {
            if e.reason.trim().is_empty() || e.aliases.is_empty() {
                return Err(crate::input_err(
                    path.display(),
                    format!("alias `{}` needs a reason and at least one alias", e.name),
                ));
            }
            if let Some(bad) = e.aliases.iter().find(|s| !valid_alias(s)) {
                return Err(crate::input_err(
                    path.display(),
                    format!("alias `{}`: `{bad}` cannot be a rustdoc alias", e.name),
                ));
            }
        }
        Ok(a)
    }

    /// The extra aliases of `item` of kind `target`, in file order.
    pub fn of(&self, target: AliasTarget, item: &str) -> Vec<String> {
        self.alias
            .iter()
            .filter(|a| a.target == target && a.item == item)
            .flat_map(|a| a.aliases.iter().cloned())
            .collect()
    }

    /// Fail when an entry of kind `target` names no item of `known`.
    pub fn check(&self, target: AliasTarget, known: &[&str]) -> Result<()> {
        for a in self.alias.iter().filter(|a| a.target == target) {
            if !known.contains(&a.item.as_str()) {
                return Err(crate::input_err(
                    "specs/fixes/aliases.toml",
                    format!("alias `{}`: no generated item `{}`", a.name, a.item),
                ));
            }
        }
        Ok(())
    }
}

/// Whether rustdoc accepts `s` as `#[doc(alias)]`: not empty, no quote, no
/// whitespace other than inner spaces.
pub fn valid_alias(s: &str) -> bool {
    !s.is_empty()
        && s.trim() == s
        && !s
            .chars()
            .any(|c| c == '"' || c == '\'' || (c.is_whitespace() && c != ' '))
}
