//! The XML half of `extract`: `core-en_US.xml` assembled from the
//! `/*** DOCUMENTATION … ***/` blocks of the C sources and the module `*.xml` files,
//! as Asterisk's documentation build does.

use super::{MODULE_DIRS, has_ext, read_lossy, stem, walk};
use crate::Result;
use std::path::{Path, PathBuf};

/// Elements that get a `module="…"` attribute when they lack one.
pub const MODULE_TAGGED: [&str; 6] = [
    "manager",
    "managerEvent",
    "managerEventInstance",
    "function",
    "application",
    "info",
];

const DOC_START: &str = "/*** DOCUMENTATION";
const MODULEINFO_START: &str = "/*** MODULEINFO";
const BLOCK_END: &str = "***/";

/// The complete `core-en_US.xml` text for the source tree at `src`.
pub fn assemble_xml(src: &Path) -> Result<String> {
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<!DOCTYPE docs SYSTEM \"appdocsxml.dtd\">\n");
    out.push_str("<?xml-stylesheet type=\"text/xsl\" href=\"appdocsxml.xslt\"?>\n");
    out.push_str("<docs xmlns:xi=\"http://www.w3.org/2001/XInclude\">\n");
    for dir in MODULE_DIRS {
        let root = src.join(dir);
        if !root.is_dir() {
            continue;
        }
        let mut files = Vec::new();
        walk(&root, &mut files)?;
        let (sources, xmls): (Vec<PathBuf>, Vec<PathBuf>) = files
            .into_iter()
            .filter(|f| has_ext(f, &["c", "cc", "xml"]))
            .partition(|f| has_ext(f, &["c", "cc"]));
        for file in &sources {
            let text = read_lossy(file)?;
            let stem = attr_escape(&stem(file));
            let info = blocks(&text, MODULEINFO_START);
            if !info.is_empty() {
                out.push_str(&format!("<module language=\"en_US\" name=\"{stem}\">\n"));
                for b in &info {
                    out.push_str(b);
                }
                out.push_str("</module>\n");
            }
            for b in blocks(&text, DOC_START) {
                let module = if dir == "main" {
                    "builtin"
                } else {
                    stem.as_str()
                };
                out.push_str(&tag_modules(&b, module));
            }
        }
        for file in &xmls {
            let text = read_lossy(file)?;
            if !text.contains("appdocsxml.dtd") {
                continue;
            }
            let body: String = text
                .lines()
                .filter(|l| !is_wrapper_line(l))
                .map(|l| format!("{l}\n"))
                .collect();
            out.push_str(&tag_modules(&body, &module_name(dir, &root, file)));
        }
    }
    out.push_str("</docs>\n");
    Ok(out)
}

/// The `module` attribute value for a module `*.xml` file, as Asterisk's
/// `build_tools/make_xml_documentation` gives it: `builtin` directly in `main/`
/// (so is every C source under `main/`); elsewhere the file name without its
/// `_doc.xml` suffix.
/// A `*.xml` in a sub-folder belongs to the module whose
/// `$(call MOD_ADD_C,<module>,$(wildcard <sub-folder>/…))` line the folder's
/// Makefile has (empty when none does, as the script's `sed` gives).
fn module_name(dir: &str, root: &Path, file: &Path) -> String {
    let parent = file.parent();
    if parent != Some(root) {
        let sub = parent
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        return makefile_module(root, &sub).unwrap_or_default();
    }
    if dir == "main" {
        return "builtin".to_string();
    }
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match name.strip_suffix("_doc.xml") {
        Some(module) => attr_escape(module),
        None => attr_escape(&name),
    }
}

fn makefile_module(root: &Path, sub: &str) -> Option<String> {
    let text = std::fs::read_to_string(root.join("Makefile")).ok()?;
    text.lines().find_map(|line| {
        let rest = line.strip_prefix("$(call MOD_ADD_C,")?;
        let (name, files) = rest.split_once(',')?;
        let files = files.strip_prefix("$(wildcard")?;
        let first = files.trim_start();
        (files.len() > first.len() && first.starts_with(&format!("{sub}/")))
            .then(|| attr_escape(name))
    })
}

/// The lines strictly between each line holding `start` and the next line holding
/// `***/`, each block with a trailing newline.
fn blocks(text: &str, start: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match current.as_mut() {
            None => {
                if line.contains(start) {
                    current = Some(String::new());
                }
            }
            Some(buf) => {
                if line.contains(BLOCK_END) {
                    out.push(std::mem::take(buf));
                    current = None;
                } else {
                    buf.push_str(line);
                    buf.push('\n');
                }
            }
        }
    }
    out.retain(|b| !b.trim().is_empty());
    out
}

/// Whether a line of a module `*.xml` file is the declaration, DOCTYPE or `docs` wrapper.
fn is_wrapper_line(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("<?xml")
        || t.starts_with("<!DOCTYPE")
        || t.starts_with("<docs")
        || t.starts_with("</docs")
}

/// Add `module="<module>"` (`module` already escaped) to every start tag of a [`MODULE_TAGGED`] element that has
/// no `module` attribute.
pub fn tag_modules(xml: &str, module: &str) -> String {
    let mut out = String::with_capacity(xml.len() + 256);
    let mut rest = xml;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let tag_text = &rest[lt..];
        let name_len = tag_text[1..]
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or(tag_text.len() - 1);
        let name = &tag_text[1..1 + name_len];
        let end = if MODULE_TAGGED.contains(&name) {
            tag_end(tag_text)
        } else {
            None
        };
        let Some(end) = end else {
            // Not a tag we touch (or an unterminated one): copy the `<` and go on.
            out.push('<');
            rest = &tag_text[1..];
            continue;
        };
        let tag = &tag_text[..=end];
        if has_module_attr(tag) {
            out.push_str(tag);
        } else {
            let body_end = if tag.ends_with("/>") {
                tag.len() - 2
            } else {
                tag.len() - 1
            };
            out.push_str(tag[..body_end].trim_end());
            out.push_str(" module=\"");
            out.push_str(module);
            out.push('"');
            out.push_str(&tag[body_end..]);
        }
        rest = &tag_text[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Index of the `>` closing the tag that starts `s`, skipping quoted values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(i),
            (None, _) => {}
        }
    }
    None
}

fn has_module_attr(tag: &str) -> bool {
    tag.match_indices("module").any(|(i, _)| {
        let before = tag[..i].chars().next_back();
        let after = tag[i + "module".len()..].trim_start();
        before.is_some_and(char::is_whitespace) && after.starts_with('=')
    })
}

/// Escape a value for a double-quoted attribute.
fn attr_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_modules_only_where_missing() {
        let xml = "<manager name=\"A\" language=\"en_US\">\n<managerEvent name='B' module=\"x\">\
                   <managerEventInstance class=\"EVENT_FLAG_CALL\"/></managerEvent>\
                   <parameter name=\"manager\"/><info name=\"I\" language=\"en_US\" tech=\"T\"></info>";
        let got = tag_modules(xml, "m");
        assert!(got.contains("<manager name=\"A\" language=\"en_US\" module=\"m\">"));
        assert!(got.contains("<managerEvent name='B' module=\"x\">"));
        assert!(got.contains("<managerEventInstance class=\"EVENT_FLAG_CALL\" module=\"m\"/>"));
        assert!(got.contains("<parameter name=\"manager\"/>"));
        assert!(got.contains("tech=\"T\" module=\"m\">"));
    }

    #[test]
    fn finds_every_block() {
        let c = "x\n/*** DOCUMENTATION\n<a/>\n ***/\ny\n/*** DOCUMENTATION\n<b/>\n***/\n";
        assert_eq!(blocks(c, DOC_START), vec!["<a/>\n", "<b/>\n"]);
        assert!(blocks("/*** MODULEINFO\n***/", MODULEINFO_START).is_empty());
    }
}
