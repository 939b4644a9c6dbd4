//! Units of AMI headers (`specs/fixes/units.toml`), where Asterisk's documentation
//! states them in prose ("in milliseconds"); shown in the generated docs.

use crate::Result;
use serde::Deserialize;
use std::path::Path;

/// Every unit fix.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Units {
    /// Entries, in file order.
    #[serde(default)]
    pub unit: Vec<Unit>,
}

/// Where a unit applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnitScope {
    /// An AMI action parameter.
    Action,
    /// An AMI event header.
    Event,
}

/// The unit of one header of one action or event.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    /// Fix name.
    pub name: String,
    /// One-line reason (where the documentation says so).
    pub reason: String,
    /// Action parameter or event header.
    pub scope: UnitScope,
    /// The action or event name.
    pub item: String,
    /// The header (parameter) name as documented.
    pub header: String,
    /// The unit in words, e.g. `milliseconds`.
    pub unit: String,
}

impl Units {
    /// Load `units.toml`.
    pub fn load(path: &Path) -> Result<Self> {
        let u: Units = super::load_toml(path)?;
        if let Some(e) = u
            .unit
            .iter()
            .find(|e| e.reason.trim().is_empty() || e.unit.trim().is_empty())
        {
            return Err(crate::input_err(
                path.display(),
                format!("unit `{}` needs a unit and a reason", e.name),
            ));
        }
        Ok(u)
    }

    /// The unit of `header` of `item`, if listed.
    pub fn of(&self, scope: UnitScope, item: &str, header: &str) -> Option<&str> {
        self.unit
            .iter()
            .find(|u| u.scope == scope && u.item == item && u.header == header)
            .map(|u| u.unit.as_str())
    }
}
