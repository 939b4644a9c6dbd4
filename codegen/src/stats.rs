//! `stats`: counts of one release's manifest, as NOTES.md §3 counts them.

use crate::manifest::Manifest;
use serde::Serialize;

/// The census of one release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Distinct AMI action names.
    pub ami_actions: usize,
    /// Distinct documented AMI event names (top level plus inline-only).
    pub ami_events: usize,
    /// Events known only from the supplement (undocumented; a documented event
    /// whose wire name differs, like `Newexten`, is not counted again).
    pub ami_events_undocumented: usize,
    /// AGI commands.
    pub agi_commands: usize,
    /// ARI operations (HTTP method + path, the events WebSocket included).
    pub ari_operations: usize,
    /// ARI models over all resource files.
    pub ari_models: usize,
    /// ARI event models (`Event.subTypes`).
    pub ari_events: usize,
}

/// Count a manifest.
pub fn stats(m: &Manifest) -> Stats {
    Stats {
        ami_actions: m.ami.actions.len(),
        ami_events: m.ami.events.iter().filter(|e| e.documented()).count(),
        ami_events_undocumented: m.ami.events.iter().filter(|e| !e.documented()).count(),
        agi_commands: m.agi.commands.len(),
        ari_operations: m.ari.operations.len(),
        ari_models: m.ari.models.len(),
        ari_events: m.ari.model("Event").map(|e| e.subtypes.len()).unwrap_or(0),
    }
}

impl Stats {
    /// One-line JSON, keys in the documented order.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Human-readable lines.
    pub fn to_text(&self, tag: &str) -> String {
        format!(
            "Asterisk {tag}\n  AMI actions               {}\n  AMI events (documented)   {}\n  AMI events (undocumented) {}\n  AGI commands              {}\n  ARI operations            {}\n  ARI models                {}\n  ARI events                {}\n",
            self.ami_actions,
            self.ami_events,
            self.ami_events_undocumented,
            self.agi_commands,
            self.ari_operations,
            self.ari_models,
            self.ari_events
        )
    }
}
