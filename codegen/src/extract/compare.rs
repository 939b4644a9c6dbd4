//! Compare an extracted supplement with a reference one (such as the hand-checked
//! files in `../shared/specs/asterisk/<tag>/`): per section, how many reference
//! entries are reproduced by name and by content, and every difference.

use crate::upstream::supplement::Supplement;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Marks a difference that does not count against content (prose facts the
/// scanner cannot derive, such as the reference's `other: …` ack texts).
pub const NOTE: &str = "note: ";

/// Figures and differences of one section.
#[derive(Debug, Clone, Default)]
pub struct Section {
    /// The section's key in `supplement.json`.
    pub name: &'static str,
    /// Entries of the reference.
    pub reference: usize,
    /// Reference entries the extraction has (same key).
    pub by_name: usize,
    /// Of those, entries whose compared content is equal.
    pub by_content: usize,
    /// Entries only the extraction has.
    pub extra: usize,
    /// One line per difference.
    pub differences: Vec<String>,
}

impl Section {
    /// `by_name` as a percentage of `reference` (100 for an empty reference).
    pub fn name_percent(&self) -> f64 {
        percent(self.by_name, self.reference)
    }

    /// `by_content` as a percentage of `reference`.
    pub fn content_percent(&self) -> f64 {
        percent(self.by_content, self.reference)
    }
}

fn percent(n: usize, of: usize) -> f64 {
    if of == 0 {
        100.0
    } else {
        n as f64 * 100.0 / of as f64
    }
}

/// Compare `ours` (extracted) with `reference`, section by section.
pub fn compare(ours: &Supplement, reference: &Supplement) -> Vec<Section> {
    vec![
        section(
            "undocumented_events",
            &ours.undocumented_events,
            &reference.undocumented_events,
            |a, b| {
                let mut d = Vec::new();
                if a.fields != b.fields {
                    d.push(format!(
                        "fields: extracted [{}], reference [{}]",
                        a.fields.join(", "),
                        b.fields.join(", ")
                    ));
                }
                if a.kind != b.kind {
                    d.push(format!(
                        "kind: extracted {:?}, reference {:?}",
                        a.kind, b.kind
                    ));
                }
                if a.class != b.class {
                    d.push(format!(
                        "class: extracted {:?}, reference {:?}",
                        a.class, b.class
                    ));
                }
                if a.source != b.source {
                    d.push(format!(
                        "source: extracted {:?}, reference {:?}",
                        a.source, b.source
                    ));
                }
                d
            },
        ),
        section(
            "list_actions",
            &ours.list_actions,
            &reference.list_actions,
            |a, b| {
                let mut d = Vec::new();
                if a.item_events != b.item_events {
                    d.push(format!(
                        "items: extracted [{}], reference [{}]",
                        a.item_events.join(", "),
                        b.item_events.join(", ")
                    ));
                }
                if a.complete_event != b.complete_event {
                    d.push(format!(
                        "complete: extracted {:?}, reference {:?}",
                        a.complete_event, b.complete_event
                    ));
                }
                let plain = |x: &Option<String>| x.as_deref() == Some("EventList: start");
                if plain(&a.ack) != plain(&b.ack) {
                    d.push(format!(
                        "{NOTE}ack: extracted {:?}, reference {:?}",
                        a.ack, b.ack
                    ));
                }
                d
            },
        ),
        section(
            "action_privileges",
            &ours.action_privileges,
            &reference.action_privileges,
            |a, b| {
                if a == b {
                    Vec::new()
                } else {
                    vec![format!("extracted {a:?}, reference {b:?}")]
                }
            },
        ),
        section(
            "documented_event_extra_headers",
            &ours.documented_event_extra_headers,
            &reference.documented_event_extra_headers,
            |a, b| {
                if a == b {
                    Vec::new()
                } else {
                    vec![format!("extracted {a:?}, reference {b:?}")]
                }
            },
        ),
        section(
            "wire_name_fixes",
            &ours.wire_name_fixes,
            &reference.wire_name_fixes,
            |a, b| {
                if a == b {
                    Vec::new()
                } else {
                    vec![format!("extracted {a:?}, reference {b:?}")]
                }
            },
        ),
        section(
            "agi_results",
            &ours.agi_results,
            &reference.agi_results,
            |_, _| {
                // The reference's texts are prose; only the command set is compared.
                Vec::new()
            },
        ),
    ]
}

fn section<T>(
    name: &'static str,
    ours: &BTreeMap<String, T>,
    reference: &BTreeMap<String, T>,
    content: impl Fn(&T, &T) -> Vec<String>,
) -> Section {
    let mut s = Section {
        name,
        reference: reference.len(),
        ..Section::default()
    };
    for (k, r) in reference {
        match ours.get(k) {
            None => s.differences.push(format!("missing {k}")),
            Some(o) => {
                s.by_name += 1;
                let d = content(o, r);
                if d.iter().all(|l| l.starts_with(NOTE)) {
                    s.by_content += 1;
                }
                for line in d {
                    s.differences.push(format!("{k}: {line}"));
                }
            }
        }
    }
    for k in ours.keys().filter(|k| !reference.contains_key(*k)) {
        s.extra += 1;
        s.differences.push(format!("extra {k}"));
    }
    s
}

/// The report as text: a figures table, then the differences of each section.
pub fn render(tag: &str, sections: &[Section]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "supplement comparison for {tag} (extracted vs reference)"
    );
    let _ = writeln!(
        out,
        "{:<32} {:>9} {:>16} {:>16} {:>6}",
        "section", "reference", "by name", "by content", "extra"
    );
    for s in sections {
        let _ = writeln!(
            out,
            "{:<32} {:>9} {:>7} ({:>5.1}%) {:>7} ({:>5.1}%) {:>6}",
            s.name,
            s.reference,
            s.by_name,
            s.name_percent(),
            s.by_content,
            s.content_percent(),
            s.extra
        );
    }
    for s in sections {
        if s.differences.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n## {} ({} differences)", s.name, s.differences.len());
        for d in &s.differences {
            let _ = writeln!(out, "- {d}");
        }
    }
    out
}
