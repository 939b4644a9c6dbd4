//! `diff`: what was added, removed, renamed and changed between two releases'
//! manifests.
//!
//! Items are keyed as NOTES.md §7 keys them: AMI actions, events and AGI commands by
//! name; ARI operations by `METHOD path`; models and events by name. ARI operations
//! are shown with their nickname and the Rust call the generated client offers,
//! named by the same functions the emitter uses:
//! `POST /events/claim (claimChannel → events().claim_channel())`.
//!
//! An item is "changed" when both releases have it and its facts differ:
//! - AMI action: parameter names, `required` or `default`;
//! - AMI event: field names (snapshots expanded), `required` or `default`;
//! - AGI command: parameter names or `required`;
//! - ARI operation: parameter names, any of (location, required, type, multiple,
//!   default, allowed values), the response type or the nickname;
//! - ARI model: property names, or a property's type or `required`.
//!
//! # Renames
//! A removed and an added name in the same place (two items of one section, or two
//! members — parameters, fields, properties — of one item) are one rename when
//! their [`rename_key`]s are equal (ASCII case, `_`, `-` and spaces ignored) and no
//! other removed or added name there has that key. So MixMonitor's `options` →
//! `Options` is a rename, while `Foo` → `Bar` stays a removal and an addition.
//!
//! # Undocumented events
//! Events the supplement adds (read from the C sources) are compared in a section
//! of their own, so the documented sections match the documentation census. When
//! a release has no undocumented events at all, its folder had no supplement: that
//! section is then marked not compared rather than listing removals that never
//! happened.

use crate::manifest::{AmiEvent, AmiParam, AriModel, AriOperation, AriParam, Manifest};
use crate::model::ari::operations::rust_call;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The difference between two manifests.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiDiff {
    /// The older release.
    pub from: String,
    /// The newer release.
    pub to: String,
    /// One section per kind of item, in a fixed order.
    pub sections: Vec<Section>,
}

/// Added, removed, renamed and changed items of one kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    /// What the items are, e.g. `AMI actions`.
    pub title: String,
    /// Items only the newer release has, sorted.
    pub added: Vec<String>,
    /// Items only the older release has, sorted.
    pub removed: Vec<String>,
    /// Items whose name changed only in case or separators (see the module docs).
    pub renamed: Vec<Rename>,
    /// Items both have whose facts differ, sorted by item.
    pub changed: Vec<Change>,
    /// Why the section was not compared (then every list is empty).
    pub not_compared: Option<String>,
}

/// One item renamed between the releases.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rename {
    /// The name in the older release.
    pub from: String,
    /// The name in the newer release.
    pub to: String,
    /// How its facts changed too (same form as [`Change::details`]).
    pub details: Vec<String>,
}

/// How one item changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// The item.
    pub item: String,
    /// One line per difference, e.g. `+field TechCause`, `-param Foo`,
    /// `param options → Options`, `param Timeout: optional -> required`.
    pub details: Vec<String>,
}

/// How many items of a section (or of a whole diff) were added, removed,
/// renamed and changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Items only the newer release has.
    pub added: usize,
    /// Items only the older release has.
    pub removed: usize,
    /// Items renamed.
    pub renamed: usize,
    /// Items whose facts changed.
    pub changed: usize,
}

impl Counts {
    /// Whether every count is zero.
    pub fn is_zero(&self) -> bool {
        *self == Counts::default()
    }

    /// `+2 -1 ↦1 ~3`, leaving out zeros (`no change` when all are zero).
    fn short(&self) -> String {
        let parts: Vec<String> = [
            ("+", self.added),
            ("-", self.removed),
            ("↦", self.renamed),
            ("~", self.changed),
        ]
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(sign, n)| format!("{sign}{n}"))
        .collect();
        if parts.is_empty() {
            "no change".into()
        } else {
            parts.join(" ")
        }
    }

    /// `18 added, 0 removed, 1 renamed, 12 changed`.
    fn long(&self) -> String {
        format!(
            "{} added, {} removed, {} renamed, {} changed",
            self.added, self.removed, self.renamed, self.changed
        )
    }
}

impl std::ops::Add for Counts {
    type Output = Counts;
    fn add(self, o: Counts) -> Counts {
        Counts {
            added: self.added + o.added,
            removed: self.removed + o.removed,
            renamed: self.renamed + o.renamed,
            changed: self.changed + o.changed,
        }
    }
}

/// The key under which two names are the same item renamed: the name in ASCII
/// lower case without `_`, `-` and spaces (`options`, `Options` and `OPT_IONS`
/// share `options`).
pub fn rename_key(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, '_' | '-' | ' '))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Pair removed and added names whose [`rename_key`]s are equal, when that key
/// is unique among the removed and among the added names. Returns the pairs
/// (old, new) and takes them out of both lists.
fn pair_renames(removed: &mut Vec<String>, added: &mut Vec<String>) -> Vec<(String, String)> {
    let count = |list: &[String], key: &str| list.iter().filter(|n| rename_key(n) == key).count();
    let mut pairs = Vec::new();
    for old in removed.clone() {
        let key = rename_key(&old);
        if count(removed, &key) != 1 || count(added, &key) != 1 {
            continue;
        }
        if let Some(i) = added.iter().position(|n| rename_key(n) == key) {
            pairs.push((old.clone(), added.remove(i)));
            removed.retain(|n| n != &old);
        }
    }
    pairs
}

/// One item of a section as compared: how it is shown, and its facts.
struct Entry<T> {
    label: String,
    facts: T,
}

/// A plainly named item.
fn entry<T>(name: &str, facts: T) -> Entry<T> {
    Entry {
        label: name.to_string(),
        facts,
    }
}

impl Section {
    /// Whether nothing changed in this section (or it was not compared).
    pub fn is_empty(&self) -> bool {
        self.counts().is_zero()
    }

    /// The section's counts.
    pub fn counts(&self) -> Counts {
        Counts {
            added: self.added.len(),
            removed: self.removed.len(),
            renamed: self.renamed.len(),
            changed: self.changed.len(),
        }
    }

    /// A section that was not compared, and why.
    fn skipped(title: &str, why: String) -> Section {
        Section {
            title: title.to_string(),
            added: Vec::new(),
            removed: Vec::new(),
            renamed: Vec::new(),
            changed: Vec::new(),
            not_compared: Some(why),
        }
    }

    /// Compare the items of one kind; `details` lists how two versions of an item
    /// differ.
    fn compare<T>(
        title: &str,
        old: BTreeMap<String, Entry<T>>,
        new: BTreeMap<String, Entry<T>>,
        details: impl Fn(&T, &T) -> Vec<String>,
    ) -> Section {
        let mut removed: Vec<String> = old
            .keys()
            .filter(|k| !new.contains_key(*k))
            .cloned()
            .collect();
        let mut added: Vec<String> = new
            .keys()
            .filter(|k| !old.contains_key(*k))
            .cloned()
            .collect();
        let renamed = pair_renames(&mut removed, &mut added)
            .into_iter()
            .map(|(o, n)| Rename {
                from: old[&o].label.clone(),
                to: new[&n].label.clone(),
                details: details(&old[&o].facts, &new[&n].facts),
            })
            .collect();
        let changed = old
            .iter()
            .filter_map(|(k, o)| {
                let n = new.get(k)?;
                let d = details(&o.facts, &n.facts);
                (!d.is_empty()).then(|| Change {
                    item: n.label.clone(),
                    details: d,
                })
            })
            .collect();
        Section {
            title: title.to_string(),
            added: added.iter().map(|k| new[k].label.clone()).collect(),
            removed: removed.iter().map(|k| old[k].label.clone()).collect(),
            renamed,
            changed,
            not_compared: None,
        }
    }
}

impl ApiDiff {
    /// The section titled `title`.
    pub fn section(&self, title: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.title == title)
    }

    /// Counts over every section.
    pub fn counts(&self) -> Counts {
        self.sections
            .iter()
            .fold(Counts::default(), |acc, s| acc + s.counts())
    }

    /// `Summary: 18 added, 0 removed, 0 renamed, 12 changed (AMI actions +2, …)`.
    pub fn summary(&self) -> String {
        let per_kind: Vec<String> = self
            .sections
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| format!("{} {}", s.title, s.counts().short()))
            .collect();
        let mut line = format!("Summary: {}", self.counts().long());
        if !per_kind.is_empty() {
            let _ = write!(line, " ({})", per_kind.join(", "));
        }
        let skipped: Vec<&str> = self
            .sections
            .iter()
            .filter(|s| s.not_compared.is_some())
            .map(|s| s.title.as_str())
            .collect();
        if !skipped.is_empty() {
            let _ = write!(line, "; not compared: {}", skipped.join(", "));
        }
        line
    }
}

/// The facts of one member (parameter, field, property) that a diff compares.
#[derive(Debug, Clone, PartialEq)]
struct Member {
    name: String,
    facts: String,
}

/// Whether a release's manifest holds the supplement's undocumented events.
fn has_supplement(m: &Manifest) -> bool {
    m.ami.events.iter().any(|e| !e.documented())
}

/// Compare two manifests.
pub fn diff(a: &Manifest, b: &Manifest) -> ApiDiff {
    let actions = |m: &Manifest| {
        m.ami
            .actions
            .iter()
            .map(|x| (x.name.clone(), entry(&x.name, ami_members(&x.params, true))))
            .collect::<BTreeMap<_, _>>()
    };
    let events = |m: &Manifest, documented: bool| {
        m.ami
            .events
            .iter()
            .filter(|e| e.documented() == documented)
            .map(|e| (e.name.clone(), entry(&e.name, event_members(e))))
            .collect::<BTreeMap<_, _>>()
    };
    let agi = |m: &Manifest| {
        m.agi
            .commands
            .iter()
            .map(|c| {
                (
                    c.name.clone(),
                    entry(&c.name, ami_members(&c.params, false)),
                )
            })
            .collect::<BTreeMap<_, _>>()
    };
    let ops = |m: &Manifest| {
        m.ari
            .operations
            .iter()
            .map(|o| (operation_key(o), operation_entry(o)))
            .collect::<BTreeMap<_, _>>()
    };
    let models = |m: &Manifest| {
        m.ari
            .models
            .iter()
            .map(|x| (x.name.clone(), entry(&x.name, x.clone())))
            .collect::<BTreeMap<_, _>>()
    };
    let ari_events = |m: &Manifest| {
        m.ari
            .model("Event")
            .map(|e| e.subtypes.clone())
            .unwrap_or_default()
            .into_iter()
            .map(|n| (n.clone(), entry(&n, ())))
            .collect::<BTreeMap<_, _>>()
    };
    let undocumented_title = "AMI events (undocumented)";
    let lacking: Vec<&str> = [a, b]
        .iter()
        .filter(|m| !has_supplement(m))
        .map(|m| m.tag.as_str())
        .collect();
    let undocumented = if lacking.is_empty() {
        Section::compare(
            undocumented_title,
            events(a, false),
            events(b, false),
            |o, n| member_changes("field", o, n),
        )
    } else {
        Section::skipped(
            undocumented_title,
            format!(
                "{} had no supplement.json, so the events only the C sources show are unknown there \
                 (`extract --asterisk-src` writes one)",
                lacking.join(" and ")
            ),
        )
    };
    ApiDiff {
        from: a.tag.clone(),
        to: b.tag.clone(),
        sections: vec![
            Section::compare("AMI actions", actions(a), actions(b), |o, n| {
                member_changes("param", o, n)
            }),
            Section::compare("AMI events", events(a, true), events(b, true), |o, n| {
                member_changes("field", o, n)
            }),
            undocumented,
            Section::compare("AGI commands", agi(a), agi(b), |o, n| {
                member_changes("param", o, n)
            }),
            Section::compare("ARI operations", ops(a), ops(b), operation_changes),
            Section::compare("ARI models", models(a), models(b), model_changes),
            Section::compare("ARI events", ari_events(a), ari_events(b), |_, _| {
                Vec::new()
            }),
        ],
    }
}

/// `METHOD path`, the key of an operation.
fn operation_key(o: &AriOperation) -> String {
    format!("{} {}", o.method, o.path)
}

/// An operation shown as `POST /events/claim (claimChannel → events().claim_channel())`.
fn operation_entry(o: &AriOperation) -> Entry<AriOperation> {
    Entry {
        label: format!(
            "{} ({} → {})",
            operation_key(o),
            o.nickname,
            rust_call(&o.resource, &o.nickname)
        ),
        facts: o.clone(),
    }
}

/// `required` / `optional`, and the default when `with_default`.
fn ami_members(params: &[AmiParam], with_default: bool) -> Vec<Member> {
    params
        .iter()
        .map(|p| Member {
            name: p.name.clone(),
            facts: format!(
                "{}{}",
                if p.required { "required" } else { "optional" },
                match (&p.default, with_default) {
                    (Some(d), true) => format!(" default={d:?}"),
                    _ => String::new(),
                }
            ),
        })
        .collect()
}

/// Documented fields of an event with snapshots expanded (snapshot fields carry no
/// flags of their own).
fn event_members(e: &AmiEvent) -> Vec<Member> {
    let fields: Vec<AmiParam> = e
        .expanded_field_names()
        .into_iter()
        .map(|name| {
            e.fields
                .iter()
                .find(|f| f.name == name)
                .cloned()
                .unwrap_or(AmiParam {
                    name,
                    ..AmiParam::default()
                })
        })
        .collect();
    ami_members(&fields, true)
}

/// How the members of one item differ: `+what name` for an addition, `-what name`
/// for a removal, `what old → new` for a rename, `what name: old -> new` for
/// changed facts. Additions and changes come in the newer order, then renames,
/// then removals.
fn member_changes(what: &str, old: &[Member], new: &[Member]) -> Vec<String> {
    let mut removed: Vec<String> = old
        .iter()
        .filter(|o| !new.iter().any(|n| n.name == o.name))
        .map(|o| o.name.clone())
        .collect();
    let mut added: Vec<String> = new
        .iter()
        .filter(|n| !old.iter().any(|o| o.name == n.name))
        .map(|n| n.name.clone())
        .collect();
    let renames = pair_renames(&mut removed, &mut added);
    let facts = |list: &[Member], name: &str| {
        list.iter()
            .find(|m| m.name == name)
            .map(|m| m.facts.clone())
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for n in new {
        if added.contains(&n.name) {
            out.push(format!("+{what} {}", n.name));
        } else if old.iter().any(|o| o.name == n.name) {
            let was = facts(old, &n.name);
            if was != n.facts {
                out.push(format!("{what} {}: {was} -> {}", n.name, n.facts));
            }
        }
    }
    for (o, n) in &renames {
        let (was, now) = (facts(old, o), facts(new, n));
        if was == now {
            out.push(format!("{what} {o} → {n}"));
        } else {
            out.push(format!("{what} {o} → {n}: {was} -> {now}"));
        }
    }
    for o in &removed {
        out.push(format!("-{what} {o}"));
    }
    out
}

fn ari_param_facts(p: &AriParam) -> String {
    format!(
        "{} {}{}{}{}{}",
        p.location,
        p.data_type,
        if p.required { " required" } else { "" },
        if p.multiple { " multiple" } else { "" },
        p.default
            .as_ref()
            .map(|d| format!(" default={d}"))
            .unwrap_or_default(),
        p.allowed
            .as_ref()
            .map(|a| format!(" allowed={}", serde_json::to_string(a).unwrap_or_default()))
            .unwrap_or_default(),
    )
}

fn operation_changes(o: &AriOperation, n: &AriOperation) -> Vec<String> {
    let mut out = Vec::new();
    if o.nickname != n.nickname {
        out.push(format!(
            "nickname {} → {} ({} → {})",
            o.nickname,
            n.nickname,
            rust_call(&o.resource, &o.nickname),
            rust_call(&n.resource, &n.nickname)
        ));
    }
    if o.response != n.response {
        out.push(format!("response {} -> {}", o.response, n.response));
    }
    let members = |op: &AriOperation| {
        op.params
            .iter()
            .map(|p| Member {
                name: p.name.clone(),
                facts: ari_param_facts(p),
            })
            .collect::<Vec<_>>()
    };
    out.extend(member_changes("param", &members(o), &members(n)));
    out
}

fn model_changes(o: &AriModel, n: &AriModel) -> Vec<String> {
    let members = |m: &AriModel| {
        m.properties
            .iter()
            .map(|p| Member {
                name: p.name.clone(),
                facts: format!(
                    "{}{}",
                    p.data_type,
                    if p.required { " required" } else { "" }
                ),
            })
            .collect::<Vec<_>>()
    };
    member_changes("property", &members(o), &members(n))
}

/// Output format of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain text.
    Text,
    /// GitHub-flavoured Markdown (the CHANGELOG input).
    Markdown,
    /// Pretty JSON.
    Json,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "text" => Ok(Format::Text),
            "markdown" | "md" => Ok(Format::Markdown),
            "json" => Ok(Format::Json),
            other => Err(format!("unknown format {other:?} (text, markdown, json)")),
        }
    }
}

/// Render a diff.
pub fn render(d: &ApiDiff, format: Format) -> String {
    match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(d).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Text => render_text(d),
        Format::Markdown => render_markdown(d),
    }
}

fn render_text(d: &ApiDiff) -> String {
    let mut s = format!("API diff {} -> {}\n{}\n", d.from, d.to, d.summary());
    for sec in &d.sections {
        let c = sec.counts();
        let _ = writeln!(
            s,
            "\n{} (+{} -{} ↦{} ~{})",
            sec.title, c.added, c.removed, c.renamed, c.changed
        );
        if let Some(why) = &sec.not_compared {
            let _ = writeln!(s, "  not compared: {why}");
            continue;
        }
        if sec.is_empty() {
            let _ = writeln!(s, "  no change");
        }
        for a in &sec.added {
            let _ = writeln!(s, "  + {a}");
        }
        for r in &sec.removed {
            let _ = writeln!(s, "  - {r}");
        }
        for r in &sec.renamed {
            let _ = writeln!(s, "  ↦ {} → {}", r.from, r.to);
            for line in &r.details {
                let _ = writeln!(s, "      {line}");
            }
        }
        for c in &sec.changed {
            let _ = writeln!(s, "  ~ {}", c.item);
            for line in &c.details {
                let _ = writeln!(s, "      {line}");
            }
        }
    }
    s
}

fn render_markdown(d: &ApiDiff) -> String {
    let mut s = format!("# API diff {} → {}\n\n", d.from, d.to);
    let _ = writeln!(s, "**{}.**\n", d.counts().long());
    s.push_str("| | added | removed | renamed | changed |\n|---|---|---|---|---|\n");
    for sec in &d.sections {
        let c = sec.counts();
        if sec.not_compared.is_some() {
            let _ = writeln!(s, "| {} | not compared | | | |", sec.title);
        } else {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} |",
                sec.title, c.added, c.removed, c.renamed, c.changed
            );
        }
    }
    let t = d.counts();
    let _ = writeln!(
        s,
        "| **total** | {} | {} | {} | {} |",
        t.added, t.removed, t.renamed, t.changed
    );
    for sec in &d.sections {
        if let Some(why) = &sec.not_compared {
            let _ = writeln!(s, "\n## {}\n\nNot compared: {why}.", sec.title);
            continue;
        }
        if sec.is_empty() {
            continue;
        }
        let _ = writeln!(s, "\n## {}\n", sec.title);
        for a in &sec.added {
            let _ = writeln!(s, "- Added `{a}`");
        }
        for r in &sec.removed {
            let _ = writeln!(s, "- Removed `{r}`");
        }
        for r in &sec.renamed {
            let _ = write!(s, "- Renamed `{}` → `{}`", r.from, r.to);
            if !r.details.is_empty() {
                let _ = write!(s, ": {}", code_details(&r.details));
            }
            s.push('\n');
        }
        for c in &sec.changed {
            let _ = writeln!(s, "- Changed `{}`: {}", c.item, code_details(&c.details));
        }
    }
    s
}

/// Detail lines joined for one Markdown bullet, each in backticks.
fn code_details(details: &[String]) -> String {
    details
        .iter()
        .map(|d| format!("`{d}`"))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{AmiAction, AriModel, AriOperation, AriProperty};

    fn param(name: &str, required: bool) -> AmiParam {
        AmiParam {
            name: name.into(),
            required,
            ..AmiParam::default()
        }
    }

    fn action(name: &str, params: &[AmiParam]) -> AmiAction {
        AmiAction {
            name: name.into(),
            params: params.to_vec(),
            ..AmiAction::default()
        }
    }

    fn event(name: &str, origin: &str) -> AmiEvent {
        AmiEvent {
            name: name.into(),
            origin: origin.into(),
            ..AmiEvent::default()
        }
    }

    fn op(method: &str, path: &str, resource: &str, nickname: &str) -> AriOperation {
        AriOperation {
            resource: resource.into(),
            nickname: nickname.into(),
            method: method.into(),
            path: path.into(),
            response: "void".into(),
            ..AriOperation::default()
        }
    }

    fn manifest(tag: &str) -> Manifest {
        let mut m = Manifest {
            tag: tag.into(),
            ami: Default::default(),
            agi: Default::default(),
            ari: Default::default(),
        };
        m.ami.events.push(event("Broadcast", "supplement"));
        m
    }

    #[test]
    fn rename_key_ignores_case_and_separators_only() {
        assert_eq!(rename_key("options"), rename_key("Options"));
        assert_eq!(rename_key("Cause-txt"), rename_key("cause_txt"));
        assert_ne!(rename_key("Options"), rename_key("Option"));
    }

    #[test]
    fn case_only_parameter_change_is_a_rename() {
        let mut a = manifest("1.0.0");
        let mut b = manifest("2.0.0");
        a.ami.actions.push(action(
            "MixMonitor",
            &[param("Channel", true), param("options", false)],
        ));
        b.ami.actions.push(action(
            "MixMonitor",
            &[
                param("Channel", true),
                param("Options", true),
                param("Command", false),
            ],
        ));
        let d = diff(&a, &b);
        let s = d.section("AMI actions").unwrap();
        assert_eq!(s.changed.len(), 1);
        assert_eq!(s.changed[0].item, "MixMonitor");
        assert_eq!(
            s.changed[0].details,
            [
                "+param Command",
                "param options → Options: optional -> required"
            ]
        );
    }

    #[test]
    fn unrelated_names_stay_added_and_removed() {
        let mut a = manifest("1.0.0");
        let mut b = manifest("2.0.0");
        a.ami.actions.push(action("Monitor", &[]));
        b.ami.actions.push(action("MixMonitor", &[]));
        let d = diff(&a, &b);
        let s = d.section("AMI actions").unwrap();
        assert_eq!(s.added, ["MixMonitor"]);
        assert_eq!(s.removed, ["Monitor"]);
        assert!(s.renamed.is_empty());
    }

    #[test]
    fn ambiguous_names_are_not_paired() {
        let old = vec![Member {
            name: "Foo_Bar".into(),
            facts: String::new(),
        }];
        let new = vec![
            Member {
                name: "FooBar".into(),
                facts: String::new(),
            },
            Member {
                name: "foobar".into(),
                facts: String::new(),
            },
        ];
        assert_eq!(
            member_changes("field", &old, &new),
            ["+field FooBar", "+field foobar", "-field Foo_Bar"]
        );
    }

    #[test]
    fn renamed_items_are_listed_with_their_changes() {
        let mut a = manifest("1.0.0");
        let mut b = manifest("2.0.0");
        a.ami.events.push(event("SIPpeerStatus", "top"));
        b.ami.events.push(event("SipPeerStatus", "top"));
        let d = diff(&a, &b);
        let s = d.section("AMI events").unwrap();
        assert!(s.added.is_empty() && s.removed.is_empty());
        assert_eq!(
            s.renamed,
            [Rename {
                from: "SIPpeerStatus".into(),
                to: "SipPeerStatus".into(),
                details: Vec::new(),
            }]
        );
        assert!(render(&d, Format::Text).contains("↦ SIPpeerStatus → SipPeerStatus"));
        assert!(
            render(&d, Format::Markdown).contains("- Renamed `SIPpeerStatus` → `SipPeerStatus`")
        );
    }

    #[test]
    fn operations_show_nickname_and_rust_call() {
        let a = manifest("1.0.0");
        let mut b = manifest("2.0.0");
        b.ari
            .operations
            .push(op("POST", "/events/claim", "events", "claimChannel"));
        let d = diff(&a, &b);
        assert_eq!(
            d.section("ARI operations").unwrap().added,
            ["POST /events/claim (claimChannel → events().claim_channel())"]
        );
    }

    #[test]
    fn nickname_change_names_both_rust_calls() {
        let mut a = manifest("1.0.0");
        let mut b = manifest("2.0.0");
        a.ari
            .operations
            .push(op("GET", "/deviceStates", "deviceStates", "list"));
        b.ari
            .operations
            .push(op("GET", "/deviceStates", "deviceStates", "listAll"));
        let d = diff(&a, &b);
        let c = &d.section("ARI operations").unwrap().changed[0];
        assert_eq!(
            c.item,
            "GET /deviceStates (listAll → device_states().list_all())"
        );
        assert_eq!(
            c.details,
            ["nickname list → listAll (device_states().list() → device_states().list_all())"]
        );
    }

    #[test]
    fn model_property_rename_and_type_change() {
        let prop = |name: &str, ty: &str| AriProperty {
            name: name.into(),
            data_type: ty.into(),
            ..AriProperty::default()
        };
        let model = |props: Vec<AriProperty>| AriModel {
            name: "Channel".into(),
            properties: props,
            ..AriModel::default()
        };
        let mut a = manifest("1.0.0");
        let mut b = manifest("2.0.0");
        a.ari.models.push(model(vec![
            prop("tech_cause", "int"),
            prop("name", "string"),
        ]));
        b.ari.models.push(model(vec![
            prop("techCause", "int"),
            prop("name", "object"),
        ]));
        let d = diff(&a, &b);
        assert_eq!(
            d.section("ARI models").unwrap().changed[0].details,
            [
                "property name: string -> object",
                "property tech_cause → techCause"
            ]
        );
    }

    #[test]
    fn summary_counts_every_kind() {
        let mut a = manifest("1.0.0");
        let mut b = manifest("2.0.0");
        a.ami.actions.push(action("Gone", &[]));
        a.ami
            .actions
            .push(action("Kept", &[param("options", false)]));
        b.ami
            .actions
            .push(action("Kept", &[param("Options", false)]));
        b.ami.actions.push(action("New", &[]));
        b.ami.actions.push(action("Newer", &[]));
        let d = diff(&a, &b);
        assert_eq!(
            d.counts(),
            Counts {
                added: 2,
                removed: 1,
                renamed: 0,
                changed: 1
            }
        );
        assert_eq!(
            d.summary(),
            "Summary: 2 added, 1 removed, 0 renamed, 1 changed (AMI actions +2 -1 ~1)"
        );
        let md = render(&d, Format::Markdown);
        assert!(
            md.contains("**2 added, 1 removed, 0 renamed, 1 changed.**"),
            "{md}"
        );
        assert!(md.contains("| AMI actions | 2 | 1 | 0 | 1 |"), "{md}");
        assert!(md.contains("| **total** | 2 | 1 | 0 | 1 |"), "{md}");
        assert!(
            md.contains("- Changed `Kept`: `param options → Options`"),
            "{md}"
        );
    }

    #[test]
    fn release_without_supplement_removes_no_undocumented_event() {
        let a = manifest("1.0.0");
        let mut b = manifest("2.0.0");
        b.ami.events.clear();
        let d = diff(&a, &b);
        let s = d.section("AMI events (undocumented)").unwrap();
        assert!(s.removed.is_empty());
        let why = s.not_compared.as_deref().unwrap();
        assert!(why.starts_with("2.0.0 had no supplement.json"), "{why}");
        assert!(render(&d, Format::Text).contains("not compared: 2.0.0 had no supplement.json"));
        assert!(
            d.summary()
                .ends_with("; not compared: AMI events (undocumented)")
        );
        assert!(
            render(&d, Format::Markdown).contains("| AMI events (undocumented) | not compared |")
        );
    }
}
