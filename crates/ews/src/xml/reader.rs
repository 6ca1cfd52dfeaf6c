//! The pull reader over a complete document held in memory.
//!
//! It resolves namespaces itself on top of quick-xml's plain `Reader` instead of
//! using `NsReader`: we only need to know which of a handful of namespaces an element is in
//! ([`Ns`]), not its namespace URI, and most EWS elements declare nothing. `NsReader` scans
//! the attributes of every start tag for declarations and resolves the prefix of every
//! event (end tags included) into a URI; that cost more than all our typed parsing did.
//! Here a start tag without `xmlns` in its attributes costs one substring check, and a
//! prefix resolves against a short stack of (prefix, [`Ns`]) bindings. The semantics are
//! those of `NsReader` (see the `namespace_resolution_*` tests).

use std::borrow::Cow;

use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesEnd, BytesStart, Event};
use quick_xml::name::{NamespaceError, PrefixDeclaration, QName};
use quick_xml::{Reader, XmlVersion};

use super::{
    NS_ERRORS, NS_MESSAGES, NS_SOAP11, NS_SOAP12, NS_TYPES, Ns, XmlValue, is_xml_char, trim_value,
};
use crate::error::{EwsError, ParseLimits};

/// The namespaces reserved by "Namespaces in XML" (prefixes `xml` and `xmlns`).
const NS_XML: &str = "http://www.w3.org/XML/1998/namespace";
const NS_XMLNS: &str = "http://www.w3.org/2000/xmlns/";

/// Most namespace bindings in scope at once (as quick-xml's `NsReader` default): bounds the
/// work of resolving a prefix on hostile input.
const MAX_NAMESPACE_BINDINGS: usize = 128;

/// Searcher for `xmlns` among the attributes of a start tag, built once (building a
/// `memmem` searcher costs more than searching a start tag).
static XMLNS_FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"xmlns"));

fn ns_of_uri(uri: &str) -> Ns {
    match uri {
        NS_TYPES => Ns::Types,
        NS_MESSAGES => Ns::Messages,
        NS_SOAP11 | NS_SOAP12 => Ns::Soap,
        NS_ERRORS => Ns::Errors,
        _ => Ns::Other,
    }
}

/// A start tag, with its resolved namespace.
pub(crate) struct Elem<'a> {
    pub ns: Ns,
    /// The local name, in the input (always, with the in-memory reader we use).
    local_in_input: Option<&'a [u8]>,
    /// Where the local name starts in the qualified name (after `prefix:`).
    local_at: usize,
    pub start: BytesStart<'a>,
}

impl<'a> Elem<'a> {
    /// The local name (after `prefix:`); every field read compares it.
    #[inline(always)]
    pub fn local(&self) -> &[u8] {
        match self.local_in_input {
            Some(local) => local,
            None => {
                let name = self.start.name().into_inner().as_bytes();
                name.get(self.local_at..).unwrap_or(name)
            }
        }
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

/// One `xmlns` / `xmlns:prefix` declaration in scope.
struct NsBinding {
    /// Empty for the default namespace.
    prefix: Box<str>,
    /// What the prefix resolves to; an undeclaration (`xmlns=""`: no namespace,
    /// `xmlns:p=""`: unknown prefix) is [`Ns::None`] / [`Ns::Other`].
    ns: Ns,
    /// Depth (number of open elements, this one included) of the declaring element.
    depth: usize,
}

/// Pull reader over a complete document held in memory.
pub(crate) struct XmlReader<'a> {
    inner: Reader<&'a [u8]>,
    input: &'a [u8],
    /// (offset, len) of the qualified names of the open elements, in `input`.
    stack: Vec<(usize, usize)>,
    /// Namespace declarations in scope, innermost last.
    bindings: Vec<NsBinding>,
    max_depth: usize,
    /// The innermost element was an empty-element tag (`<a/>`): its end is the next event.
    empty_end: bool,
}

impl<'a> XmlReader<'a> {
    pub fn new(input: &'a [u8], limits: &ParseLimits) -> Result<Self, EwsError> {
        if input.len() > limits.max_bytes {
            return Err(EwsError::TooLarge {
                size: input.len(),
                limit: limits.max_bytes,
            });
        }
        let mut inner = Reader::from_reader(input);
        let cfg = inner.config_mut();
        // `<a/>` is read as an element whose end follows at once (`empty_end`): quick-xml's
        // own expansion allocates a copy of the name for every empty element.
        cfg.expand_empty_elements = false;
        cfg.check_end_names = true;
        cfg.allow_unmatched_ends = false;
        cfg.check_comments = false;
        Ok(XmlReader {
            inner,
            input,
            stack: Vec::with_capacity(16),
            bindings: Vec::with_capacity(8),
            max_depth: limits.max_depth,
            empty_end: false,
        })
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

    #[cold]
    pub fn err(&self, message: impl Into<String>) -> EwsError {
        EwsError::Malformed {
            path: self.path(),
            message: message.into(),
        }
    }

    #[cold]
    fn xml_err(&self, e: quick_xml::Error) -> EwsError {
        let pos = self.inner.error_position();
        self.err(format!("malformed XML at byte {pos}: {e}"))
    }

    #[cold]
    fn ns_err(&self, e: NamespaceError) -> EwsError {
        let pos = self.inner.buffer_position();
        self.err(format!(
            "malformed XML at byte {pos}: {}",
            quick_xml::Error::Namespace(e)
        ))
    }

    /// Opens an element: depth limit, path, namespace declarations.
    #[inline]
    fn enter(&mut self, start: &BytesStart<'_>) -> Result<(), EwsError> {
        self.enter_named(start, start.name().into_inner().as_bytes())
            .map(|_| ())
    }

    /// [`XmlReader::enter`] with the element's qualified name at hand; returns that name
    /// as a slice of the input when it is one (always, with a slice reader).
    #[inline]
    fn enter_named(
        &mut self,
        start: &BytesStart<'_>,
        name: &[u8],
    ) -> Result<Option<&'a [u8]>, EwsError> {
        if self.stack.len() >= self.max_depth {
            return Err(self.depth_err());
        }
        let input = self.input;
        let base = input.as_ptr() as usize;
        let p = name.as_ptr() as usize;
        let off = if p >= base && p + name.len() <= base + input.len() {
            p - base
        } else {
            usize::MAX
        };
        self.stack.push((off, name.len()));
        // Declarations are attributes named `xmlns` or `xmlns:*`: a tag without that text
        // among its attributes declares nothing (most EWS elements have no attributes).
        let attributes = start.attributes_raw().as_bytes();
        if !attributes.is_empty() && XMLNS_FINDER.find(attributes).is_some() {
            self.declare(start)?;
        }
        Ok(input.get(off..off.saturating_add(name.len())))
    }

    #[cold]
    fn depth_err(&self) -> EwsError {
        self.err(format!("elements nested deeper than {}", self.max_depth))
    }

    /// Adds the namespace declarations of `start` (the innermost open element), with the
    /// checks of "Namespaces in XML" on the reserved `xml` / `xmlns` prefixes.
    fn declare(&mut self, start: &BytesStart<'_>) -> Result<(), EwsError> {
        let depth = self.stack.len();
        // As quick-xml's resolver: a malformed attribute ends the declarations (reading it
        // as an attribute later reports the error).
        for a in start.attributes().with_checks(false) {
            let Ok(a) = a else { break };
            let Some(declaration) = a.key.as_namespace_binding() else {
                continue;
            };
            let uri: &str = &a.value;
            let (prefix, ns) = match declaration {
                PrefixDeclaration::Default => (
                    "",
                    if uri.is_empty() {
                        Ns::None
                    } else {
                        ns_of_uri(uri)
                    },
                ),
                PrefixDeclaration::Named("xml") => {
                    if uri != NS_XML {
                        return Err(
                            self.ns_err(NamespaceError::InvalidXmlPrefixBind(uri.to_owned()))
                        );
                    }
                    // `xml` is bound to that namespace anyway, which is not one of ours.
                    continue;
                }
                PrefixDeclaration::Named("xmlns") => {
                    return Err(self.ns_err(NamespaceError::InvalidXmlnsPrefixBind(uri.to_owned())));
                }
                PrefixDeclaration::Named(prefix) => {
                    if uri == NS_XML {
                        return Err(
                            self.ns_err(NamespaceError::InvalidPrefixForXml(prefix.to_owned()))
                        );
                    }
                    if uri == NS_XMLNS {
                        return Err(
                            self.ns_err(NamespaceError::InvalidPrefixForXmlns(prefix.to_owned()))
                        );
                    }
                    (
                        prefix,
                        if uri.is_empty() {
                            Ns::Other
                        } else {
                            ns_of_uri(uri)
                        },
                    )
                }
            };
            if self.bindings.len() >= MAX_NAMESPACE_BINDINGS {
                return Err(self.ns_err(NamespaceError::TooManyBindings(MAX_NAMESPACE_BINDINGS)));
            }
            self.bindings.push(NsBinding {
                prefix: prefix.into(),
                ns,
                depth,
            });
        }
        Ok(())
    }

    /// Closes the innermost element: path and the namespace declarations it made.
    #[inline(always)]
    fn leave(&mut self) {
        let depth = self.stack.len();
        self.stack.pop();
        while self.bindings.last().is_some_and(|b| b.depth >= depth) {
            self.bindings.pop();
        }
    }

    /// The namespace of an element name (the element's own declarations included).
    #[inline(always)]
    fn resolve(&self, prefix: &[u8]) -> Ns {
        // Prefixes are a byte or two: compare lengths, then bytes, without a call per binding.
        for b in self.bindings.iter().rev() {
            let bound = b.prefix.as_bytes();
            if bound.len() == prefix.len() && bound.iter().zip(prefix).all(|(x, y)| x == y) {
                return b.ns;
            }
        }
        // No default namespace: unqualified. Undeclared prefix (or `xml`): not ours.
        if prefix.is_empty() {
            Ns::None
        } else {
            Ns::Other
        }
    }

    /// Enters `start` and resolves its namespace.
    #[inline]
    fn open(&mut self, start: BytesStart<'a>) -> Result<Elem<'a>, EwsError> {
        let name = start.name().into_inner().as_bytes();
        let name_in_input = self.enter_named(&start, name)?;
        // The prefix ends at the first colon (as in quick-xml's `QName`); names are short.
        let mut colon = 0;
        while colon < name.len() && name[colon] != b':' {
            colon += 1;
        }
        let (ns, local_at) = match name.get(..colon) {
            Some(prefix) if colon < name.len() => (self.resolve(prefix), colon + 1),
            _ => (self.resolve(b""), 0),
        };
        let local_in_input = name_in_input.and_then(|name| name.get(local_at..));
        Ok(Elem {
            ns,
            local_in_input,
            local_at,
            start,
        })
    }

    /// Next raw event, with DTD refusal.
    #[inline(always)]
    fn next_event(&mut self) -> Result<Event<'a>, EwsError> {
        if self.empty_end {
            self.empty_end = false;
            // The name of an end tag is never looked at (quick-xml checks that they match).
            return Ok(Event::End(BytesEnd::new("")));
        }
        match self.inner.read_event() {
            Ok(Event::DocType(_)) => Err(self.dtd_err()),
            Ok(ev) => Ok(ev),
            Err(e) => Err(self.xml_err(e)),
        }
    }

    #[cold]
    fn dtd_err(&self) -> EwsError {
        EwsError::DtdRefused { path: self.path() }
    }

    /// The document element.
    pub fn root(&mut self) -> Result<Elem<'a>, EwsError> {
        loop {
            match self.next_event()? {
                Event::Start(start) => return self.open(start),
                Event::Empty(start) => {
                    self.empty_end = true;
                    return self.open(start);
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
            match self.next_event()? {
                Event::Start(start) => return self.open(start).map(Some),
                Event::Empty(start) => {
                    self.empty_end = true;
                    return self.open(start).map(Some);
                }
                Event::End(_) => {
                    self.leave();
                    return Ok(None);
                }
                Event::GeneralRef(r) => {
                    check_ref(&r).map_err(|m| self.err(m))?;
                }
                Event::Eof => return Err(self.truncated_err()),
                _ => {}
            }
        }
    }

    #[cold]
    fn truncated_err(&self) -> EwsError {
        self.err("unexpected end of document (truncated?)")
    }

    /// Skip the rest of the current element (its children and end tag).
    pub fn skip(&mut self) -> Result<(), EwsError> {
        let mut depth = 0usize;
        loop {
            match self.next_event()? {
                Event::Start(start) => {
                    self.enter(&start)?;
                    depth += 1;
                }
                Event::Empty(start) => {
                    self.enter(&start)?;
                    self.leave();
                }
                Event::End(_) => {
                    self.leave();
                    if depth == 0 {
                        return Ok(());
                    }
                    depth -= 1;
                }
                Event::GeneralRef(r) => {
                    check_ref(&r).map_err(|m| self.err(m))?;
                }
                Event::Eof => return Err(self.truncated_err()),
                _ => {}
            }
        }
    }

    /// Text content of the current element up to its end tag, WITHOUT leaving it (so an
    /// error about the value can still name the element). Child elements are skipped.
    /// Borrowed from the input unless the text had to be assembled (entities, CDATA,
    /// comments or child elements in between) or end-of-line normalized.
    fn text_no_pop(&mut self) -> Result<Cow<'a, str>, EwsError> {
        let mut out: Option<Cow<'a, str>> = None;
        fn add<'a>(out: &mut Option<Cow<'a, str>>, s: &str) {
            match out {
                None => *out = Some(Cow::Owned(s.to_owned())),
                Some(o) => o.to_mut().push_str(s),
            }
        }
        loop {
            match self.next_event()? {
                Event::Text(t) => match &mut out {
                    None => out = Some(t.xml10_content()),
                    Some(o) => o.to_mut().push_str(&t.xml10_content()),
                },
                Event::CData(t) => match &mut out {
                    None => out = Some(t.xml10_content()),
                    Some(o) => o.to_mut().push_str(&t.xml10_content()),
                },
                Event::GeneralRef(r) => {
                    let c = check_ref(&r).map_err(|m| self.err(m))?;
                    add(&mut out, c.encode_utf8(&mut [0u8; 4]));
                }
                Event::Start(start) => {
                    self.enter(&start)?;
                    self.skip()?;
                }
                Event::Empty(start) => {
                    self.enter(&start)?;
                    self.leave();
                }
                Event::End(_) => return Ok(out.unwrap_or(Cow::Borrowed(""))),
                Event::Eof => return Err(self.truncated_err()),
                _ => {}
            }
        }
    }

    /// Text content of the current element; the element is consumed.
    pub fn text(&mut self) -> Result<String, EwsError> {
        let t = self.text_no_pop()?.into_owned();
        self.leave();
        Ok(t)
    }

    /// Text content parsed as a value; errors name the element and the bad text.
    pub fn value<T: XmlValue>(&mut self) -> Result<T, EwsError> {
        let t = self.text_no_pop()?;
        let v = T::parse_xml(&t).map_err(|m| self.value_err(&m, &t));
        self.leave();
        v
    }

    #[cold]
    fn value_err(&self, message: &str, text: &str) -> EwsError {
        self.err(format!("{message} '{}'", truncate(text)))
    }

    /// An attribute value of `e` (unqualified name), normalized (entities resolved,
    /// whitespace characters as spaces); borrowed from the input when nothing changed.
    fn attr_cow<'e>(&self, e: &'e Elem<'_>, name: &str) -> Result<Option<Cow<'e, str>>, EwsError> {
        for a in e.start.attributes() {
            let a = a.map_err(|err| self.err(format!("bad attribute: {err}")))?;
            if a.key.as_namespace_binding().is_none() && local_of(a.key) == name.as_bytes() {
                return self.attr_text(&a, name).map(Some);
            }
        }
        Ok(None)
    }

    /// Several attributes of `e` (unqualified names) in one pass over its attributes, each
    /// as [`XmlReader::attr`] would return it (the first one of that local name).
    pub fn attrs<'e, const N: usize>(
        &self,
        e: &'e Elem<'_>,
        names: [&str; N],
    ) -> Result<[Option<Cow<'e, str>>; N], EwsError> {
        let mut values = [const { None }; N];
        for a in e.start.attributes() {
            let a = a.map_err(|err| self.err(format!("bad attribute: {err}")))?;
            if a.key.as_namespace_binding().is_some() {
                continue;
            }
            let local = local_of(a.key);
            for (name, value) in names.iter().zip(values.iter_mut()) {
                if value.is_none() && name.as_bytes() == local {
                    *value = Some(self.attr_text(&a, name)?);
                    break;
                }
            }
        }
        Ok(values)
    }

    /// The normalized value of an attribute. Most values (ids, enums, numbers) contain no
    /// reference and no whitespace character: those are borrowed after one SIMD scan.
    fn attr_text<'e>(&self, a: &Attribute<'e>, name: &str) -> Result<Cow<'e, str>, EwsError> {
        if let Cow::Borrowed(raw) = &a.value {
            let raw: &'e str = raw;
            let bytes = raw.as_bytes();
            if memchr::memchr3(b'&', b'\n', b'\r', bytes).is_none()
                && memchr::memchr(b'\t', bytes).is_none()
            {
                return Ok(Cow::Borrowed(raw));
            }
        }
        a.normalized_value(XmlVersion::Implicit1_0)
            .map_err(|err| self.err(format!("attribute {name}: {err}")))
    }

    /// The error for a required attribute that is missing.
    #[cold]
    pub fn missing_attr(&self, name: &str) -> EwsError {
        self.err(format!("missing required attribute {name}"))
    }

    /// Parse an attribute value of `e` (unqualified name). Missing -> None.
    pub fn attr(&self, e: &Elem<'_>, name: &str) -> Result<Option<String>, EwsError> {
        Ok(self.attr_cow(e, name)?.map(Cow::into_owned))
    }

    pub fn attr_value<T: XmlValue>(&self, e: &Elem<'_>, name: &str) -> Result<Option<T>, EwsError> {
        self.parse_attr(name, self.attr_cow(e, name)?.as_deref())
    }

    /// Parses the value of attribute `name` (e.g. one of [`XmlReader::attrs`]); errors name
    /// the element, the attribute and the bad value.
    pub fn parse_attr<T: XmlValue>(
        &self,
        name: &str,
        value: Option<&str>,
    ) -> Result<Option<T>, EwsError> {
        match value {
            None => Ok(None),
            Some(s) => T::parse_xml(s)
                .map(Some)
                .map_err(|m| self.err(format!("attribute {name}: {m} '{}'", truncate(s)))),
        }
    }

    /// Text content with surrounding whitespace removed (`str::trim`); the element is consumed.
    pub fn trimmed_text(&mut self) -> Result<String, EwsError> {
        let t = trim_value(&self.text_no_pop()?).to_owned();
        self.leave();
        Ok(t)
    }

    pub fn required_attr<T: XmlValue>(&self, e: &Elem<'_>, name: &str) -> Result<T, EwsError> {
        self.attr_value(e, name)?
            .ok_or_else(|| self.missing_attr(name))
    }

    /// After the root element was handled: only whitespace/comments may follow.
    pub fn finish(&mut self) -> Result<(), EwsError> {
        loop {
            match self.next_event()? {
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
        other => Err(format!(
            "undefined entity &{other}; (only XML's five predefined entities are allowed)"
        )),
    }
}

#[cfg(test)]
mod tests;
