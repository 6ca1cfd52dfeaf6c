//! Low-level XML reading (namespace-resolving pull parser with path tracking and safety
//! checks) and writing (quick-xml `Writer`, escaping every user string).

use std::borrow::Cow;

use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::{QName, ResolveResult};
use quick_xml::{NsReader, Writer, XmlVersion};

use crate::error::{EwsError, ParseLimits};

pub(crate) const NS_SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub(crate) const NS_SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
pub(crate) const NS_TYPES: &str = "http://schemas.microsoft.com/exchange/services/2006/types";
pub(crate) const NS_MESSAGES: &str = "http://schemas.microsoft.com/exchange/services/2006/messages";
pub(crate) const NS_ERRORS: &str = "http://schemas.microsoft.com/exchange/services/2006/errors";

/// Namespaces we care about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ns {
    Soap,
    Types,
    Messages,
    Errors,
    /// No namespace (unqualified), e.g. `faultcode`.
    None,
    Other,
}

fn ns_of(r: &ResolveResult<'_>) -> Ns {
    match r {
        ResolveResult::Bound(ns) => match ns.as_ref() {
            NS_TYPES => Ns::Types,
            NS_MESSAGES => Ns::Messages,
            NS_SOAP11 | NS_SOAP12 => Ns::Soap,
            NS_ERRORS => Ns::Errors,
            _ => Ns::Other,
        },
        ResolveResult::Unbound => Ns::None,
        ResolveResult::Unknown(_) => Ns::Other,
    }
}

/// A start tag, with its resolved namespace.
pub(crate) struct Elem<'a> {
    pub ns: Ns,
    pub start: BytesStart<'a>,
}

impl<'a> Elem<'a> {
    pub fn local(&self) -> &[u8] {
        local_of(self.start.name())
    }

    pub fn is(&self, ns: Ns, local: &str) -> bool {
        self.ns == ns && self.local() == local.as_bytes()
    }

    /// Local name as a (lossy) string, for messages.
    pub fn local_str(&self) -> String {
        String::from_utf8_lossy(self.local()).into_owned()
    }
}

fn local_of<'n>(q: QName<'n>) -> &'n [u8] {
    let b = q.into_inner().as_bytes();
    match b.iter().position(|&c| c == b':') {
        Some(i) => &b[i + 1..],
        None => b,
    }
}

/// Pull reader over a complete document held in memory.
pub(crate) struct XmlReader<'a> {
    inner: NsReader<&'a [u8]>,
    input: &'a [u8],
    /// (offset, len) of the qualified names of the open elements, in `input`.
    stack: Vec<(usize, usize)>,
    max_depth: usize,
}

impl<'a> XmlReader<'a> {
    pub fn new(input: &'a [u8], limits: &ParseLimits) -> Result<Self, EwsError> {
        if input.len() > limits.max_bytes {
            return Err(EwsError::TooLarge { size: input.len(), limit: limits.max_bytes });
        }
        let mut inner = NsReader::from_reader(input);
        let cfg = inner.config_mut();
        cfg.expand_empty_elements = true;
        cfg.check_end_names = true;
        cfg.allow_unmatched_ends = false;
        cfg.check_comments = false;
        Ok(XmlReader { inner, input, stack: Vec::with_capacity(16), max_depth: limits.max_depth })
    }

    /// The element path of the currently open elements.
    pub fn path(&self) -> String {
        let mut s = String::new();
        for (i, &(off, len)) in self.stack.iter().enumerate() {
            if i > 0 {
                s.push('/');
            }
            match self.input.get(off..off.saturating_add(len)) {
                Some(b) => s.push_str(&String::from_utf8_lossy(b)),
                None => s.push('?'),
            }
        }
        if s.is_empty() {
            s.push_str("(document)");
        }
        s
    }

    pub fn err(&self, message: impl Into<String>) -> EwsError {
        EwsError::Malformed { path: self.path(), message: message.into() }
    }

    fn xml_err(&self, e: quick_xml::Error) -> EwsError {
        let pos = self.inner.error_position();
        self.err(format!("malformed XML at byte {pos}: {e}"))
    }

    fn push(&mut self, start: &BytesStart<'_>) -> Result<(), EwsError> {
        if self.stack.len() >= self.max_depth {
            return Err(self.err(format!("elements nested deeper than {}", self.max_depth)));
        }
        let name = start.name().into_inner().as_bytes();
        let base = self.input.as_ptr() as usize;
        let p = name.as_ptr() as usize;
        let off = if p >= base && p + name.len() <= base + self.input.len() { p - base } else { usize::MAX };
        self.stack.push((off, name.len()));
        Ok(())
    }

    /// Next raw event, with DTD refusal and entity checks. Returns namespace + event.
    fn next_event(&mut self) -> Result<(Ns, Event<'a>), EwsError> {
        let res = self.inner.read_resolved_event();
        match res {
            Ok((r, ev)) => {
                let ns = ns_of(&r);
                match ev {
                    Event::DocType(_) => Err(EwsError::DtdRefused { path: self.path() }),
                    ev => Ok((ns, ev)),
                }
            }
            Err(e) => Err(self.xml_err(e)),
        }
    }

    /// The document element.
    pub fn root(&mut self) -> Result<Elem<'a>, EwsError> {
        loop {
            let (ns, ev) = self.next_event()?;
            match ev {
                Event::Start(start) => {
                    self.push(&start)?;
                    return Ok(Elem { ns, start });
                }
                Event::Text(t) if !t.chars().all(|c| c.is_ascii_whitespace()) => {
                    return Err(self.err("text before the document element"));
                }
                Event::Eof => return Err(self.err("empty document (no root element)")),
                Event::End(_) => return Err(self.err("unexpected end tag")),
                Event::CData(_) | Event::GeneralRef(_) => {
                    return Err(self.err("content before the document element"));
                }
                _ => {}
            }
        }
    }

    /// Next child element of the current element, or `None` when the current element ends
    /// (its end tag is consumed and it is popped). Text between children is ignored.
    pub fn next_child(&mut self) -> Result<Option<Elem<'a>>, EwsError> {
        loop {
            let (ns, ev) = self.next_event()?;
            match ev {
                Event::Start(start) => {
                    self.push(&start)?;
                    return Ok(Some(Elem { ns, start }));
                }
                Event::End(_) => {
                    self.stack.pop();
                    return Ok(None);
                }
                Event::GeneralRef(r) => {
                    check_ref(&r).map_err(|m| self.err(m))?;
                }
                Event::Eof => return Err(self.err("unexpected end of document (truncated?)")),
                _ => {}
            }
        }
    }

    /// Skip the rest of the current element (its children and end tag).
    pub fn skip(&mut self) -> Result<(), EwsError> {
        let mut depth = 0usize;
        loop {
            let (_, ev) = self.next_event()?;
            match ev {
                Event::Start(start) => {
                    self.push(&start)?;
                    depth += 1;
                }
                Event::End(_) => {
                    self.stack.pop();
                    if depth == 0 {
                        return Ok(());
                    }
                    depth -= 1;
                }
                Event::GeneralRef(r) => {
                    check_ref(&r).map_err(|m| self.err(m))?;
                }
                Event::Eof => return Err(self.err("unexpected end of document (truncated?)")),
                _ => {}
            }
        }
    }

    /// Text content of the current element up to its end tag, WITHOUT popping it (so an
    /// error about the value can still name the element). Child elements are skipped.
    fn text_no_pop(&mut self) -> Result<String, EwsError> {
        let mut out: Option<Cow<'a, str>> = None;
        fn add<'a>(out: &mut Option<Cow<'a, str>>, s: Cow<'a, str>) {
            match out {
                None => *out = Some(s),
                Some(o) => o.to_mut().push_str(&s),
            }
        }
        loop {
            let (_, ev) = self.next_event()?;
            match ev {
                Event::Text(t) => add(&mut out, t.xml10_content()),
                Event::CData(t) => add(&mut out, t.xml10_content()),
                Event::GeneralRef(r) => {
                    let c = check_ref(&r).map_err(|m| self.err(m))?;
                    let mut buf = [0u8; 4];
                    add(&mut out, Cow::Owned(c.encode_utf8(&mut buf).to_string()));
                }
                Event::Start(start) => {
                    self.push(&start)?;
                    self.skip()?;
                }
                Event::End(_) => return Ok(out.map(Cow::into_owned).unwrap_or_default()),
                Event::Eof => return Err(self.err("unexpected end of document (truncated?)")),
                _ => {}
            }
        }
    }

    /// Text content of the current element; the element is consumed.
    pub fn text(&mut self) -> Result<String, EwsError> {
        let t = self.text_no_pop()?;
        self.stack.pop();
        Ok(t)
    }

    /// Text content parsed as a value; errors name the element and the bad text.
    pub fn value<T: XmlValue>(&mut self) -> Result<T, EwsError> {
        let t = self.text_no_pop()?;
        let v = T::parse_xml(&t).map_err(|m| self.err(format!("{m} '{}'", truncate(&t))));
        self.stack.pop();
        v
    }

    /// Parse an attribute value of `e` (unqualified name). Missing -> None.
    pub fn attr(&self, e: &Elem<'_>, name: &str) -> Result<Option<String>, EwsError> {
        for a in e.start.attributes() {
            let a = a.map_err(|err| self.err(format!("bad attribute: {err}")))?;
            if a.key.as_namespace_binding().is_some() {
                continue;
            }
            if local_of(a.key) == name.as_bytes() {
                let v = a
                    .normalized_value(XmlVersion::Implicit1_0)
                    .map_err(|err| self.err(format!("attribute {name}: {err}")))?;
                return Ok(Some(v.into_owned()));
            }
        }
        Ok(None)
    }

    pub fn attr_value<T: XmlValue>(&self, e: &Elem<'_>, name: &str) -> Result<Option<T>, EwsError> {
        match self.attr(e, name)? {
            None => Ok(None),
            Some(s) => T::parse_xml(&s)
                .map(Some)
                .map_err(|m| self.err(format!("attribute {name}: {m} '{}'", truncate(&s)))),
        }
    }

    pub fn required_attr<T: XmlValue>(&self, e: &Elem<'_>, name: &str) -> Result<T, EwsError> {
        self.attr_value(e, name)?
            .ok_or_else(|| self.err(format!("missing required attribute {name}")))
    }

    /// After the root element was handled: only whitespace/comments may follow.
    pub fn finish(&mut self) -> Result<(), EwsError> {
        loop {
            let (_, ev) = self.next_event()?;
            match ev {
                Event::Eof => return Ok(()),
                Event::Text(t) if t.chars().all(|c| c.is_ascii_whitespace()) => {}
                Event::Comment(_) | Event::PI(_) => {}
                _ => return Err(self.err("content after the document element")),
            }
        }
    }
}

fn truncate(s: &str) -> Cow<'_, str> {
    if s.chars().count() > 80 {
        Cow::Owned(format!("{}...", s.chars().take(80).collect::<String>()))
    } else {
        Cow::Borrowed(s)
    }
}

/// Only XML's five predefined entities and character references are accepted.
fn check_ref(r: &quick_xml::events::BytesRef<'_>) -> Result<char, String> {
    if r.is_char_ref() {
        return match r.resolve_char_ref() {
            Ok(Some(c)) if is_xml_char(c) => Ok(c),
            _ => Err(format!("invalid character reference &{};", &**r)),
        };
    }
    match &**r {
        "amp" => Ok('&'),
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "quot" => Ok('"'),
        "apos" => Ok('\''),
        other => Err(format!("undefined entity &{other}; (only XML's five predefined entities are allowed)")),
    }
}

pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// A simple value carried as element text or attribute.
pub(crate) trait XmlValue: Sized {
    fn parse_xml(s: &str) -> Result<Self, String>;
    fn to_xml(&self) -> Cow<'_, str>;
}

impl XmlValue for String {
    fn parse_xml(s: &str) -> Result<Self, String> {
        Ok(s.to_owned())
    }
    fn to_xml(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl XmlValue for bool {
    fn parse_xml(s: &str) -> Result<Self, String> {
        match s.trim() {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err("invalid boolean".into()),
        }
    }
    fn to_xml(&self) -> Cow<'_, str> {
        Cow::Borrowed(if *self { "true" } else { "false" })
    }
}

macro_rules! num_value {
    ($($t:ty => $name:literal),*) => {$(
        impl XmlValue for $t {
            fn parse_xml(s: &str) -> Result<Self, String> {
                let s = s.trim();
                let s = s.strip_prefix('+').unwrap_or(s);
                s.parse::<$t>().map_err(|_| concat!("invalid ", $name).to_string())
            }
            fn to_xml(&self) -> Cow<'_, str> {
                Cow::Owned(self.to_string())
            }
        }
    )*};
}
num_value!(i32 => "int", i64 => "long", u32 => "unsigned int", u64 => "unsigned long");

impl XmlValue for f64 {
    fn parse_xml(s: &str) -> Result<Self, String> {
        let v: f64 = s.trim().parse().map_err(|_| "invalid double".to_string())?;
        if v.is_finite() { Ok(v) } else { Err("invalid double".into()) }
    }
    fn to_xml(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }
}

/// Defines a string enum used in EWS (serde and XML spelling = EWS spelling).
macro_rules! str_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $var:ident = $s:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name { $($(#[$vm])* #[serde(rename = $s)] $var),* }
        impl $name {
            /// All values, in schema order.
            pub const ALL: &'static [$name] = &[$($name::$var),*];
            /// The EWS spelling.
            pub fn as_str(&self) -> &'static str { match self { $($name::$var => $s),* } }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s.trim() {
                    $($s => Ok($name::$var),)*
                    _ => Err(format!("invalid {}", stringify!($name))),
                }
            }
        }
        impl $crate::xml::XmlValue for $name {
            fn parse_xml(s: &str) -> Result<Self, String> { s.parse() }
            fn to_xml(&self) -> std::borrow::Cow<'_, str> { std::borrow::Cow::Borrowed(self.as_str()) }
        }
    };
}
pub(crate) use str_enum;

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
            return Err(EwsError::InvalidText { field: field.to_owned(), code: c as u32, offset: i });
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
        w.get_mut().extend_from_slice(b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        XmlWriter { w }
    }

    fn start_tag<'n>(name: &'n str, attrs: &[(&str, &str)]) -> Result<BytesStart<'n>, EwsError> {
        let mut s = BytesStart::new(name);
        for (k, v) in attrs {
            let esc = escape_text(&format!("{name}/@{k}"), v, true)?;
            s.push_attribute(Attribute { key: QName(k), value: Cow::Owned(esc.into_owned()) });
        }
        Ok(s)
    }

    pub fn start(&mut self, name: &str, attrs: &[(&str, &str)]) -> Result<(), EwsError> {
        let s = Self::start_tag(name, attrs)?;
        self.w.write_event(Event::Start(s)).map_err(werr)
    }

    pub fn end(&mut self, name: &str) -> Result<(), EwsError> {
        self.w.write_event(Event::End(BytesEnd::new(name))).map_err(werr)
    }

    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) -> Result<(), EwsError> {
        let s = Self::start_tag(name, attrs)?;
        self.w.write_event(Event::Empty(s)).map_err(werr)
    }

    /// Escaped text content; `field` names the element in errors.
    pub fn text(&mut self, field: &str, text: &str) -> Result<(), EwsError> {
        let esc = escape_text(field, text, false)?;
        self.w.write_event(Event::Text(BytesText::from_escaped(esc))).map_err(werr)
    }

    /// `<name>text</name>`
    pub fn elem(&mut self, name: &str, text: &str) -> Result<(), EwsError> {
        self.start(name, &[])?;
        self.text(name, text)?;
        self.end(name)
    }

    pub fn elem_with(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) -> Result<(), EwsError> {
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
        String::from_utf8(self.w.into_inner()).map_err(|e| EwsError::InvalidRequest(format!("XML writer: {e}")))
    }
}
