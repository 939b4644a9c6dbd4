//! The AMI union model: actions and events of every release merged, with each
//! header's Rust name and type resolved (from `ami_types.toml`).

use super::ami_enums::EnumModel;
use crate::Result;
use crate::fixes::Fixes;
use crate::fixes::aliases::AliasTarget;
use crate::fixes::ami_responses::{Repeat, ResponseFixes};
use crate::fixes::ami_types::{AmiTypeFixes, HeaderType, Scope};
use crate::fixes::answer_times::AnswerTime;
use crate::fixes::units::UnitScope;
use crate::manifest::{
    AmiAction, AmiEvent, AmiList, BRIDGE_SNAPSHOT_FIELDS, CHANNEL_SNAPSHOT_FIELDS, Snapshot,
};
use crate::names;
use crate::surface::{Releases, Tagged, union_by, union_ordered};
use std::collections::BTreeSet;

/// Everything the AMI emitter writes, resolved.
#[derive(Debug, Clone)]
pub struct Model {
    /// Release tags, oldest first.
    pub tags: Vec<String>,
    /// Actions sorted by name.
    pub actions: Vec<ActionModel>,
    /// Events sorted by name.
    pub events: Vec<EventModel>,
    /// Headers of every broadcast event (`Privilege`, `Timestamp`, …).
    pub broadcast: Vec<String>,
    /// The broadcast headers with their types (matched as the event `Broadcast`).
    pub broadcast_fields: Vec<FieldModel>,
    /// Undocumented per-snapshot headers (`Tenantid`, `ChanVariable`).
    pub snapshot_extra: Vec<String>,
    /// The channel snapshot block's headers (without prefix) and types.
    pub channel_fields: Vec<FieldModel>,
    /// The bridge snapshot block's headers and types.
    pub bridge_fields: Vec<FieldModel>,
    /// The open enums of enum-list headers (set by [`Model::resolve_enums`]).
    pub enums: Vec<EnumModel>,
}

/// One action.
#[derive(Debug, Clone)]
pub struct ActionModel {
    /// Wire name.
    pub name: String,
    /// Rust type name.
    pub ty: String,
    /// Releases that have it.
    pub releases: Vec<String>,
    /// Modules over all releases.
    pub modules: Vec<String>,
    /// `since` versions over all releases.
    pub since: Vec<String>,
    /// Privileges (newest release that knows them).
    pub privileges: Option<Vec<String>>,
    /// Parameters (without `ActionID`), newest order first.
    pub params: Vec<ParamModel>,
    /// All documented parameter names, `ActionID` included (for the catalog).
    pub all_params: Vec<String>,
    /// List shape (newest release that has one).
    pub list: Option<AmiList>,
    /// Entry type and adder method names of its numbered family (from the fixes).
    pub family: Option<(String, String)>,
    /// Extra search aliases (from the fixes).
    pub aliases: Vec<String>,
    /// How long it may take to answer (from the fixes).
    pub answer_time: Option<AnswerTime>,
    /// Its typed success response (from `ami_responses.toml`).
    pub response: Option<ResponseModel>,
    /// Fix name and reason when its list items arrive without `ActionID`.
    pub unkeyed_items: Option<(String, String)>,
    /// Fix name and reason when Asterisk answers it without any `Response:`.
    pub no_response: Option<(String, String)>,
}

/// The typed success response of one action.
#[derive(Debug, Clone)]
pub struct ResponseModel {
    /// Rust type name (`GetvarResponse`).
    pub ty: String,
    /// The fix's name.
    pub fix: String,
    /// The fix's reason (the C handler).
    pub reason: String,
    /// Its headers, in the order the handler writes them.
    pub fields: Vec<ResponseFieldModel>,
}

/// One header (or header family) of a typed response.
#[derive(Debug, Clone)]
pub struct ResponseFieldModel {
    /// Header name (a prefix ending in `-` for [`Repeat::Prefix`], `*` for [`Repeat::Rest`]).
    pub header: String,
    /// Rust field name.
    pub ident: String,
    /// Type of one value.
    pub ty: HeaderType,
    /// How many headers it takes.
    pub repeat: Repeat,
    /// A plausible value (for the mock).
    pub example: String,
}

/// How a parameter is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamKind {
    /// One header, set once.
    Plain,
    /// Repeated `name=value` header.
    Pairs,
    /// Member of a numbered family: stem and whether the index is `(N)` (else `-NNNNNN`).
    Family {
        /// Header name without the index.
        stem: String,
        /// `UnitAmount(0)` style.
        parens: bool,
    },
}

/// One action parameter.
#[derive(Debug, Clone)]
pub struct ParamModel {
    /// Documented header name.
    pub name: String,
    /// Rust method name.
    pub ident: String,
    /// Required by the documentation (newest release).
    pub required: bool,
    /// Documented default.
    pub default: Option<String>,
    /// Documented enum values.
    pub enum_values: Vec<String>,
    /// Repeatable.
    pub multiple: bool,
    /// Type (text, bool or a number).
    pub ty: HeaderType,
    /// Releases that have it, when not all of the action's.
    pub releases: Option<Vec<String>>,
    /// How it is set.
    pub kind: ParamKind,
    /// Unit of the value (from the fixes).
    pub unit: Option<String>,
}

/// One event.
#[derive(Debug, Clone)]
pub struct EventModel {
    /// Documented name.
    pub name: String,
    /// Wire name.
    pub wire: String,
    /// Rust type name.
    pub ty: String,
    /// Releases that have it.
    pub releases: Vec<String>,
    /// Where it is documented.
    pub origin: EventOrigin,
    /// What an undocumented event is for (from the supplement).
    pub kind: Option<EventRole>,
    /// Event classes.
    pub classes: Vec<String>,
    /// `since` versions.
    pub since: Vec<String>,
    /// Modules.
    pub modules: Vec<String>,
    /// Snapshot blocks.
    pub snapshots: Vec<SnapModel>,
    /// Own headers (not in a snapshot block).
    pub fields: Vec<FieldModel>,
    /// Extra search aliases (from the fixes).
    pub aliases: Vec<String>,
}

/// Where an event's definition comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventOrigin {
    /// Its own page of the documentation (`/docs/managerEvent`).
    Documented,
    /// Only inside an action's `<responses>`.
    Inline,
    /// Not documented: known from the C sources (the supplement).
    Undocumented,
}

impl EventOrigin {
    fn of(origin: &str) -> EventOrigin {
        match origin {
            "top" => EventOrigin::Documented,
            "inline" => EventOrigin::Inline,
            _ => EventOrigin::Undocumented,
        }
    }
}

/// What an undocumented event is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventRole {
    /// Sent to every session with the right class.
    Broadcast,
    /// One item of an action's list answer.
    ListItem,
    /// The end of an action's list answer.
    ListComplete,
}

impl EventRole {
    fn of(kind: &str) -> Option<EventRole> {
        match kind {
            "broadcast" => Some(EventRole::Broadcast),
            "list-item" => Some(EventRole::ListItem),
            "list-complete" => Some(EventRole::ListComplete),
            _ => None,
        }
    }

    /// The supplement's spelling (`list-item`).
    pub fn as_str(self) -> &'static str {
        match self {
            EventRole::Broadcast => "broadcast",
            EventRole::ListItem => "list-item",
            EventRole::ListComplete => "list-complete",
        }
    }
}

/// The kind of a snapshot block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotKind {
    /// A channel snapshot (`ChannelSnapshot`).
    Channel,
    /// A bridge snapshot (`BridgeSnapshot`).
    Bridge,
}

impl SnapshotKind {
    fn of(kind: &str) -> SnapshotKind {
        if kind == "bridge" {
            SnapshotKind::Bridge
        } else {
            SnapshotKind::Channel
        }
    }

    /// `channel` or `bridge`.
    pub fn as_str(self) -> &'static str {
        match self {
            SnapshotKind::Channel => "channel",
            SnapshotKind::Bridge => "bridge",
        }
    }
}

/// One snapshot block of an event.
#[derive(Debug, Clone)]
pub struct SnapModel {
    /// Channel or bridge.
    pub kind: SnapshotKind,
    /// Header prefix.
    pub prefix: String,
    /// Rust field name.
    pub ident: String,
    /// Whether the XML documents it (else the supplement).
    pub documented: bool,
}

/// One typed header.
#[derive(Debug, Clone)]
pub struct FieldModel {
    /// Header name on the wire.
    pub header: String,
    /// Name in the documentation, when it differs from the wire spelling.
    pub documented_as: Option<String>,
    /// Rust field name.
    pub ident: String,
    /// Type.
    pub ty: HeaderType,
    /// Rust name of the generated open enum, for [`HeaderType::Enum`] (set by
    /// [`Model::resolve_enums`]).
    pub enum_type: Option<String>,
    /// Enum values of the documentation.
    pub enum_values: Vec<String>,
    /// Releases that have it, when not all of the event's.
    pub releases: Option<Vec<String>>,
    /// Only known from the supplement (sent but not documented).
    pub undocumented: bool,
    /// Unit of the value (from the fixes).
    pub unit: Option<String>,
}

impl FieldModel {
    /// The header name as documented.
    pub fn documented_name(&self) -> &str {
        self.documented_as.as_deref().unwrap_or(&self.header)
    }
}

fn releases_of<T>(t: &Tagged<T>) -> Vec<String> {
    t.releases().into_iter().map(String::from).collect()
}

fn merge_strings(into: &mut Vec<String>, from: &[String]) {
    for s in from {
        if !into.contains(s) {
            into.push(s.clone());
        }
    }
}

/// Split `Action-000000` / `UnitAmount(0)` into the stem and the index style.
fn family_stem(name: &str) -> Option<(String, bool)> {
    if let Some(stem) = name.strip_suffix("-000000") {
        return Some((stem.to_string(), false));
    }
    name.strip_suffix("(0)")
        .map(|stem| (stem.to_string(), true))
}

/// Methods every generated action has; parameter setters must not take them.
const ACTION_RESERVED: [&str; 5] = ["new", "header", "variables", "headers", "action_id"];

fn action_model(t: &Tagged<AmiAction>, fixes: &AmiTypeFixes) -> ActionModel {
    let a = &t.item;
    let mut modules = Vec::new();
    let mut since = Vec::new();
    for (_, v) in &t.versions {
        merge_strings(&mut modules, &v.modules);
        merge_strings(&mut since, &v.since);
    }
    let privileges = t
        .versions
        .iter()
        .rev()
        .find_map(|(_, v)| v.privileges.clone());
    let list = t.versions.iter().rev().find_map(|(_, v)| v.list.clone());
    let lists: Vec<(&str, &[_])> = t
        .versions
        .iter()
        .map(|(tag, v)| (tag.as_str(), &v.params[..]))
        .collect();
    let merged = union_ordered(&lists, |p| p.name.clone());
    let all_params: Vec<String> = merged.iter().map(|p| p.item.name.clone()).collect();
    let pairs = fixes.pairs_header(&a.name);
    let mut params = Vec::new();
    let mut idents: Vec<String> = ACTION_RESERVED.iter().map(|s| s.to_string()).collect();
    for p in merged {
        if p.item.name.eq_ignore_ascii_case("ActionID") {
            continue;
        }
        let kind = if pairs == Some(p.item.name.as_str()) {
            ParamKind::Pairs
        } else if let Some((stem, parens)) = family_stem(&p.item.name) {
            ParamKind::Family { stem, parens }
        } else {
            ParamKind::Plain
        };
        let base = match &kind {
            ParamKind::Pairs => "variable".to_string(),
            ParamKind::Family { stem, .. } => names::field_name(stem),
            ParamKind::Plain => names::field_name(&p.item.name),
        };
        let ident = if matches!(kind, ParamKind::Family { .. }) {
            base
        } else {
            unique(&mut idents, base)
        };
        let rel = releases_of(&p);
        params.push(ParamModel {
            name: p.item.name.clone(),
            ident,
            required: p.item.required && kind == ParamKind::Plain,
            default: p.item.default.clone(),
            enum_values: p.item.enum_values.clone(),
            multiple: p.item.multiple,
            ty: if kind == ParamKind::Plain {
                fixes.action_param(&a.name, &p.item.name)
            } else {
                HeaderType::Text
            },
            releases: (rel.len() != t.versions.len()).then_some(rel),
            kind,
            unit: None,
        });
    }
    ActionModel {
        name: a.name.clone(),
        ty: names::type_name(&a.name),
        releases: releases_of(t),
        modules,
        since,
        privileges,
        params,
        all_params,
        list,
        family: fixes
            .family(&a.name)
            .map(|f| (f.ty.clone(), f.method.clone())),
        aliases: Vec::new(),
        answer_time: None,
        response: None,
        unkeyed_items: None,
        no_response: None,
    }
}

/// Fields of `Response` itself, which a typed response reaches through `Deref`:
/// typed field names must not shadow them.
const RESPONSE_RESERVED: [&str; 5] = ["status", "message", "output", "raw", "response"];

/// The typed responses and answer quirks of `ami_responses.toml`; an entry that
/// names no action is an error.
fn apply_responses(actions: &mut [ActionModel], fixes: &ResponseFixes) -> Result<()> {
    for (name, action) in fixes.targets() {
        if !actions.iter().any(|a| a.name == action) {
            return Err(crate::input_err(
                "specs/fixes/ami_responses.toml",
                format!("`{name}`: no action `{action}` in any release"),
            ));
        }
    }
    for q in &fixes.unkeyed_items {
        if actions
            .iter()
            .any(|a| a.name == q.action && a.list.is_none())
        {
            return Err(crate::input_err(
                "specs/fixes/ami_responses.toml",
                format!("`{}`: `{}` is not a list action", q.name, q.action),
            ));
        }
    }
    for a in actions.iter_mut() {
        a.unkeyed_items = fixes
            .unkeyed_items_of(&a.name)
            .map(|q| (q.name.clone(), q.reason.clone()));
        a.no_response = fixes
            .no_response_of(&a.name)
            .map(|q| (q.name.clone(), q.reason.clone()));
        let Some(r) = fixes.of(&a.name) else {
            continue;
        };
        let mut idents: Vec<String> = RESPONSE_RESERVED.iter().map(|s| s.to_string()).collect();
        let mut fields = Vec::new();
        for f in &r.fields {
            // The `*` of a "rest" field names nothing: it is every other header.
            let ident = f.ident.clone().unwrap_or_else(|| match f.repeat {
                Repeat::Rest => "other_headers".to_string(),
                _ => names::field_name(f.header.trim_end_matches('-')),
            });
            if idents.contains(&ident) {
                return Err(crate::input_err(
                    "specs/fixes/ami_responses.toml",
                    format!(
                        "`{}`: field name `{ident}` of header `{}` is taken (by another field or by `Response`); give it an `ident`",
                        r.name, f.header
                    ),
                ));
            }
            idents.push(ident.clone());
            fields.push(ResponseFieldModel {
                header: f.header.clone(),
                ident,
                ty: HeaderType::parse(&f.ty).unwrap_or(HeaderType::Text),
                repeat: f.repeat,
                example: f.example.clone(),
            });
        }
        a.response = Some(ResponseModel {
            ty: format!("{}Response", a.ty),
            fix: r.name.clone(),
            reason: r.reason.clone(),
            fields,
        });
    }
    Ok(())
}

/// Push `base` (or `base_2`, …) into `used` and return it.
pub fn unique(used: &mut Vec<String>, base: String) -> String {
    let mut candidate = base.clone();
    let mut i = 2;
    while used.contains(&candidate) {
        candidate = format!("{base}_{i}");
        i += 1;
    }
    used.push(candidate.clone());
    candidate
}

/// Typed headers of a snapshot block type (`ChannelSnapshot` / `BridgeSnapshot`)
/// or of every broadcast event (`Broadcast`).
fn snapshot_fields<S: AsRef<str>>(
    owner: &str,
    names_: &[S],
    fixes: &AmiTypeFixes,
) -> Vec<FieldModel> {
    names_
        .iter()
        .map(|h| h.as_ref())
        .map(|h| FieldModel {
            header: h.to_string(),
            documented_as: None,
            ident: names::field_name(h),
            ty: fixes.event_header(owner, h, false),
            enum_type: None,
            enum_values: Vec::new(),
            releases: None,
            undocumented: false,
            unit: None,
        })
        .collect()
}

fn event_model(t: &Tagged<AmiEvent>, fixes: &AmiTypeFixes, broadcast: &[String]) -> EventModel {
    let e = &t.item;
    let ty = names::type_name(&e.name);
    let mut modules = Vec::new();
    let mut since = Vec::new();
    let mut classes = Vec::new();
    let mut snaps: Vec<(Snapshot, bool)> = Vec::new();
    let mut extras: Vec<String> = Vec::new();
    let mut wire_fixes = Vec::new();
    for (_, v) in t.versions.iter().rev() {
        merge_strings(&mut modules, &v.modules);
        merge_strings(&mut classes, &v.classes);
        for s in &v.snapshots {
            if !snaps.iter().any(|(x, _)| x == s) {
                snaps.push((s.clone(), true));
            }
        }
        for s in &v.extra_snapshots {
            if !snaps.iter().any(|(x, _)| x == s) {
                snaps.push((s.clone(), false));
            }
        }
        merge_strings(&mut extras, &v.extra_headers);
        for w in &v.wire_fixes {
            if !wire_fixes.contains(w) {
                wire_fixes.push(w.clone());
            }
        }
    }
    for (_, v) in &t.versions {
        merge_strings(&mut since, &v.since);
    }
    modules.sort();
    classes.sort();
    // Snapshot idents first: they own the names they expand to.
    let mut idents: Vec<String> = vec!["raw".to_string()];
    let mut covered: Vec<String> = Vec::new();
    let mut snapshots = Vec::new();
    for (s, documented) in &snaps {
        covered.extend(
            s.expanded_fields()
                .into_iter()
                .map(|f| f.to_ascii_lowercase()),
        );
        for x in &["Tenantid", "ChanVariable"] {
            covered.push(format!("{}{}", s.prefix, x).to_ascii_lowercase());
        }
        let kind = SnapshotKind::of(&s.kind);
        let base = if s.prefix.is_empty() {
            kind.as_str().to_string()
        } else {
            names::field_name(&s.prefix)
        };
        snapshots.push(SnapModel {
            kind,
            prefix: s.prefix.clone(),
            ident: unique(&mut idents, base),
            documented: *documented,
        });
    }
    covered.push("event".into());
    let lists: Vec<(&str, &[_])> = t
        .versions
        .iter()
        .map(|(tag, v)| (tag.as_str(), &v.fields[..]))
        .collect();
    let mut fields = Vec::new();
    for f in union_ordered(&lists, |p| p.name.clone()) {
        let wire = wire_fixes
            .iter()
            .find(|w| w.documented == f.item.name)
            .map(|w| w.wire.clone())
            .unwrap_or_else(|| f.item.name.clone());
        let lower = wire.to_ascii_lowercase();
        if covered.contains(&lower) || covered.contains(&f.item.name.to_ascii_lowercase()) {
            continue;
        }
        covered.push(lower);
        covered.push(f.item.name.to_ascii_lowercase());
        let has_enum = !f.item.enum_values.is_empty();
        let ty = fixes.event_header(&e.name, &f.item.name, has_enum);
        let ident = unique(&mut idents, names::field_name(&f.item.name));
        let rel = releases_of(&f);
        fields.push(FieldModel {
            documented_as: (wire != f.item.name).then(|| f.item.name.clone()),
            header: wire,
            ident,
            ty,
            enum_type: None,
            enum_values: f.item.enum_values.clone(),
            releases: (rel.len() != t.versions.len()).then_some(rel),
            undocumented: false,
            unit: None,
        });
    }
    for h in extras {
        let lower = h.to_ascii_lowercase();
        let is_broadcast = broadcast.iter().any(|b| b.eq_ignore_ascii_case(&h));
        if covered.contains(&lower) || is_broadcast || h.starts_with('<') || h.is_empty() {
            continue;
        }
        covered.push(lower);
        let ty = fixes.event_header(&e.name, &h, false);
        fields.push(FieldModel {
            ident: unique(&mut idents, names::field_name(&h)),
            header: h,
            documented_as: None,
            ty,
            enum_type: None,
            enum_values: Vec::new(),
            releases: None,
            undocumented: true,
            unit: None,
        });
    }
    EventModel {
        name: e.name.clone(),
        wire: e.wire().to_string(),
        ty,
        releases: releases_of(t),
        origin: EventOrigin::of(&e.origin),
        kind: e.kind.as_deref().and_then(EventRole::of),
        classes,
        since,
        modules,
        snapshots,
        fields,
        aliases: Vec::new(),
    }
}

/// The error for an `ami_types.toml` fix that applies to nothing.
fn type_fix_unapplied(name: &str, what: &str) -> crate::Error {
    crate::input_err(
        "specs/fixes/ami_types.toml",
        format!("fix `{name}` applies to nothing: {what}"),
    )
}

impl Model {
    /// Build the model from all releases.
    pub fn build(releases: &Releases, fixes: &AmiTypeFixes) -> Model {
        let tags = releases.tags();
        let actions = union_by(&releases.lists(|m| &m.ami.actions[..]), |a| a.name.clone())
            .iter()
            .map(|t| action_model(t, fixes))
            .collect();
        let mut broadcast = Vec::new();
        let mut snapshot_extra = Vec::new();
        for m in releases.manifests.iter().rev() {
            merge_strings(&mut broadcast, &m.ami.broadcast_headers);
            merge_strings(&mut snapshot_extra, &m.ami.channel_snapshot_extra_headers);
        }
        let events = union_by(&releases.lists(|m| &m.ami.events[..]), |e| e.name.clone())
            .iter()
            .map(|t| event_model(t, fixes, &broadcast))
            .collect();
        Model {
            tags,
            actions,
            events,
            broadcast_fields: snapshot_fields("Broadcast", &broadcast, fixes),
            broadcast,
            snapshot_extra,
            channel_fields: snapshot_fields("ChannelSnapshot", &CHANNEL_SNAPSHOT_FIELDS, fixes),
            bridge_fields: snapshot_fields("BridgeSnapshot", &BRIDGE_SNAPSHOT_FIELDS, fixes),
            enums: Vec::new(),
        }
    }

    /// Attach the aliases, answer times and units of the fixes; an entry that
    /// names no action, event, parameter or header is an error. Then type the
    /// enum-list headers ([`Model::resolve_enums`]).
    pub fn apply_fixes(&mut self, fixes: &Fixes) -> Result<()> {
        self.check_type_fixes(&fixes.ami_types)?;
        let actions: Vec<&str> = self.actions.iter().map(|a| a.name.as_str()).collect();
        let events: Vec<&str> = self.events.iter().map(|e| e.name.as_str()).collect();
        fixes.aliases.check(AliasTarget::AmiAction, &actions)?;
        fixes.aliases.check(AliasTarget::AmiEvent, &events)?;
        for t in &fixes.answer_times.answer_time {
            let found = self
                .actions
                .iter()
                .find(|a| a.name == t.action)
                .is_some_and(|a| {
                    let has = |h: &str| {
                        a.params
                            .iter()
                            .any(|p| p.name == h && p.kind == ParamKind::Plain)
                    };
                    has(&t.header) && t.unless_true.as_deref().is_none_or(has)
                });
            if !found {
                return Err(crate::input_err(
                    "specs/fixes/answer_times.toml",
                    format!(
                        "`{}`: no action `{}` with those parameters",
                        t.name, t.action
                    ),
                ));
            }
        }
        for u in &fixes.units.unit {
            let found = match u.scope {
                UnitScope::Action => self
                    .actions
                    .iter()
                    .any(|a| a.name == u.item && a.params.iter().any(|p| p.name == u.header)),
                UnitScope::Event => self.events.iter().any(|e| {
                    e.name == u.item && e.fields.iter().any(|f| f.documented_name() == u.header)
                }),
            };
            if !found {
                return Err(crate::input_err(
                    "specs/fixes/units.toml",
                    format!("`{}`: no header `{}` of `{}`", u.name, u.header, u.item),
                ));
            }
        }
        apply_responses(&mut self.actions, &fixes.ami_responses)?;
        for a in &mut self.actions {
            a.aliases = fixes.aliases.of(AliasTarget::AmiAction, &a.name);
            a.answer_time = fixes.answer_times.of(&a.name).cloned();
            for p in &mut a.params {
                p.unit = fixes
                    .units
                    .of(UnitScope::Action, &a.name, &p.name)
                    .map(String::from);
            }
        }
        for e in &mut self.events {
            e.aliases = fixes.aliases.of(AliasTarget::AmiEvent, &e.name);
            for f in &mut e.fields {
                f.unit = fixes
                    .units
                    .of(UnitScope::Event, &e.name, f.documented_name())
                    .map(String::from);
            }
        }
        self.resolve_enums(&fixes.enums)
    }

    /// Every `[[rule]]` and `[[field]]` of `ami_types.toml` decides the type of
    /// some header, and every `[[pairs]]` and `[[family]]` names parameters of
    /// its actions: a fix that applies to nothing is an error naming it.
    pub fn check_type_fixes(&self, fixes: &AmiTypeFixes) -> Result<()> {
        let mut used: BTreeSet<&str> = BTreeSet::new();
        let mut note = |scope, owner: &str, header: &str, has_enum| {
            if let Some(name) = fixes.decided_by(scope, owner, header, has_enum) {
                used.insert(name);
            }
        };
        for f in &self.channel_fields {
            note(Scope::Event, "ChannelSnapshot", &f.header, false);
        }
        for f in &self.bridge_fields {
            note(Scope::Event, "BridgeSnapshot", &f.header, false);
        }
        for f in &self.broadcast_fields {
            note(Scope::Event, "Broadcast", &f.header, false);
        }
        for e in &self.events {
            for f in &e.fields {
                note(
                    Scope::Event,
                    &e.name,
                    f.documented_name(),
                    !f.enum_values.is_empty(),
                );
            }
        }
        for a in &self.actions {
            for p in a.params.iter().filter(|p| p.kind == ParamKind::Plain) {
                note(Scope::Action, &a.name, &p.name, false);
            }
        }
        let named = fixes
            .rules
            .iter()
            .map(|r| &r.name)
            .chain(fixes.fields.iter().map(|f| &f.name));
        for name in named {
            if !used.contains(name.as_str()) {
                return Err(type_fix_unapplied(
                    name,
                    "decides the type of no header of any release",
                ));
            }
        }
        let action = |name: &str| self.actions.iter().find(|a| a.name == name);
        for p in &fixes.pairs {
            for a in &p.actions {
                let found = action(a).is_some_and(|a| {
                    a.params
                        .iter()
                        .any(|x| x.name == p.header && x.kind == ParamKind::Pairs)
                });
                if !found {
                    return Err(type_fix_unapplied(
                        &p.name,
                        &format!("no action `{a}` with parameter `{}`", p.header),
                    ));
                }
            }
        }
        for f in &fixes.families {
            let found = action(&f.action).is_some_and(|a| {
                a.params
                    .iter()
                    .any(|x| matches!(x.kind, ParamKind::Family { .. }))
            });
            if !found {
                return Err(type_fix_unapplied(
                    &f.name,
                    &format!("no action `{}` with a numbered parameter family", f.action),
                ));
            }
        }
        Ok(())
    }

    /// The event whose documented name is `name`.
    pub fn event(&self, name: &str) -> Option<&EventModel> {
        self.events.iter().find(|e| e.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(name: &str, list: bool) -> ActionModel {
        ActionModel {
            name: name.into(),
            ty: names::type_name(name),
            releases: vec!["23.4.1".into()],
            modules: Vec::new(),
            since: Vec::new(),
            privileges: None,
            params: Vec::new(),
            all_params: Vec::new(),
            list: list.then(|| AmiList {
                items: vec!["PeerEntry".into()],
                complete: Some("PeerlistComplete".into()),
                ack: None,
                source: "xml".into(),
            }),
            family: None,
            aliases: Vec::new(),
            answer_time: None,
            response: None,
            unkeyed_items: None,
            no_response: None,
        }
    }

    const FIXES: &str = r#"
[[response]]
name = "getvar"
reason = "action_getvar (main/manager.c)"
action = "Getvar"
fields = [
  { header = "Variable", example = "X" },
  { header = "Value", example = "1" },
]

[[unkeyed_items]]
name = "iaxpeers"
reason = "manager_iax2_show_peers (channels/chan_iax2.c)"
action = "IAXpeers"
"#;

    #[test]
    fn responses_and_quirks_attach_to_their_actions() {
        let fixes = ResponseFixes::from_toml(FIXES).unwrap();
        let mut actions = vec![action("Getvar", false), action("IAXpeers", true)];
        apply_responses(&mut actions, &fixes).unwrap();
        let r = actions[0].response.as_ref().unwrap();
        assert_eq!(r.ty, "GetvarResponse");
        let idents: Vec<&str> = r.fields.iter().map(|f| f.ident.as_str()).collect();
        assert_eq!(idents, ["variable", "value"]);
        assert!(actions[1].unkeyed_items.is_some() && actions[1].response.is_none());
    }

    #[test]
    fn a_fix_naming_no_action_fails_naming_the_fix() {
        let fixes = ResponseFixes::from_toml(FIXES).unwrap();
        let mut actions = vec![action("Getvar", false)];
        let err = apply_responses(&mut actions, &fixes)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("iaxpeers") && err.contains("IAXpeers"),
            "{err}"
        );
    }

    #[test]
    fn unkeyed_items_need_a_list_action_and_idents_must_be_free() {
        let fixes = ResponseFixes::from_toml(FIXES).unwrap();
        let mut actions = vec![action("Getvar", false), action("IAXpeers", false)];
        assert!(apply_responses(&mut actions, &fixes).is_err());
        let clash = FIXES.replace(
            "{ header = \"Value\", example = \"1\" }",
            "{ header = \"Status\", example = \"1\" }",
        );
        let fixes = ResponseFixes::from_toml(&clash).unwrap();
        let mut actions = vec![action("Getvar", false), action("IAXpeers", true)];
        let err = apply_responses(&mut actions, &fixes)
            .unwrap_err()
            .to_string();
        assert!(err.contains("status") && err.contains("ident"), "{err}");
    }
}
