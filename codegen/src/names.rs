//! Rust identifiers from Asterisk names: one deterministic table, then case rules.
//!
//! Asterisk names hold hyphens (`Cause-txt`, `AOC-D`), spaces (`stream file`),
//! parentheses (`UnitAmount(0)`), digits first (`100rel`) and Rust keywords
//! (`type`). Each function here maps such a name to a valid identifier the same
//! way every time.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Rust keywords (strict and reserved) that cannot be plain identifiers.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Names whose generic conversion reads badly or collides; checked before case rules.
const TABLE: &[(&str, &str)] = &[("AOC-D", "AocD"), ("AOC-E", "AocE"), ("AOC-S", "AocS")];

/// Replace every character that cannot be in an identifier by a word break.
fn words(name: &str) -> String {
    let mut s = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c);
        } else {
            s.push('_');
        }
    }
    s
}

/// `UpperCamelCase` type or variant name.
pub fn type_name(name: &str) -> String {
    if let Some((_, v)) = TABLE.iter().find(|(k, _)| *k == name) {
        return (*v).to_string();
    }
    let mut s = words(name).to_upper_camel_case();
    if s.is_empty() {
        s = "Empty".into();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, 'V');
    }
    if s == "Self" {
        s.push('_');
    }
    s
}

/// `snake_case` field, method or module name (keywords get a trailing `_`).
pub fn field_name(name: &str) -> String {
    let mut s = words(name).to_snake_case();
    if s.is_empty() {
        s = "empty".into();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, 'n');
        s.insert(1, '_');
    }
    if KEYWORDS.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

/// Make names unique within one scope by appending `_2`, `_3`, … to repeats,
/// in order. Returns the adjusted names.
pub fn dedupe(names: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for n in names {
        let mut candidate = n.clone();
        let mut i = 2;
        while out.contains(&candidate) {
            candidate = format!("{n}_{i}");
            i += 1;
        }
        out.push(candidate);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_asterisk_names() {
        assert_eq!(type_name("stream file"), "StreamFile");
        assert_eq!(type_name("AOC-D"), "AocD");
        assert_eq!(type_name("PJSIPShowEndpoints"), "PjsipShowEndpoints");
        assert_eq!(type_name("100rel"), "V100rel");
        assert_eq!(field_name("Cause-txt"), "cause_txt");
        assert_eq!(field_name("type"), "type_");
        assert_eq!(field_name("UnitAmount(0)"), "unit_amount_0");
        assert_eq!(field_name("sample offset"), "sample_offset");
        assert_eq!(
            dedupe(vec!["a".into(), "a".into(), "b".into()]),
            ["a", "a_2", "b"]
        );
    }
}
