//! Corrections where Asterisk's docs are wrong (`specs/fixes/corrections.toml`),
//! and their application to the manifests before code is generated.

use crate::Result;
use crate::manifest::{AmiEvent, Manifest, WireFix};
use serde::Deserialize;
use std::path::Path;

/// Every correction, by kind.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Corrections {
    /// Event names sent differently from the docs.
    #[serde(default)]
    pub event_wire_name: Vec<EventWireName>,
    /// Event headers sent differently from the docs.
    #[serde(default)]
    pub event_header_wire_name: Vec<EventHeaderWireName>,
    /// Event classes the docs get wrong.
    #[serde(default)]
    pub event_class: Vec<EventClass>,
    /// ARI property types.
    #[serde(default)]
    pub ari_property_type: Vec<AriPropertyType>,
}

/// An event whose `Event:` name on the wire differs from the documented one.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventWireName {
    /// Fix name.
    pub name: String,
    /// One-line reason.
    pub reason: String,
    /// Documented event name.
    pub event: String,
    /// Name on the wire.
    pub wire: String,
}

/// A documented event header whose wire spelling differs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventHeaderWireName {
    /// Fix name.
    pub name: String,
    /// One-line reason.
    pub reason: String,
    /// Event name.
    pub event: String,
    /// Documented header name.
    pub documented: String,
    /// Header name on the wire.
    pub wire: String,
}

/// Events documented with a class that is not the one they are sent with.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventClass {
    /// Fix name.
    pub name: String,
    /// One-line reason.
    pub reason: String,
    /// Event names.
    pub events: Vec<String>,
    /// Documented class.
    pub documented: String,
    /// Real class.
    pub actual: String,
}

/// An ARI model property that needs another Rust type than its Swagger type gives.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AriPropertyType {
    /// Fix name.
    pub name: String,
    /// One-line reason.
    pub reason: String,
    /// Model name.
    pub model: String,
    /// Property names.
    pub properties: Vec<String>,
    /// Rust type to use (a primitive like `u32`).
    pub rust_type: String,
}

/// The error for a correction that applies to nothing in any release.
fn unapplied(name: &str, what: String) -> crate::Error {
    crate::input_err(
        "specs/fixes/corrections.toml",
        format!("fix `{name}` applies to nothing: {what} in any release"),
    )
}

impl Corrections {
    /// Load `corrections.toml`.
    pub fn load(path: &Path) -> Result<Self> {
        super::load_toml(path)
    }

    /// Check that every AMI correction applies to some release, then apply them
    /// to every manifest.
    pub fn apply_all(&self, manifests: &mut [Manifest]) -> Result<()> {
        self.check(manifests)?;
        for m in manifests.iter_mut() {
            self.apply(m);
        }
        Ok(())
    }

    /// Every AMI correction names an event (and header or class) of some
    /// release: one that applies to nothing is an error naming it. (ARI
    /// property types are checked by [`crate::model::ari`].)
    pub fn check(&self, manifests: &[Manifest]) -> Result<()> {
        let events: Vec<&AmiEvent> = manifests.iter().flat_map(|m| &m.ami.events).collect();
        let event = |name: &str| -> Vec<&AmiEvent> {
            events.iter().copied().filter(|e| e.name == name).collect()
        };
        for fix in &self.event_wire_name {
            if event(&fix.event).is_empty() {
                return Err(unapplied(&fix.name, format!("no event `{}`", fix.event)));
            }
        }
        for fix in &self.event_header_wire_name {
            if !event(&fix.event)
                .iter()
                .any(|e| e.fields.iter().any(|f| f.name == fix.documented))
            {
                return Err(unapplied(
                    &fix.name,
                    format!("no event `{}` with header `{}`", fix.event, fix.documented),
                ));
            }
        }
        for fix in &self.event_class {
            for name in &fix.events {
                if !event(name)
                    .iter()
                    .any(|e| e.classes.contains(&fix.documented))
                {
                    return Err(unapplied(
                        &fix.name,
                        format!("no event `{name}` of class `{}`", fix.documented),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Apply the name and class corrections to one manifest.
    pub fn apply(&self, m: &mut Manifest) {
        for fix in &self.event_wire_name {
            if let Some(e) = m.ami.events.iter_mut().find(|e| e.name == fix.event) {
                e.wire_name = Some(fix.wire.clone());
            }
            // A supplement may also list the wire name as an undocumented event.
            m.ami
                .events
                .retain(|e| !(e.origin == "supplement" && e.name == fix.wire));
        }
        for fix in &self.event_header_wire_name {
            if let Some(e) = m.ami.events.iter_mut().find(|e| e.name == fix.event) {
                let wf = WireFix {
                    documented: fix.documented.clone(),
                    wire: fix.wire.clone(),
                };
                if !e.wire_fixes.contains(&wf) {
                    e.wire_fixes.push(wf);
                    e.wire_fixes.sort();
                }
            }
        }
        for fix in &self.event_class {
            for e in m
                .ami
                .events
                .iter_mut()
                .filter(|e| fix.events.contains(&e.name))
            {
                for c in e.classes.iter_mut() {
                    if *c == fix.documented {
                        c.clone_from(&fix.actual);
                    }
                }
                e.classes.sort();
                e.classes.dedup();
            }
        }
    }

    /// The Rust type override for an ARI property, if any.
    pub fn ari_property_type(&self, model: &str, property: &str) -> Option<&str> {
        self.ari_property_type
            .iter()
            .find(|f| f.model == model && f.properties.iter().any(|p| p == property))
            .map(|f| f.rust_type.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_wire_names_and_classes() {
        let c: Corrections = toml::from_str(
            r#"
            [[event_wire_name]]
            name = "n"
            reason = "r"
            event = "NewExten"
            wire = "Newexten"
            [[event_class]]
            name = "c"
            reason = "r"
            events = ["ChannelTalkingStart"]
            documented = "class"
            actual = "call"
            "#,
        )
        .unwrap();
        let mut m: Manifest = serde_json::from_str(
            r#"{"tag":"1.0.0","ami":{"actions":[],"events":[]},"agi":{"commands":[]},
                "ari":{"api_version":"","resources":[],"operations":[],"models":[]}}"#,
        )
        .unwrap();
        m.ami.events.push(AmiEvent {
            name: "NewExten".into(),
            origin: "top".into(),
            ..Default::default()
        });
        m.ami.events.push(AmiEvent {
            name: "Newexten".into(),
            origin: "supplement".into(),
            ..Default::default()
        });
        m.ami.events.push(AmiEvent {
            name: "ChannelTalkingStart".into(),
            origin: "top".into(),
            classes: vec!["class".into()],
            ..Default::default()
        });
        c.apply(&mut m);
        assert_eq!(m.ami.events.len(), 2);
        assert_eq!(m.ami.events[0].wire(), "Newexten");
        assert_eq!(m.ami.events[1].classes, ["call"]);
    }
}
