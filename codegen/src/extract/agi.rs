//! AGI facts from the C sources: every command of an `agi_command` table
//! (`{ { "word", …, NULL }, handler, …, dead }`), the reply formats its handler
//! (and its same-file callees) write with `ast_agi_send`, and its dead-safe flag.

use super::scan::{CFile, Tok};
use super::tree::Tree;
use crate::upstream::supplement::AgiResult;
use std::collections::BTreeMap;

/// Result formats per command name, and the dead-safe command names (sorted).
pub fn results(tree: &Tree) -> (BTreeMap<String, AgiResult>, Vec<String>) {
    let mut out = BTreeMap::new();
    let mut dead_safe = Vec::new();
    for file in tree.files.values() {
        for (name, handler, dead) in commands(file) {
            let mut formats = Vec::new();
            if let Some(idx) = file.function_index(&handler) {
                collect_sends(file, idx, 0, &mut formats, &mut Vec::new());
            }
            if dead {
                dead_safe.push(name.clone());
            }
            out.entry(name).or_insert_with(|| agi_result(&formats));
        }
    }
    dead_safe.sort();
    dead_safe.dedup();
    (out, dead_safe)
}

/// `(command words joined by spaces, handler, dead-safe)` of every table entry.
fn commands(file: &CFile) -> Vec<(String, String, bool)> {
    let t = &file.tokens;
    let mut out = Vec::new();
    for i in 0..t.len() {
        if !(file.is_punct(i, '{') && file.is_punct(i + 1, '{')) {
            continue;
        }
        let Some(inner_close) = file.pair[i + 1] else {
            continue;
        };
        let mut words = Vec::new();
        let mut ok = true;
        for tok in &t[i + 2..inner_close] {
            match &tok.tok {
                Tok::Str(s) => words.push(s.clone()),
                Tok::Ident(n) if n == "NULL" => {}
                Tok::Punct(',') => {}
                _ => ok = false,
            }
        }
        if !ok || words.is_empty() || !file.is_punct(inner_close + 1, ',') {
            continue;
        }
        let Some(handler) = file.ident(inner_close + 2) else {
            continue;
        };
        if !handler.starts_with("handle_") {
            continue;
        }
        let Some(outer_close) = file.pair[i] else {
            continue;
        };
        // The last field of the entry is the dead-safe flag.
        let dead = matches!(t.get(outer_close - 1).map(|x| &x.tok), Some(Tok::Num(n)) if n != "0");
        out.push((words.join(" "), handler.to_string(), dead));
    }
    out
}

fn collect_sends(
    file: &CFile,
    idx: usize,
    depth: usize,
    out: &mut Vec<String>,
    seen: &mut Vec<usize>,
) {
    if depth > 2 || seen.contains(&idx) {
        return;
    }
    seen.push(idx);
    let f = &file.functions[idx];
    for i in f.open..f.close {
        let Some(call) = file.call_at(i) else {
            continue;
        };
        if call.name == "ast_agi_send" {
            if let Some(fmt) = call.args.get(2).and_then(|r| file.literal(*r)) {
                let line = fmt.trim_end_matches('\n').to_string();
                if !out.contains(&line) {
                    out.push(line);
                }
            }
        } else if let Some(ci) = file.function_index(&call.name) {
            collect_sends(file, ci, depth + 1, out, seen);
        }
    }
}

/// An AGI command's result entry from the reply formats its handler writes
/// (`200 result=%d (%s) endpos=%ld`): the formats, whether data in parentheses
/// appears, and the further `key=` tokens.
fn agi_result(formats: &[String]) -> AgiResult {
    let mut extra = Vec::new();
    let mut data = false;
    for f in formats {
        for tok in f.split_whitespace() {
            if let Some((k, _)) = tok.split_once('=')
                && k != "result"
                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                let e = format!("{k}=");
                if !extra.contains(&e) {
                    extra.push(e);
                }
            }
            if tok.starts_with('(') {
                data = true;
            }
        }
    }
    AgiResult {
        result: format!("reply lines (from the C source): {}", formats.join(" | ")),
        data: if data {
            "text in parentheses (see the reply lines)".to_string()
        } else {
            String::new()
        },
        extra,
    }
}
