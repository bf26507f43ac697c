//! The one place TwiML touches XML: quick-xml's writer, plus the refusal of characters XML forbids.

use std::borrow::Cow;

use quick_xml::Writer;
use quick_xml::escape::partial_escape;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::TwimlError;

/// XML 1.0's `Char` production without the surrogates (which `str` cannot hold): C0 controls
/// other than tab, LF and CR, and U+FFFE/U+FFFF, make a document no parser has to accept.
/// Twilio's Python library lets them through; we refuse rather than strip, so that nothing the
/// caller wrote disappears silently.
fn is_forbidden_in_xml(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

fn check(element: &'static str, value: &str) -> Result<(), TwimlError> {
    if value.chars().any(is_forbidden_in_xml) {
        return Err(TwimlError::ControlCharacter { element });
    }
    Ok(())
}

/// The attributes of one element; absent ones are skipped. They are written sorted by name (code
/// point order), as Twilio's Python helper writes them, so our documents equal its vectors byte
/// for byte (`tests/fixtures/twilio-vectors*.json`) whatever order the builders set them in.
pub(super) struct Attributes<'a> {
    element: &'static str,
    list: Vec<(&'static str, Cow<'a, str>)>,
}

impl<'a> Attributes<'a> {
    pub(super) fn new(element: &'static str) -> Self {
        Self {
            element,
            list: Vec::new(),
        }
    }

    pub(super) fn text(mut self, name: &'static str, value: Option<&'a str>) -> Self {
        if let Some(value) = value {
            self.list.push((name, Cow::Borrowed(value)));
        }
        self
    }

    pub(super) fn value<T: AsRef<str>>(mut self, name: &'static str, value: Option<&'a T>) -> Self {
        if let Some(value) = value {
            self.list.push((name, Cow::Borrowed(value.as_ref())));
        }
        self
    }

    pub(super) fn number(mut self, name: &'static str, value: Option<u32>) -> Self {
        if let Some(value) = value {
            self.list.push((name, Cow::Owned(value.to_string())));
        }
        self
    }

    pub(super) fn flag(mut self, name: &'static str, value: Option<bool>) -> Self {
        if let Some(value) = value {
            self.list
                .push((name, Cow::Borrowed(if value { "true" } else { "false" })));
        }
        self
    }

    pub(super) fn owned(mut self, name: &'static str, value: Option<Cow<'a, str>>) -> Self {
        if let Some(value) = value {
            self.list.push((name, value));
        }
        self
    }

    /// A space-separated list (Twilio's event lists); omitted when empty so Twilio's default holds.
    pub(super) fn list<T: AsRef<str>>(mut self, name: &'static str, values: &[T]) -> Self {
        if !values.is_empty() {
            let joined = values
                .iter()
                .map(AsRef::as_ref)
                .collect::<Vec<_>>()
                .join(" ");
            self.list.push((name, Cow::Owned(joined)));
        }
        self
    }

    fn into_start(mut self) -> Result<BytesStart<'static>, TwimlError> {
        self.list.sort_by_key(|(name, _)| *name);
        let mut start = BytesStart::new(self.element);
        for (name, value) in &self.list {
            check(self.element, value)?;
            start.push_attribute((*name, value.as_ref()));
        }
        Ok(start.into_owned())
    }
}

/// A TwiML document being written. Every element goes through [`Attributes`] and quick-xml, so
/// escaping is the writer's and the forbidden-character check cannot be skipped.
pub(super) struct XmlOut {
    writer: Writer<Vec<u8>>,
}

impl XmlOut {
    pub(super) fn new() -> Result<Self, TwimlError> {
        let mut writer = Writer::new(Vec::new());
        writer
            .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
            .map_err(|_| TwimlError::Write)?;
        Ok(Self { writer })
    }

    fn write(&mut self, event: Event<'_>) -> Result<(), TwimlError> {
        self.writer
            .write_event(event)
            .map_err(|_| TwimlError::Write)
    }

    /// `<X …/>`.
    pub(super) fn empty(&mut self, attributes: Attributes<'_>) -> Result<(), TwimlError> {
        let start = attributes.into_start()?;
        self.write(Event::Empty(start))
    }

    /// `<X …>text</X>`. Text escapes `& < >` (and CR, which XML would otherwise turn into LF).
    pub(super) fn with_text(
        &mut self,
        attributes: Attributes<'_>,
        text: &str,
    ) -> Result<(), TwimlError> {
        let element = attributes.element;
        check(element, text)?;
        let start = attributes.into_start()?;
        self.write(Event::Start(start))?;
        self.write(Event::Text(BytesText::from_escaped(partial_escape(text))))?;
        self.write(Event::End(BytesEnd::new(element)))
    }

    /// `<X …>`, to be closed with [`XmlOut::close`] after the children.
    pub(super) fn open(&mut self, attributes: Attributes<'_>) -> Result<(), TwimlError> {
        let start = attributes.into_start()?;
        self.write(Event::Start(start))
    }

    pub(super) fn close(&mut self, element: &'static str) -> Result<(), TwimlError> {
        self.write(Event::End(BytesEnd::new(element)))
    }

    pub(super) fn finish(self) -> Result<String, TwimlError> {
        String::from_utf8(self.writer.into_inner()).map_err(|_| TwimlError::Write)
    }
}
