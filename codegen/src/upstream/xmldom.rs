//! A small element tree over quick-xml events, enough for XPointer resolution.
//!
//! The tree keeps element names (with their prefix, e.g. `xi:include`), attributes
//! in document order, and children (elements and text) in document order.
//! Comments, processing instructions, the XML declaration and the DOCTYPE are
//! dropped: nothing downstream needs them.

use crate::{Result, input_err};
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use std::path::Path;

/// One child of an element: a nested element or a run of character data.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A nested element.
    Element(Element),
    /// Character data (entity and character references already resolved).
    Text(String),
}

/// An element with its attributes and children, all in document order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Element {
    /// The qualified name as written, e.g. `manager` or `xi:include`.
    pub name: String,
    /// Attributes as (qualified name, unescaped value), in document order.
    pub attrs: Vec<(String, String)>,
    /// Child elements and text, in document order.
    pub children: Vec<Node>,
}

impl Element {
    /// A new element without attributes or children.
    pub fn new(name: impl Into<String>) -> Self {
        Element {
            name: name.into(),
            attrs: Vec::new(),
            children: Vec::new(),
        }
    }

    /// The value of attribute `name`, if present.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The child elements, in document order.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The child elements called `name`, in document order.
    pub fn elements_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.elements().filter(move |e| e.name == name)
    }

    /// The first child element called `name`.
    pub fn first_named(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    /// All character data of this element and its descendants, concatenated.
    pub fn text(&self) -> String {
        let mut out = String::new();
        self.collect_text(&mut out);
        out
    }

    fn collect_text(&self, out: &mut String) {
        for c in &self.children {
            match c {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) => e.collect_text(out),
            }
        }
    }
}

/// Parse an XML document held in `text`; `origin` names it in errors.
/// Returns the root element.
pub fn parse(text: &str, origin: &str) -> Result<Element> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(false);
    // Stack of open elements; the bottom entry is a virtual document node.
    let mut stack: Vec<Element> = vec![Element::new("")];
    loop {
        let pos = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| input_err(origin, format!("XML error near byte {pos}: {e}")))?;
        match event {
            Event::Start(start) => {
                let el = start_element(&start, origin)?;
                stack.push(el);
            }
            Event::Empty(start) => {
                let el = start_element(&start, origin)?;
                push_child(&mut stack, Node::Element(el));
            }
            Event::End(end) => {
                let closing = String::from_utf8_lossy(end.name().as_ref()).into_owned();
                if stack.len() < 2 {
                    return Err(input_err(
                        origin,
                        format!("unexpected closing tag </{closing}> near byte {pos}"),
                    ));
                }
                let el = stack
                    .pop()
                    .ok_or_else(|| input_err(origin, "element stack empty"))?;
                if el.name != closing {
                    return Err(input_err(
                        origin,
                        format!(
                            "closing tag </{closing}> does not match <{}> near byte {pos}",
                            el.name
                        ),
                    ));
                }
                push_child(&mut stack, Node::Element(el));
            }
            Event::Text(t) => {
                let s = t
                    .xml10_content()
                    .map_err(|e| input_err(origin, format!("bad text near byte {pos}: {e}")))?;
                push_text(&mut stack, &s);
            }
            Event::CData(c) => {
                let s = c
                    .decode()
                    .map_err(|e| input_err(origin, format!("bad CDATA near byte {pos}: {e}")))?;
                push_text(&mut stack, &s);
            }
            Event::GeneralRef(r) => {
                let s = resolve_ref(&r, origin, pos)?;
                push_text(&mut stack, &s);
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if stack.len() != 1 {
        let open = stack.last().map(|e| e.name.clone()).unwrap_or_default();
        return Err(input_err(origin, format!("document ends inside <{open}>")));
    }
    let doc = stack.pop().unwrap_or_default();
    let mut roots = doc.children.into_iter().filter_map(|n| match n {
        Node::Element(e) => Some(e),
        Node::Text(_) => None,
    });
    let root = roots
        .next()
        .ok_or_else(|| input_err(origin, "document has no root element"))?;
    if roots.next().is_some() {
        return Err(input_err(origin, "document has more than one root element"));
    }
    Ok(root)
}

/// Read and parse the XML file at `path`.
pub fn parse_file(path: &Path) -> Result<Element> {
    let text = crate::read_to_string(path)?;
    parse(&text, &path.display().to_string())
}

fn start_element(start: &BytesStart<'_>, origin: &str) -> Result<Element> {
    let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
    let mut el = Element::new(name);
    for attr in start.attributes() {
        let attr =
            attr.map_err(|e| input_err(origin, format!("bad attribute in <{}>: {e}", el.name)))?;
        let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
        let value = attr
            .unescape_value()
            .map_err(|e| input_err(origin, format!("bad attribute {key} in <{}>: {e}", el.name)))?
            .into_owned();
        el.attrs.push((key, value));
    }
    Ok(el)
}

fn resolve_ref(r: &quick_xml::events::BytesRef<'_>, origin: &str, pos: u64) -> Result<String> {
    if r.is_char_ref() {
        let c = r
            .resolve_char_ref()
            .map_err(|e| {
                input_err(
                    origin,
                    format!("bad character reference near byte {pos}: {e}"),
                )
            })?
            .ok_or_else(|| input_err(origin, format!("bad character reference near byte {pos}")))?;
        return Ok(c.to_string());
    }
    let name = r
        .decode()
        .map_err(|e| input_err(origin, format!("bad entity reference near byte {pos}: {e}")))?;
    let s = match name.as_ref() {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "apos" => "'",
        "quot" => "\"",
        other => {
            return Err(input_err(
                origin,
                format!("unknown entity &{other}; near byte {pos}"),
            ));
        }
    };
    Ok(s.to_string())
}

fn push_child(stack: &mut [Element], node: Node) {
    if let Some(top) = stack.last_mut() {
        top.children.push(node);
    }
}

fn push_text(stack: &mut [Element], s: &str) {
    if let Some(top) = stack.last_mut() {
        if let Some(Node::Text(prev)) = top.children.last_mut() {
            prev.push_str(s);
        } else {
            top.children.push(Node::Text(s.to_string()));
        }
    }
}
