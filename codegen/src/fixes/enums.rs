//! Domain enums (`specs/fixes/enums.toml`): HangupCause, ChannelState, … with wire values.

use crate::Result;
use serde::Deserialize;
use std::path::Path;

/// The domain enums, in file order.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumFixes {
    /// Every enum.
    #[serde(default, rename = "enum")]
    pub enums: Vec<DomainEnum>,
    /// Names for shared AMI enums that the naming rule makes too vague.
    #[serde(default, rename = "shared_name")]
    pub shared_names: Vec<SharedName>,
}

/// A replacement for the name the shared-name rule of `model::ami_enums` gives a
/// type shared by several AMI headers, when that name says too little.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedName {
    /// The fix's name.
    pub name: String,
    /// Why the rule's name says too little (one line).
    pub reason: String,
    /// The name the rule gives.
    pub rule: String,
    /// The `[event, header]` pairs sharing the type, in event order.
    pub headers: Vec<[String; 2]>,
    /// The type name used instead.
    pub type_name: String,
}

/// One domain enum.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainEnum {
    /// Rust type name.
    pub name: String,
    /// Why it exists and where its values come from (one line).
    pub reason: String,
    /// Wire representation.
    pub repr: Repr,
    /// Known values.
    pub values: Vec<EnumValue>,
}

/// How a domain enum's value is written on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Repr {
    /// A decimal integer (`16`).
    Int,
    /// Text (`NOT_INUSE`).
    String,
}

/// One known value of a domain enum.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumValue {
    /// Exactly as sent on the wire.
    pub wire: String,
    /// Rust variant name.
    pub variant: String,
    /// Another form Asterisk also sends for the same value (the text of
    /// `ChannelStateDesc`; the number app_queue sends for a device state).
    #[serde(default)]
    pub label: Option<String>,
}

impl EnumFixes {
    /// Load `enums.toml` and check it: unique names, unique wire values and
    /// variants, integer wire values for `int` enums (the open-enum emitter refuses a
    /// variant named like the catch-all).
    pub fn load(path: &Path) -> Result<Self> {
        let fixes: EnumFixes = super::load_toml(path)?;
        fixes
            .validate()
            .map_err(|m| crate::input_err(path.display(), m))?;
        Ok(fixes)
    }

    fn validate(&self) -> std::result::Result<(), String> {
        let mut names = std::collections::BTreeSet::new();
        for e in &self.enums {
            if !names.insert(&e.name) {
                return Err(format!("enum {} defined twice", e.name));
            }
            if e.reason.trim().is_empty() {
                return Err(format!("enum {} has no reason", e.name));
            }
            let mut wires = std::collections::BTreeSet::new();
            let mut variants = std::collections::BTreeSet::new();
            for v in &e.values {
                if !wires.insert(&v.wire) {
                    return Err(format!("{}: wire value {:?} twice", e.name, v.wire));
                }
                if !variants.insert(&v.variant) {
                    return Err(format!("{}: variant {} repeated", e.name, v.variant));
                }
                if e.repr == Repr::Int && v.wire.parse::<i64>().is_err() {
                    return Err(format!("{}: {:?} is not an integer", e.name, v.wire));
                }
            }
        }
        Ok(())
    }

    /// The enum named `name`.
    pub fn get(&self, name: &str) -> Option<&DomainEnum> {
        self.enums.iter().find(|e| e.name == name)
    }
}
