//! `diff`: what was added, removed and changed between two releases' manifests.
//!
//! Items are keyed as NOTES.md §7 keys them: AMI actions, events and AGI commands by
//! name; ARI operations by `METHOD path`; models and events by name. An item is
//! "changed" when both releases have it and its facts differ:
//! - AMI action: parameter names, `required` or `default`;
//! - AMI event: field names (snapshots expanded), `required` or `default`;
//! - AGI command: parameter names or `required`;
//! - ARI operation: parameter names, any of (location, required, type, multiple,
//!   default, allowed values), the response type or the nickname;
//! - ARI model: property names, or a property's type or `required`.
//!
//! Events the supplement adds (undocumented) are compared in a section of their own,
//! so the documented sections match the documentation census.

use crate::manifest::{AmiEvent, AmiParam, AriModel, AriOperation, AriParam, Manifest};
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

/// Added, removed and changed items of one kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    /// What the items are, e.g. `AMI actions`.
    pub title: String,
    /// Items only the newer release has, sorted.
    pub added: Vec<String>,
    /// Items only the older release has, sorted.
    pub removed: Vec<String>,
    /// Items both have whose facts differ, sorted by item.
    pub changed: Vec<Change>,
}

/// How one item changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// The item.
    pub item: String,
    /// One line per difference, e.g. `+field TechCause`.
    pub details: Vec<String>,
}

impl Section {
    /// Whether nothing changed in this section.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }

    /// The section named `title`.
    fn compare<T>(
        title: &str,
        old: BTreeMap<String, T>,
        new: BTreeMap<String, T>,
        details: impl Fn(&T, &T) -> Vec<String>,
    ) -> Section {
        let mut s = Section {
            title: title.to_string(),
            added: Vec::new(),
            removed: Vec::new(),
            changed: Vec::new(),
        };
        for (k, o) in &old {
            match new.get(k) {
                None => s.removed.push(k.clone()),
                Some(n) => {
                    let d = details(o, n);
                    if !d.is_empty() {
                        s.changed.push(Change {
                            item: k.clone(),
                            details: d,
                        });
                    }
                }
            }
        }
        s.added = new
            .keys()
            .filter(|k| !old.contains_key(*k))
            .cloned()
            .collect();
        s
    }
}

impl ApiDiff {
    /// The section titled `title`.
    pub fn section(&self, title: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.title == title)
    }
}

/// Compare two manifests.
pub fn diff(a: &Manifest, b: &Manifest) -> ApiDiff {
    let actions = |m: &Manifest| {
        m.ami
            .actions
            .iter()
            .map(|x| (x.name.clone(), x.params.clone()))
            .collect::<BTreeMap<_, _>>()
    };
    let events = |m: &Manifest, documented: bool| {
        m.ami
            .events
            .iter()
            .filter(|e| e.documented() == documented)
            .map(|e| (e.name.clone(), event_fields(e)))
            .collect::<BTreeMap<_, _>>()
    };
    let agi = |m: &Manifest| {
        m.agi
            .commands
            .iter()
            .map(|c| (c.name.clone(), c.params.clone()))
            .collect::<BTreeMap<_, _>>()
    };
    let ops = |m: &Manifest| {
        m.ari
            .operations
            .iter()
            .map(|o| (format!("{} {}", o.method, o.path), o.clone()))
            .collect::<BTreeMap<_, _>>()
    };
    let models = |m: &Manifest| {
        m.ari
            .models
            .iter()
            .map(|x| (x.name.clone(), x.clone()))
            .collect::<BTreeMap<_, _>>()
    };
    let ari_events = |m: &Manifest| {
        m.ari
            .model("Event")
            .map(|e| e.subtypes.clone())
            .unwrap_or_default()
            .into_iter()
            .map(|n| (n, ()))
            .collect::<BTreeMap<_, _>>()
    };
    ApiDiff {
        from: a.tag.clone(),
        to: b.tag.clone(),
        sections: vec![
            Section::compare("AMI actions", actions(a), actions(b), |o, n| {
                param_changes("param", o, n, true)
            }),
            Section::compare("AMI events", events(a, true), events(b, true), |o, n| {
                param_changes("field", o, n, true)
            }),
            Section::compare(
                "AMI events (undocumented)",
                events(a, false),
                events(b, false),
                |o, n| param_changes("field", o, n, true),
            ),
            Section::compare("AGI commands", agi(a), agi(b), |o, n| {
                param_changes("param", o, n, false)
            }),
            Section::compare("ARI operations", ops(a), ops(b), operation_changes),
            Section::compare("ARI models", models(a), models(b), model_changes),
            Section::compare("ARI events", ari_events(a), ari_events(b), |_, _| {
                Vec::new()
            }),
        ],
    }
}

/// Documented fields of an event with snapshots expanded (snapshot fields carry no
/// flags of their own).
fn event_fields(e: &AmiEvent) -> Vec<AmiParam> {
    e.expanded_field_names()
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
        .collect()
}

fn param_changes(
    what: &str,
    old: &[AmiParam],
    new: &[AmiParam],
    with_default: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    for n in new {
        match old.iter().find(|o| o.name == n.name) {
            None => out.push(format!("+{what} {}", n.name)),
            Some(o) => {
                if o.required != n.required {
                    out.push(format!(
                        "{what} {}: required {} -> {}",
                        n.name, o.required, n.required
                    ));
                }
                if with_default && o.default != n.default {
                    out.push(format!(
                        "{what} {}: default {:?} -> {:?}",
                        n.name, o.default, n.default
                    ));
                }
            }
        }
    }
    for o in old {
        if !new.iter().any(|n| n.name == o.name) {
            out.push(format!("-{what} {}", o.name));
        }
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
        out.push(format!("nickname {} -> {}", o.nickname, n.nickname));
    }
    if o.response != n.response {
        out.push(format!("response {} -> {}", o.response, n.response));
    }
    for p in &n.params {
        match o.params.iter().find(|q| q.name == p.name) {
            None => out.push(format!("+param {}", p.name)),
            Some(q) => {
                let (a, b) = (ari_param_facts(q), ari_param_facts(p));
                if a != b {
                    out.push(format!("param {}: {a} -> {b}", p.name));
                }
            }
        }
    }
    for q in &o.params {
        if !n.params.iter().any(|p| p.name == q.name) {
            out.push(format!("-param {}", q.name));
        }
    }
    out
}

fn model_changes(o: &AriModel, n: &AriModel) -> Vec<String> {
    let mut out = Vec::new();
    for p in &n.properties {
        match o.properties.iter().find(|q| q.name == p.name) {
            None => out.push(format!("+property {}", p.name)),
            Some(q) => {
                if q.data_type != p.data_type || q.required != p.required {
                    out.push(format!(
                        "property {}: {}{} -> {}{}",
                        p.name,
                        q.data_type,
                        if q.required { " required" } else { "" },
                        p.data_type,
                        if p.required { " required" } else { "" }
                    ));
                }
            }
        }
    }
    for q in &o.properties {
        if !n.properties.iter().any(|p| p.name == q.name) {
            out.push(format!("-property {}", q.name));
        }
    }
    out
}

/// Output format of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain text.
    Text,
    /// GitHub-flavoured Markdown.
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
    let mut s = format!("API diff {} -> {}\n", d.from, d.to);
    for sec in &d.sections {
        let _ = writeln!(
            s,
            "\n{} (+{} -{} ~{})",
            sec.title,
            sec.added.len(),
            sec.removed.len(),
            sec.changed.len()
        );
        if sec.is_empty() {
            let _ = writeln!(s, "  no change");
        }
        for a in &sec.added {
            let _ = writeln!(s, "  + {a}");
        }
        for r in &sec.removed {
            let _ = writeln!(s, "  - {r}");
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
    s.push_str("| | added | removed | changed |\n|---|---|---|---|\n");
    for sec in &d.sections {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            sec.title,
            sec.added.len(),
            sec.removed.len(),
            sec.changed.len()
        );
    }
    for sec in &d.sections {
        if sec.is_empty() {
            continue;
        }
        let _ = writeln!(s, "\n## {}\n", sec.title);
        for a in &sec.added {
            let _ = writeln!(s, "- added `{a}`");
        }
        for r in &sec.removed {
            let _ = writeln!(s, "- removed `{r}`");
        }
        for c in &sec.changed {
            let _ = writeln!(s, "- changed `{}`: {}", c.item, c.details.join("; "));
        }
    }
    s
}
