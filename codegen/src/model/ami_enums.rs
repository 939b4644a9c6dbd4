//! The types of AMI headers with a documented value list (`<enumlist>`): `bool`,
//! a domain enum, or one generated open enum per distinct value set.
//!
//! Rules, in order, for every event header typed [`HeaderType::Enum`]:
//! 1. A list of exactly one true and one false word of the runtime's `bool`
//!    decoding (`Yes`/`No`, `true`/`false`, `on`/`off`, `1`/`0`, any case) is a
//!    `bool`.
//! 2. A list whose values equal a domain enum's wire values, or all its labels
//!    (as sets), is that domain enum (`QueueMember*` `Status` 0…8 is
//!    `DeviceState`).
//! 3. Every other list is an open enum; lists with equal value sets (as sets)
//!    share one type, whose values keep the first header's order.
//!
//! Names: a type used by one header keeps the name `<Event><Header>`
//! (`AgentsStatus`). A shared type is named from its headers: the camel-case
//! words every event name starts with, then the words every event name ends
//! with, then the header name most of them use (ties: the first in event order).
//! `AOC-D`/`AOC-E` `Type` → `AocType`; `AttendedTransfer`/`BlindTransfer`
//! `Result` → `TransferResult`; fifteen security events' `Severity` →
//! `Severity`. A name the rule makes too vague is replaced through
//! a `[[shared_name]]` fix of `specs/fixes/enums.toml`. A name already taken gets `2`, `3`, … appended.

use super::ami::{EventModel, Model};
use crate::Result;
use crate::fixes::ami_types::HeaderType;
use crate::fixes::enums::{DomainEnum, EnumFixes};
use crate::names::type_name;
use std::collections::BTreeSet;

/// Words the runtime's `bool` header decoding reads as true
/// (`asterisk_sdk_runtime::ami::FromHeader for bool`, compared ignoring case).
const TRUE_WORDS: [&str; 5] = ["yes", "true", "on", "1", "y"];
/// Words the runtime's `bool` header decoding reads as false.
const FALSE_WORDS: [&str; 5] = ["no", "false", "off", "0", "n"];

/// One generated AMI open enum.
#[derive(Debug, Clone)]
pub struct EnumModel {
    /// Rust type name.
    pub name: String,
    /// Documented values, in the first header's order.
    pub values: Vec<String>,
    /// Every header typed with it: (event name, header name).
    pub headers: Vec<(String, String)>,
}

/// Whether `values` are one true and one false word of the `bool` decoding.
fn is_bool_list(values: &[String]) -> bool {
    let is = |words: &[&str], v: &String| words.iter().any(|w| v.eq_ignore_ascii_case(w));
    match values {
        [a, b] => {
            (is(&TRUE_WORDS, a) && is(&FALSE_WORDS, b))
                || (is(&FALSE_WORDS, a) && is(&TRUE_WORDS, b))
        }
        _ => false,
    }
}

/// The domain enum whose wire values or labels are exactly `values` (as sets).
fn domain_enum<'a>(values: &BTreeSet<&str>, domain: &'a EnumFixes) -> Option<&'a DomainEnum> {
    domain.enums.iter().find(|d| {
        let wires: BTreeSet<&str> = d.values.iter().map(|v| v.wire.as_str()).collect();
        let labels: Option<BTreeSet<&str>> = d.values.iter().map(|v| v.label.as_deref()).collect();
        *values == wires || labels.as_ref() == Some(values)
    })
}

/// The camel-case words of a type name: `PjsipMaintenanceStatus` → `Pjsip`,
/// `Maintenance`, `Status`.
fn camel_words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for c in name.chars() {
        match words.last_mut() {
            Some(w) if !c.is_ascii_uppercase() => w.push(c),
            _ => words.push(c.to_string()),
        }
    }
    words
}

/// The name of a type shared by `headers` (see the module docs).
fn shared_name(headers: &[(String, String)]) -> String {
    let events: Vec<Vec<String>> = headers
        .iter()
        .map(|(e, _)| camel_words(&type_name(e)))
        .collect();
    let shortest = events.iter().map(Vec::len).min().unwrap_or(0);
    let common = |at: &dyn Fn(&Vec<String>, usize) -> String| {
        (0..shortest)
            .take_while(|&i| events.iter().all(|w| at(w, i) == at(&events[0], i)))
            .count()
    };
    let lead = common(&|w, i| w[i].clone());
    let trail = common(&|w, i| w[w.len() - 1 - i].clone()).min(shortest - lead);
    let first = &events[0];
    let mut name: String = first[..lead].concat();
    name.push_str(&first[first.len() - trail..].concat());
    let mut best: Option<(&str, usize)> = None;
    for (_, h) in headers {
        let n = headers.iter().filter(|(_, x)| x == h).count();
        if best.is_none_or(|(_, m)| n > m) {
            best = Some((h, n));
        }
    }
    name.push_str(&type_name(best.map(|(h, _)| h).unwrap_or_default()));
    name
}

/// `base`, or `base2`, `base3`, … when taken; recorded in `taken`.
fn unique(taken: &mut BTreeSet<String>, base: String) -> String {
    let mut name = base.clone();
    let mut i = 2;
    while taken.contains(&name) {
        name = format!("{base}{i}");
        i += 1;
    }
    taken.insert(name.clone());
    name
}

impl Model {
    /// Type every enum-list header (see the module docs) and collect the open
    /// enums in [`Model::enums`], in order of first use. Fails when an entry of
    /// `[[shared_name]]` fix names nothing.
    pub fn resolve_enums(&mut self, domain: &EnumFixes) -> Result<()> {
        struct Group {
            set: BTreeSet<String>,
            values: Vec<String>,
            headers: Vec<(String, String)>,
            uses: Vec<(usize, usize)>,
        }
        let mut groups: Vec<Group> = Vec::new();
        for (ei, e) in self.events.iter_mut().enumerate() {
            for (fi, f) in e.fields.iter_mut().enumerate() {
                if f.ty != HeaderType::Enum {
                    continue;
                }
                let mut values: Vec<String> = Vec::new();
                for v in &f.enum_values {
                    if !values.contains(v) {
                        values.push(v.clone());
                    }
                }
                let set: BTreeSet<&str> = values.iter().map(String::as_str).collect();
                if is_bool_list(&values) {
                    f.ty = HeaderType::Bool;
                } else if let Some(d) = domain_enum(&set, domain) {
                    f.ty = HeaderType::Domain(d.name.clone());
                } else {
                    let set: BTreeSet<String> = values.iter().cloned().collect();
                    let use_ = (ei, fi);
                    let header = (e.name.clone(), f.documented_name().to_string());
                    match groups.iter_mut().find(|g| g.set == set) {
                        Some(g) => {
                            g.headers.push(header);
                            g.uses.push(use_);
                        }
                        None => groups.push(Group {
                            set,
                            values,
                            headers: vec![header],
                            uses: vec![use_],
                        }),
                    }
                }
            }
        }
        let mut taken = BTreeSet::new();
        let mut renamed = Vec::new();
        self.enums = groups
            .into_iter()
            .map(|g| {
                let base = match &g.headers[..] {
                    [(event, header)] => format!("{}{}", type_name(event), type_name(header)),
                    many => {
                        let rule = shared_name(many);
                        let fix = domain.shared_names.iter().find(|f| {
                            f.rule == rule
                                && f.headers.len() == many.len()
                                && f.headers
                                    .iter()
                                    .zip(many)
                                    .all(|([e, h], (me, mh))| e == me && h == mh)
                        });
                        match fix {
                            Some(f) => {
                                renamed.push(f.name.as_str());
                                f.type_name.clone()
                            }
                            None => rule,
                        }
                    }
                };
                let name = unique(&mut taken, base);
                for &(ei, fi) in &g.uses {
                    let event: &mut EventModel = &mut self.events[ei];
                    event.fields[fi].enum_type = Some(name.clone());
                }
                EnumModel {
                    name,
                    values: g.values,
                    headers: g.headers,
                }
            })
            .collect();
        match domain
            .shared_names
            .iter()
            .find(|f| !renamed.contains(&f.name.as_str()))
        {
            Some(f) => Err(crate::input_err(
                "specs/fixes/enums.toml",
                format!(
                    "fix `{}` applies to nothing: no shared AMI enum named `{}` over {:?}",
                    f.name, f.rule, f.headers
                ),
            )),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    fn headers(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(e, h)| (e.to_string(), h.to_string()))
            .collect()
    }

    #[test]
    fn two_word_lists_of_the_bool_decoding_are_bools() {
        for yes_no in [
            ["Yes", "No"],
            ["no", "yes"],
            ["True", "False"],
            ["on", "off"],
            ["0", "1"],
        ] {
            assert!(is_bool_list(&s(&yes_no)), "{yes_no:?}");
        }
        for other in [
            &["Yes"][..],
            &["Yes", "No", "Maybe"],
            &["enabled", "disabled"],
            &["Yes", "Y"],
        ] {
            assert!(!is_bool_list(&s(other)), "{other:?}");
        }
    }

    #[test]
    fn shared_names_keep_the_common_words_and_the_header() {
        assert_eq!(
            shared_name(&headers(&[("AOC-D", "Type"), ("AOC-E", "Type")])),
            "AocType"
        );
        assert_eq!(
            shared_name(&headers(&[
                ("AttendedTransfer", "Result"),
                ("BlindTransfer", "Result")
            ])),
            "TransferResult"
        );
        assert_eq!(
            shared_name(&headers(&[
                ("FailedACL", "Severity"),
                ("InvalidPassword", "Severity")
            ])),
            "Severity"
        );
        assert_eq!(
            shared_name(&headers(&[
                ("ExtensionStatus", "StatusText"),
                ("InboundSubscriptionDetail", "ExtensionStates"),
                ("OutboundSubscriptionDetail", "ExtensionStates"),
            ])),
            "ExtensionStates"
        );
        // One event name inside another: its words are not counted twice.
        assert_eq!(
            shared_name(&headers(&[
                ("FaxSession", "State"),
                ("FaxSessionsEntry", "State")
            ])),
            "FaxState"
        );
        assert_eq!(
            shared_name(&headers(&[("Dtmf", "Direction"), ("DtmfEnd", "Direction")])),
            "DtmfDirection"
        );
    }
}
