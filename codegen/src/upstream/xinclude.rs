//! `xi:include` resolution: the XPointer forms Asterisk uses, applied to a fixpoint.
//!
//! Asterisk's documentation only uses same-document includes of the form
//! `<xi:include xpointer="xpointer(EXPR)"/>`, where `EXPR` is a small XPath 1.0
//! location path: child steps with a name test, `node()` or `text()`, each with
//! optional predicates `[@name='…']`, `[contains(@name, '…')]` or `[N]`. The path may
//! start with `/` or not (both are evaluated from the document node).
//!
//! Every pass evaluates all includes against the tree as it was before the pass and
//! then replaces each include element by deep copies of what it selects; included
//! content may itself hold includes, so passes repeat until none is left (like
//! Asterisk's loop over `xmlXIncludeProcess()`).

use super::xmldom::{Element, Node};
use crate::{Result, input_err};

/// The qualified name of an include element.
pub const INCLUDE: &str = "xi:include";

/// Passes after which remaining includes are reported as a cycle.
const MAX_PASSES: usize = 32;

/// Resolve every `xi:include` under `root` (the document element); `origin` names
/// the document in errors. Returns the number of passes that replaced something.
pub fn resolve(root: &mut Element, origin: &str) -> Result<usize> {
    let mut passes = 0;
    loop {
        let mut exprs = Vec::new();
        collect_includes(root, &mut exprs);
        if exprs.is_empty() {
            return Ok(passes);
        }
        if passes == MAX_PASSES {
            return Err(input_err(
                origin,
                format!(
                    "xi:include still unresolved after {MAX_PASSES} passes (cycle?), e.g. {}",
                    exprs[0]
                ),
            ));
        }
        let mut replacements = Vec::with_capacity(exprs.len());
        for raw in &exprs {
            let path = parse_xpointer(raw).map_err(|m| input_err(origin, m))?;
            let selected = path.select(root);
            if selected.is_empty() {
                return Err(input_err(
                    origin,
                    format!("xi:include xpointer=\"{raw}\" selects nothing"),
                ));
            }
            replacements.push(selected);
        }
        let mut iter = replacements.into_iter();
        replace_includes(root, &mut iter);
        passes += 1;
    }
}

/// Collect the `xpointer` attribute of every include under `el`, in document order.
fn collect_includes(el: &Element, out: &mut Vec<String>) {
    for child in &el.children {
        if let Node::Element(e) = child {
            if e.name == INCLUDE {
                out.push(e.attr("xpointer").unwrap_or_default().to_string());
            } else {
                collect_includes(e, out);
            }
        }
    }
}

/// Replace every include under `el`, in document order, by the next replacement.
fn replace_includes(el: &mut Element, repl: &mut impl Iterator<Item = Vec<Node>>) {
    let old = std::mem::take(&mut el.children);
    let mut new = Vec::with_capacity(old.len());
    for child in old {
        match child {
            Node::Element(e) if e.name == INCLUDE => {
                if let Some(nodes) = repl.next() {
                    for n in nodes {
                        push_merging_text(&mut new, n);
                    }
                }
            }
            Node::Element(mut e) => {
                replace_includes(&mut e, repl);
                new.push(Node::Element(e));
            }
            Node::Text(t) => push_merging_text(&mut new, Node::Text(t)),
        }
    }
    el.children = new;
}

fn push_merging_text(out: &mut Vec<Node>, n: Node) {
    if let Node::Text(t) = &n
        && let Some(Node::Text(prev)) = out.last_mut()
    {
        prev.push_str(t);
        return;
    }
    out.push(n);
}

/// A parsed location path of the supported XPath subset.
#[derive(Debug, Clone, PartialEq)]
pub struct LocationPath {
    /// Child steps from the document node.
    pub steps: Vec<Step>,
}

/// One child step.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// What the step selects among the children.
    pub test: NodeTest,
    /// Predicates, applied in order.
    pub predicates: Vec<Predicate>,
}

/// The node test of a step.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeTest {
    /// Child elements with this qualified name.
    Name(String),
    /// Every child node (`node()`).
    AnyNode,
    /// Text children (`text()`).
    Text,
}

/// A step predicate.
#[derive(Debug, Clone, PartialEq)]
pub enum Predicate {
    /// `[@attr='value']`.
    AttrEquals(String, String),
    /// `[contains(@attr, 'value')]`.
    AttrContains(String, String),
    /// `[N]`, 1-based position among the nodes the step selected so far.
    Position(usize),
}

/// Parse an `xpointer` attribute value of the form `xpointer(EXPR)`.
pub fn parse_xpointer(raw: &str) -> std::result::Result<LocationPath, String> {
    let trimmed = raw.trim();
    let inner = trimmed
        .strip_prefix("xpointer(")
        .and_then(|s| s.strip_suffix(')'))
        .ok_or_else(|| format!("xi:include xpointer=\"{raw}\": not of the form xpointer(EXPR)"))?;
    parse_path(inner).map_err(|m| format!("xi:include xpointer=\"{raw}\": {m}"))
}

/// Parse a location path of the supported subset.
pub fn parse_path(expr: &str) -> std::result::Result<LocationPath, String> {
    let mut p = Parser {
        s: expr.as_bytes(),
        i: 0,
    };
    p.skip_ws();
    p.eat(b'/');
    let mut steps = Vec::new();
    loop {
        p.skip_ws();
        steps.push(p.step()?);
        p.skip_ws();
        if p.at_end() {
            break;
        }
        if !p.eat(b'/') {
            return Err(format!("unexpected text at offset {}", p.i));
        }
    }
    Ok(LocationPath { steps })
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn at_end(&self) -> bool {
        self.i >= self.s.len()
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: u8) -> std::result::Result<(), String> {
        self.skip_ws();
        if self.eat(c) {
            Ok(())
        } else {
            Err(format!("expected '{}' at offset {}", c as char, self.i))
        }
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn name(&mut self) -> std::result::Result<String, String> {
        let start = self.i;
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b':') || c >= 0x80 {
                self.i += 1;
            } else {
                break;
            }
        }
        if start == self.i {
            return Err(format!("expected a name at offset {start}"));
        }
        Ok(String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }

    fn literal(&mut self) -> std::result::Result<String, String> {
        self.skip_ws();
        let quote = match self.peek() {
            Some(q @ (b'\'' | b'"')) => q,
            _ => return Err(format!("expected a string literal at offset {}", self.i)),
        };
        self.i += 1;
        let start = self.i;
        while let Some(c) = self.peek() {
            if c == quote {
                let v = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
                self.i += 1;
                return Ok(v);
            }
            self.i += 1;
        }
        Err(format!("unterminated string literal at offset {start}"))
    }

    fn step(&mut self) -> std::result::Result<Step, String> {
        let name = self.name()?;
        let test = if self.peek() == Some(b'(') {
            self.i += 1;
            self.expect(b')')?;
            match name.as_str() {
                "node" => NodeTest::AnyNode,
                "text" => NodeTest::Text,
                other => return Err(format!("unsupported node test {other}()")),
            }
        } else {
            NodeTest::Name(name)
        };
        let mut predicates = Vec::new();
        loop {
            self.skip_ws();
            if !self.eat(b'[') {
                break;
            }
            self.skip_ws();
            predicates.push(self.predicate()?);
            self.expect(b']')?;
        }
        Ok(Step { test, predicates })
    }

    fn predicate(&mut self) -> std::result::Result<Predicate, String> {
        match self.peek() {
            Some(b'@') => {
                self.i += 1;
                let attr = self.name()?;
                self.expect(b'=')?;
                let value = self.literal()?;
                Ok(Predicate::AttrEquals(attr, value))
            }
            Some(c) if c.is_ascii_digit() => {
                let start = self.i;
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.i += 1;
                }
                let digits = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
                let n: usize = digits
                    .parse()
                    .map_err(|_| format!("bad position {digits} at offset {start}"))?;
                Ok(Predicate::Position(n))
            }
            _ => {
                let func = self.name()?;
                if func != "contains" {
                    return Err(format!("unsupported predicate function {func}()"));
                }
                self.expect(b'(')?;
                self.skip_ws();
                if !self.eat(b'@') {
                    return Err(format!(
                        "contains() needs an attribute first, at offset {}",
                        self.i
                    ));
                }
                let attr = self.name()?;
                self.expect(b',')?;
                let value = self.literal()?;
                self.expect(b')')?;
                Ok(Predicate::AttrContains(attr, value))
            }
        }
    }
}

/// A node selected by a path: an element or a text child.
#[derive(Debug, Clone, Copy)]
enum Selected<'a> {
    Element(&'a Element),
    Text(&'a str),
}

impl LocationPath {
    /// Evaluate the path against the document whose element is `root` and return
    /// deep copies of the selected nodes, in document order.
    pub fn select(&self, root: &Element) -> Vec<Node> {
        let mut steps = self.steps.iter();
        let Some(first) = steps.next() else {
            return Vec::new();
        };
        // The document node has exactly one child: the root element.
        let mut current = apply_step(first, vec![Selected::Element(root)]);
        for step in steps {
            let mut next = Vec::new();
            for ctx in &current {
                if let Selected::Element(e) = ctx {
                    next.extend(apply_step(step, children_of(e)));
                }
            }
            current = next;
        }
        current
            .into_iter()
            .map(|s| match s {
                Selected::Element(e) => Node::Element(e.clone()),
                Selected::Text(t) => Node::Text(t.to_string()),
            })
            .collect()
    }
}

/// The children of `e` as selectable nodes.
fn children_of(e: &Element) -> Vec<Selected<'_>> {
    e.children
        .iter()
        .map(|n| match n {
            Node::Element(e) => Selected::Element(e),
            Node::Text(t) => Selected::Text(t),
        })
        .collect()
}

/// Select among `children` what `step` matches, predicates applied.
fn apply_step<'a>(step: &Step, children: Vec<Selected<'a>>) -> Vec<Selected<'a>> {
    let mut nodes: Vec<Selected<'a>> = children
        .into_iter()
        .filter(|n| match (&step.test, n) {
            (NodeTest::Name(name), Selected::Element(e)) => &e.name == name,
            (NodeTest::AnyNode, _) => true,
            (NodeTest::Text, Selected::Text(_)) => true,
            _ => false,
        })
        .collect();
    for pred in &step.predicates {
        nodes = match pred {
            Predicate::Position(n) => nodes.get(n.wrapping_sub(1)).copied().into_iter().collect(),
            Predicate::AttrEquals(attr, value) => nodes
                .into_iter()
                .filter(|s| matches!(s, Selected::Element(e) if e.attr(attr) == Some(value)))
                .collect(),
            Predicate::AttrContains(attr, value) => nodes
                .into_iter()
                .filter(|s| {
                    matches!(s, Selected::Element(e)
                        if e.attr(attr).is_some_and(|v| v.contains(value.as_str())))
                })
                .collect(),
        };
    }
    nodes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::upstream::xmldom::parse;

    #[test]
    fn parses_the_forms_asterisk_uses() {
        let p = parse_xpointer(
            "xpointer(/docs/managerEvent[@name='RTCPSent']/managerEventInstance/syntax/parameter[contains(@name, 'ReportX')])",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.steps.len(), 5);
        assert_eq!(
            p.steps[4].predicates,
            vec![Predicate::AttrContains("name".into(), "ReportX".into())]
        );
        let p =
            parse_xpointer("xpointer(docs/manager[@name='A']/syntax/parameter[@name='B']/para[2])")
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.steps[0].test, NodeTest::Name("docs".into()));
        assert_eq!(p.steps[4].predicates, vec![Predicate::Position(2)]);
        assert!(parse_xpointer("xpointer(/docs/a[last()])").is_err());
        assert!(parse_xpointer("element(/1/2)").is_err());
    }

    #[test]
    fn resolves_to_a_fixpoint() {
        let xml = r#"<docs xmlns:xi="http://www.w3.org/2001/XInclude">
<a name="x"><p name="one">1</p><p name="two">2<q/></p></a>
<b><xi:include xpointer="xpointer(/docs/c/p)"/></b>
<c><xi:include xpointer="xpointer(/docs/a[@name='x']/p[2])"/><p name="three"/></c>
<d><xi:include xpointer="xpointer(docs/a/p[@name='one']/text())"/></d>
<e><xi:include xpointer="xpointer(/docs/c)"/></e>
</docs>"#;
        let mut root = parse(xml, "t").unwrap_or_else(|e| panic!("{e}"));
        let passes = resolve(&mut root, "t").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(passes, 2);
        let b = root.first_named("b").unwrap_or_else(|| panic!("no b"));
        let names: Vec<_> = b.elements().filter_map(|e| e.attr("name")).collect();
        // In pass 1 c's include was not yet a <p>, so b gets only "three";
        assert_eq!(names, vec!["three"]);
        let c = root.first_named("c").unwrap_or_else(|| panic!("no c"));
        let names: Vec<_> = c.elements().filter_map(|e| e.attr("name")).collect();
        assert_eq!(names, vec!["two", "three"]);
        assert_eq!(
            root.first_named("d").map(|d| d.text()),
            Some("1".to_string())
        );
        let e = root.first_named("e").and_then(|e| e.first_named("c"));
        let names: Vec<_> = e
            .map(|c| c.elements().filter_map(|e| e.attr("name")).collect())
            .unwrap_or_default();
        assert_eq!(names, vec!["two", "three"]);
    }

    #[test]
    fn unresolved_include_is_an_error() {
        let xml = r#"<docs><a><xi:include xpointer="xpointer(/docs/nothing)"/></a></docs>"#;
        let mut root = parse(xml, "t").unwrap_or_else(|e| panic!("{e}"));
        let err = resolve(&mut root, "t").err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("/docs/nothing")));
    }
}
