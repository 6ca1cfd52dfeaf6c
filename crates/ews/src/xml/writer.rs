//! The writer: escapes every user string and refuses characters XML 1.0 cannot carry.

use std::borrow::Cow;

use quick_xml::Writer;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::QName;

use super::{XmlValue, is_xml_char};
use crate::error::EwsError;

/// Writer that escapes every user string and refuses characters XML 1.0 cannot carry.
pub(crate) struct XmlWriter {
    w: Writer<Vec<u8>>,
}

fn werr(e: std::io::Error) -> EwsError {
    EwsError::InvalidRequest(format!("XML writer: {e}"))
}

/// Escape text content: `< > & ' "` plus CR (so it survives parsing unchanged).
fn escape_text(field: &str, s: &str, attr: bool) -> Result<Cow<'static, str>, EwsError> {
    let mut out = String::with_capacity(s.len() + 8);
    for (i, c) in s.char_indices() {
        if !is_xml_char(c) || c == '\u{FFFE}' || c == '\u{FFFF}' {
            return Err(EwsError::InvalidText {
                field: field.to_owned(),
                code: c as u32,
                offset: i,
            });
        }
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\n' if attr => out.push_str("&#10;"),
            '\t' if attr => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    Ok(Cow::Owned(out))
}

impl XmlWriter {
    pub fn new() -> Self {
        let mut w = Writer::new(Vec::with_capacity(2048));
        // <?xml version="1.0" encoding="utf-8"?>
        w.get_mut()
            .extend_from_slice(b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        XmlWriter { w }
    }

    fn start_tag<'n>(name: &'n str, attrs: &[(&str, &str)]) -> Result<BytesStart<'n>, EwsError> {
        let mut s = BytesStart::new(name);
        for (k, v) in attrs {
            let esc = escape_text(&format!("{name}/@{k}"), v, true)?;
            s.push_attribute(Attribute {
                key: QName(k),
                value: Cow::Owned(esc.into_owned()),
            });
        }
        Ok(s)
    }

    pub fn start(&mut self, name: &str, attrs: &[(&str, &str)]) -> Result<(), EwsError> {
        let s = Self::start_tag(name, attrs)?;
        self.w.write_event(Event::Start(s)).map_err(werr)
    }

    pub fn end(&mut self, name: &str) -> Result<(), EwsError> {
        self.w
            .write_event(Event::End(BytesEnd::new(name)))
            .map_err(werr)
    }

    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) -> Result<(), EwsError> {
        let s = Self::start_tag(name, attrs)?;
        self.w.write_event(Event::Empty(s)).map_err(werr)
    }

    /// Escaped text content; `field` names the element in errors.
    pub fn text(&mut self, field: &str, text: &str) -> Result<(), EwsError> {
        let esc = escape_text(field, text, false)?;
        self.w
            .write_event(Event::Text(BytesText::from_escaped(esc)))
            .map_err(werr)
    }

    /// `<name>text</name>`
    pub fn elem(&mut self, name: &str, text: &str) -> Result<(), EwsError> {
        self.start(name, &[])?;
        self.text(name, text)?;
        self.end(name)
    }

    pub fn elem_with(
        &mut self,
        name: &str,
        attrs: &[(&str, &str)],
        text: &str,
    ) -> Result<(), EwsError> {
        self.start(name, attrs)?;
        self.text(name, text)?;
        self.end(name)
    }

    pub fn value<T: XmlValue>(&mut self, name: &str, v: &T) -> Result<(), EwsError> {
        self.elem(name, &v.to_xml())
    }

    pub fn opt<T: XmlValue>(&mut self, name: &str, v: &Option<T>) -> Result<(), EwsError> {
        match v {
            Some(v) => self.value(name, v),
            None => Ok(()),
        }
    }

    pub fn into_string(self) -> Result<String, EwsError> {
        String::from_utf8(self.w.into_inner())
            .map_err(|e| EwsError::InvalidRequest(format!("XML writer: {e}")))
    }
}
