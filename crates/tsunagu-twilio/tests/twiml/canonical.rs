//! A canonical form of an XML document (names, attribute maps, merged text) to compare TwiML from
//! different writers, which differ in attribute order and in `<X />` versus `<X/>`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    Element(Element),
    Text(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Element {
    pub(crate) name: String,
    pub(crate) attributes: BTreeMap<String, String>,
    pub(crate) children: Vec<Node>,
}

impl Element {
    /// The concatenated text directly inside this element.
    pub(crate) fn text(&self) -> String {
        self.children
            .iter()
            .filter_map(|child| match child {
                Node::Text(text) => Some(text.as_str()),
                Node::Element(_) => None,
            })
            .collect()
    }

    pub(crate) fn child_elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|child| match child {
            Node::Element(element) => Some(element),
            Node::Text(_) => None,
        })
    }

    /// Depth-first, this element first.
    pub(crate) fn descendants(&self) -> Vec<&Element> {
        let mut all = vec![self];
        for child in self.child_elements() {
            all.extend(child.descendants());
        }
        all
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Document {
    /// `version` and `encoding` of the XML declaration, if there is one.
    pub(crate) declaration: Option<(String, Option<String>)>,
    pub(crate) root: Element,
}

impl Document {
    /// An indented rendering, stable under attribute order, for readable diffs.
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        if let Some((version, encoding)) = &self.declaration {
            let _ = writeln!(out, "xml version={version:?} encoding={encoding:?}");
        }
        render_element(&self.root, 0, &mut out);
        out
    }
}

fn render_element(element: &Element, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    let _ = write!(out, "{indent}<{}", element.name);
    for (name, value) in &element.attributes {
        let _ = write!(out, " {name}={value:?}");
    }
    out.push_str(">\n");
    for child in &element.children {
        match child {
            Node::Element(child) => render_element(child, depth + 1, out),
            Node::Text(text) => {
                let _ = writeln!(out, "{indent}  text {text:?}");
            }
        }
    }
}

fn element_of(start: &BytesStart<'_>) -> Result<Element, String> {
    let name = start.name().into_inner().to_owned();
    let mut attributes = BTreeMap::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| format!("attribute of <{name}>: {e}"))?;
        let value = attribute
            .normalized_value(XmlVersion::Explicit1_0)
            .map_err(|e| format!("attribute value of <{name}>: {e}"))?;
        let key = attribute.key.into_inner().to_owned();
        if attributes.insert(key, value.into_owned()).is_some() {
            return Err(format!("duplicate attribute on <{name}>"));
        }
    }
    Ok(Element {
        name,
        attributes,
        children: Vec::new(),
    })
}

fn push_text(stack: &mut [Element], text: &str) -> Result<(), String> {
    let Some(parent) = stack.last_mut() else {
        return if text.trim().is_empty() {
            Ok(())
        } else {
            Err("text outside the root element".to_owned())
        };
    };
    if let Some(Node::Text(previous)) = parent.children.last_mut() {
        previous.push_str(text);
    } else {
        parent.children.push(Node::Text(text.to_owned()));
    }
    Ok(())
}

/// Parses with quick-xml's reader. Adjacent text and entity references merge into one text node.
pub(crate) fn parse(xml: &str) -> Result<Document, String> {
    let mut reader = Reader::from_str(xml);
    let mut declaration = None;
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("at byte {}: {e}", reader.error_position()))?;
        let finished = match event {
            Event::Decl(decl) => {
                let version = decl.version().map_err(|e| e.to_string())?.into_owned();
                let encoding = decl
                    .encoding()
                    .transpose()
                    .map_err(|e| e.to_string())?
                    .map(|encoding| encoding.into_owned());
                declaration = Some((version, encoding));
                None
            }
            Event::Start(start) => {
                stack.push(element_of(&start)?);
                None
            }
            Event::Empty(start) => {
                let element = element_of(&start)?;
                match stack.last_mut() {
                    Some(parent) => {
                        parent.children.push(Node::Element(element));
                        None
                    }
                    None => Some(element),
                }
            }
            Event::End(end) => {
                let element = stack.pop().ok_or("end tag without a start")?;
                if end.name().into_inner() != element.name {
                    return Err(format!(
                        "</{}> closes <{}>",
                        end.name().into_inner(),
                        element.name
                    ));
                }
                match stack.last_mut() {
                    Some(parent) => {
                        parent.children.push(Node::Element(element));
                        None
                    }
                    None => Some(element),
                }
            }
            Event::Text(text) => {
                push_text(&mut stack, &text.xml10_content())?;
                None
            }
            Event::CData(cdata) => {
                push_text(&mut stack, &cdata.xml10_content())?;
                None
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c.to_string(),
                    None => resolve_predefined_entity(&reference)
                        .ok_or_else(|| format!("unknown entity &{};", &*reference))?
                        .to_owned(),
                };
                push_text(&mut stack, &resolved)?;
                None
            }
            Event::Eof => break,
            other => return Err(format!("unexpected event {other:?}")),
        };
        if let Some(element) = finished
            && root.replace(element).is_some()
        {
            return Err("more than one root element".to_owned());
        }
    }
    if !stack.is_empty() {
        return Err("unclosed element".to_owned());
    }
    let root = root.ok_or("no root element")?;
    Ok(Document { declaration, root })
}
