//! The manifest: what one Asterisk release offers over AMI, AGI and ARI, as facts only.
//!
//! One manifest per release tag lives in `specs/api/<tag>.json`. It is written by
//! `asterisk-codegen manifest` from the raw upstream specs and read by every other
//! command. It holds names, wire names, parameters, fields, requiredness, enum
//! values, defaults, `since` versions, privileges, list shapes, HTTP methods and
//! paths, parameter locations, response types and error codes. It never holds
//! Asterisk's descriptive sentences.
//!
//! Serialization is deterministic: every collection is either kept in source order
//! (parameters, fields: order matters on the wire) or sorted by name, and empty or
//! default values are skipped so that a new release reads well as a diff.

use serde::{Deserialize, Serialize};

/// Everything one Asterisk release documents, plus the supplement's facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The release tag, e.g. `23.4.1`.
    pub tag: String,
    /// The Asterisk Manager Interface.
    pub ami: Ami,
    /// The Asterisk Gateway Interface.
    pub agi: Agi,
    /// The Asterisk REST Interface.
    pub ari: Ari,
}

/// AMI actions and events of one release.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Ami {
    /// Every action, sorted by name.
    pub actions: Vec<AmiAction>,
    /// Every event, sorted by name: the documented ones and the supplement's
    /// undocumented ones.
    pub events: Vec<AmiEvent>,
    /// Headers Asterisk adds to every broadcast event (supplement), e.g. `Privilege`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub broadcast_headers: Vec<String>,
    /// Undocumented headers every channel snapshot block may carry (supplement),
    /// without prefix, e.g. `Tenantid`, `ChanVariable`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channel_snapshot_extra_headers: Vec<String>,
}

/// One AMI action (`/docs/manager`), duplicate definitions merged.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AmiAction {
    /// The action name as sent in `Action:`.
    pub name: String,
    /// Modules that provide it (several when the same action is defined more than once).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modules: Vec<String>,
    /// `<since><version>` values, in document order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub since: Vec<String>,
    /// Privilege classes needed to run it (`[]` = any logged-in user); `None` when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privileges: Option<Vec<String>>,
    /// Parameters in document order (resolved `xi:include`s), `ActionID` included.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<AmiParam>,
    /// When the action answers with an event list: which events make it up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<AmiList>,
}

/// One parameter (header) of an AMI action or AGI command.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AmiParam {
    /// Header name as documented.
    pub name: String,
    /// Whether the documentation marks it required.
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// Documented default value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Values of its `<enumlist>`, in document order.
    #[serde(default, rename = "enum", skip_serializing_if = "Vec::is_empty")]
    pub enum_values: Vec<String>,
    /// Whether the header may repeat (`multiple="true"` or documented as repeatable).
    #[serde(default, skip_serializing_if = "is_false")]
    pub multiple: bool,
}

/// The shape of an action's event-list response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AmiList {
    /// Item events, in emit order.
    pub items: Vec<String>,
    /// The completion event (`None` when the list has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complete: Option<String>,
    /// The acknowledgement form, e.g. `EventList: start`, or `other: …` facts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack: Option<String>,
    /// Where the shape comes from: `xml` (`<responses>`) or `supplement`.
    pub source: String,
}

/// One AMI event name, all definitions and instances merged.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AmiEvent {
    /// The name as documented (or as emitted, for undocumented events).
    pub name: String,
    /// The name on the wire when it differs from the documented one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wire_name: Option<String>,
    /// Where the definition comes from: `top` (`/docs/managerEvent`), `inline`
    /// (only inside an action's `<responses>`) or `supplement` (undocumented).
    pub origin: String,
    /// For supplement events: `broadcast`, `list-item` or `list-complete`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Modules that define it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modules: Vec<String>,
    /// Event classes, lower-case without `EVENT_FLAG_` (e.g. `call`), sorted, deduplicated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<String>,
    /// `<since><version>` values over all instances, deduplicated, in first-seen order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub since: Vec<String>,
    /// Snapshot blocks the event carries, in document order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub snapshots: Vec<Snapshot>,
    /// Documented fields other than snapshot blocks, union over instances, first-seen order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<AmiParam>,
    /// Snapshot blocks sent on the wire but not documented (supplement).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_snapshots: Vec<Snapshot>,
    /// Headers sent on the wire but not documented (supplement), in emit order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_headers: Vec<String>,
    /// Documented field names whose wire spelling differs: (documented, wire).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wire_fixes: Vec<WireFix>,
}

/// A documented header name and its real spelling on the wire.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct WireFix {
    /// The name the documentation uses.
    pub documented: String,
    /// The name Asterisk sends.
    pub wire: String,
}

/// A `<channel_snapshot/>` or `<bridge_snapshot/>` block.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Snapshot {
    /// `channel` or `bridge`.
    pub kind: String,
    /// Header prefix (empty for the event's own channel or bridge).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub prefix: String,
}

/// The fields a channel snapshot expands to (Asterisk's `appdocsxml.xslt`).
pub const CHANNEL_SNAPSHOT_FIELDS: [&str; 14] = [
    "Channel",
    "ChannelState",
    "ChannelStateDesc",
    "CallerIDNum",
    "CallerIDName",
    "ConnectedLineNum",
    "ConnectedLineName",
    "Language",
    "AccountCode",
    "Context",
    "Exten",
    "Priority",
    "Uniqueid",
    "Linkedid",
];

/// The fields a bridge snapshot expands to (Asterisk's `appdocsxml.xslt`).
pub const BRIDGE_SNAPSHOT_FIELDS: [&str; 8] = [
    "BridgeUniqueid",
    "BridgeType",
    "BridgeTechnology",
    "BridgeCreator",
    "BridgeName",
    "BridgeNumChannels",
    "BridgeVideoSourceMode",
    "BridgeVideoSource",
];

impl Snapshot {
    /// The documented header names this block expands to, prefix applied.
    pub fn expanded_fields(&self) -> Vec<String> {
        let names: &[&str] = if self.kind == "bridge" {
            &BRIDGE_SNAPSHOT_FIELDS
        } else {
            &CHANNEL_SNAPSHOT_FIELDS
        };
        names
            .iter()
            .map(|f| format!("{}{}", self.prefix, f))
            .collect()
    }
}

impl AmiEvent {
    /// Documented field names with snapshot blocks expanded, first-seen order, no repeats.
    pub fn expanded_field_names(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in &self.snapshots {
            for f in s.expanded_fields() {
                if !out.contains(&f) {
                    out.push(f);
                }
            }
        }
        for f in &self.fields {
            if !out.contains(&f.name) {
                out.push(f.name.clone());
            }
        }
        out
    }

    /// Whether the event is documented in the XML (top level or inline).
    pub fn documented(&self) -> bool {
        self.origin != "supplement"
    }

    /// The event name as it appears in `Event:` on the wire.
    pub fn wire(&self) -> &str {
        self.wire_name.as_deref().unwrap_or(&self.name)
    }
}

/// AGI commands of one release.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Agi {
    /// Every command, sorted by name.
    pub commands: Vec<AgiCommand>,
}

/// One AGI command (`/docs/agi`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AgiCommand {
    /// Command name, lower case with spaces, e.g. `stream file`.
    pub name: String,
    /// `<since><version>` values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub since: Vec<String>,
    /// Positional parameters in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<AmiParam>,
    /// Whether the command may run on a dead (hung-up) channel; `None` when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_safe: Option<bool>,
}

/// ARI resources, operations and models of one release.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Ari {
    /// `apiVersion` of `resources.json`.
    pub api_version: String,
    /// Resource files in `resources.json` order: name (file stem) and listing path.
    pub resources: Vec<AriResource>,
    /// Every operation, sorted by path then method.
    pub operations: Vec<AriOperation>,
    /// Every model, sorted by name.
    pub models: Vec<AriModel>,
}

/// One ARI resource file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AriResource {
    /// File stem, e.g. `channels`.
    pub name: String,
    /// `swaggerVersion` of the file.
    pub swagger_version: String,
}

/// One ARI operation (HTTP method + path).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AriOperation {
    /// Resource file stem it is declared in.
    pub resource: String,
    /// Swagger `nickname`, e.g. `originate`.
    pub nickname: String,
    /// HTTP method, upper case.
    pub method: String,
    /// Path template, e.g. `/channels/{channelId}/play`.
    pub path: String,
    /// `since` versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub since: Vec<String>,
    /// Parameters in document order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<AriParam>,
    /// `responseClass`: `void`, a model, `List[Model]`, `binary`, …
    pub response: String,
    /// Documented error status codes, ascending.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<u16>,
    /// WebSocket sub-protocol when the operation upgrades to a WebSocket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub websocket_protocol: Option<String>,
}

/// One parameter of an ARI operation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AriParam {
    /// Parameter name.
    pub name: String,
    /// `query`, `path`, `body` or `header`.
    pub location: String,
    /// Whether it is required (a missing `required` key means false).
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// Swagger `dataType`.
    #[serde(rename = "type")]
    pub data_type: String,
    /// Whether it takes several values (comma-separated on the wire).
    #[serde(default, skip_serializing_if = "is_false")]
    pub multiple: bool,
    /// `defaultValue`, as JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<serde_json::Value>,
    /// `allowableValues`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Allowed>,
}

/// Swagger `allowableValues`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Allowed {
    /// `valueType: LIST`.
    List {
        /// The allowed values.
        values: Vec<String>,
    },
    /// `valueType: RANGE`.
    Range {
        /// Lower bound, when given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<serde_json::Value>,
        /// Upper bound, when given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<serde_json::Value>,
    },
}

/// One ARI model.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AriModel {
    /// Model id.
    pub name: String,
    /// Resource file stem it is declared in.
    pub resource: String,
    /// `discriminator` property, when the model has subtypes selected by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discriminator: Option<String>,
    /// Direct `subTypes`, in document order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subtypes: Vec<String>,
    /// Own properties (inherited ones are not repeated), in document order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<AriProperty>,
}

/// One property of an ARI model.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AriProperty {
    /// JSON key.
    pub name: String,
    /// Swagger type: `string`, `int`, `long`, `double`, `boolean`, `Date`, `object`,
    /// `containers`, `List[…]` or a model name.
    #[serde(rename = "type")]
    pub data_type: String,
    /// Whether it is required (a missing `required` key means false).
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// `allowableValues`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Allowed>,
}

impl Ari {
    /// Direct and indirect subtypes of `root`, depth first in document order.
    pub fn descendants(&self, root: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![root.to_string()];
        while let Some(name) = stack.pop() {
            if let Some(m) = self.models.iter().find(|m| m.name == name) {
                for s in m.subtypes.iter().rev() {
                    stack.push(s.clone());
                }
            }
            if name != root {
                out.push(name);
            }
        }
        out
    }

    /// The model named `name`.
    pub fn model(&self, name: &str) -> Option<&AriModel> {
        self.models.iter().find(|m| m.name == name)
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Manifest {
    /// Pretty JSON with a trailing newline: the committed form.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("manifest serializes");
        s.push('\n');
        s
    }

    /// Parse the committed form.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// The warning for a release folder without `supplement.json` (`None` when it has
/// one): what its manifest will lack, and how to make the file.
pub fn supplement_warning(release_dir: &std::path::Path) -> Option<String> {
    if release_dir.join("supplement.json").exists() {
        return None;
    }
    let tag = release_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Some(format!(
        "warning: {} (release {tag}) has no supplement.json, so its manifest lacks what only \
         the C sources tell: undocumented events (broadcast, list items and list completions), \
         list-action shapes (item and completion events, ack), action privileges, extra headers \
         of documented events, wire-name fixes and the AGI dead-safe flags. Diffs against \
         releases that have them will show these as removals. Create it with \
         `asterisk-codegen extract --asterisk-src <tree> --tag {tag} --out <upstream>`.",
        release_dir.display()
    ))
}
