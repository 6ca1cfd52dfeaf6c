//! The reader against quick-xml's `NsReader`: the same namespaces, the same refusals.

use quick_xml::NsReader;
use quick_xml::name::ResolveResult;

use super::*;

/// (namespace, local name) of every element in document order, as our reader sees them.
fn ours(doc: &str) -> Result<Vec<(Ns, String)>, EwsError> {
    fn walk(
        r: &mut XmlReader<'_>,
        e: Elem<'_>,
        out: &mut Vec<(Ns, String)>,
    ) -> Result<(), EwsError> {
        out.push((e.ns, e.local_str()));
        while let Some(c) = r.next_child()? {
            walk(r, c, out)?;
        }
        Ok(())
    }
    let mut r = XmlReader::new(doc.as_bytes(), &ParseLimits::default())?;
    let mut out = Vec::new();
    let root = r.root()?;
    walk(&mut r, root, &mut out)?;
    r.finish()?;
    Ok(out)
}

/// The same, as quick-xml's `NsReader` resolves them (the reference semantics).
fn ns_reader(doc: &str) -> Result<Vec<(Ns, String)>, String> {
    let mut r = NsReader::from_str(doc);
    let mut out = Vec::new();
    loop {
        match r.read_resolved_event().map_err(|e| e.to_string())? {
            (ns, Event::Start(s)) | (ns, Event::Empty(s)) => {
                let ns = match ns {
                    ResolveResult::Bound(ns) => ns_of_uri(ns.into_inner()),
                    ResolveResult::Unbound => Ns::None,
                    ResolveResult::Unknown(_) => Ns::Other,
                };
                out.push((ns, String::from_utf8_lossy(local_of(s.name())).into_owned()));
            }
            (_, Event::Eof) => return Ok(out),
            _ => {}
        }
    }
}

#[test]
fn namespace_resolution_matches_ns_reader() {
    let docs = [
        // Default namespaces, prefixes declared on the element itself and on ancestors.
        r#"<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body><r xmlns="http://schemas.microsoft.com/exchange/services/2006/messages"><t:a xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><t:b/><c/></t:a><d/></r><e/></Body></Envelope>"#,
        // A prefix redeclared inside, then back in scope after the inner element ends.
        r#"<s:E xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:p="http://schemas.microsoft.com/exchange/services/2006/types"><p:a><p:b xmlns:p="http://schemas.microsoft.com/exchange/services/2006/errors"><p:c/></p:b><p:d/></p:a></s:E>"#,
        // Undeclarations: xmlns="" (no namespace) and xmlns:p="" (unknown prefix).
        r#"<a xmlns="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:p="http://schemas.microsoft.com/exchange/services/2006/messages"><b xmlns=""><c/><p:d xmlns:p=""/></b><p:e/><f/></a>"#,
        // Declarations on a sibling do not leak; undeclared and reserved prefixes.
        r#"<a><b xmlns:x="http://schemas.microsoft.com/exchange/services/2006/types"><x:c/></b><x:d/><xml:e/><y:f/></a>"#,
        // Unknown namespace, other attributes around the declarations, `xmlns` in a value.
        r#"<a xmlns="urn:other" id="xmlns" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" z='1'><t:b Name="xmlns:t"/><c xmlnsfoo="http://schemas.microsoft.com/exchange/services/2006/types"/></a>"#,
        // The `xml` prefix may be declared with its own namespace.
        r#"<a xmlns:xml="http://www.w3.org/XML/1998/namespace"><xml:b/></a>"#,
    ];
    for doc in docs {
        assert_eq!(
            ours(doc).map_err(|e| e.to_string()),
            ns_reader(doc),
            "{doc}"
        );
    }
}

#[test]
fn namespace_resolution_refuses_reserved_bindings() {
    for (doc, message) in [
        (
            r#"<a xmlns:xml="urn:x"/>"#,
            "the namespace prefix 'xml' cannot be bound to 'urn:x'",
        ),
        (
            r#"<a><b xmlns:xmlns="urn:x"/></a>"#,
            "the namespace prefix 'xmlns' cannot be bound",
        ),
        (
            r#"<a xmlns:p="http://www.w3.org/XML/1998/namespace"/>"#,
            "prefix 'p' cannot be bound",
        ),
        (
            r#"<a xmlns:p="http://www.w3.org/2000/xmlns/"/>"#,
            "prefix 'p' cannot be bound",
        ),
    ] {
        let e = ours(doc).unwrap_err().to_string();
        assert!(e.contains(message), "{doc}: {e}");
        assert!(ns_reader(doc).is_err(), "{doc}");
    }
    // The error names the element that made the declaration.
    let e = ours(r#"<a><b xmlns:xmlns="urn:x"/></a>"#).unwrap_err();
    assert!(e.to_string().starts_with("a/b: "), "{e}");
}

#[test]
fn empty_element_tags_are_elements_without_content() {
    // An empty root, and empty elements among children, inside text and inside skipped
    // content (with a namespace declaration that must go out of scope with it).
    assert_eq!(
        ours("<a/>").map_err(|e| e.to_string()),
        Ok(vec![(Ns::None, "a".to_owned())])
    );
    let doc = r#"<a><b/><c><d xmlns="http://schemas.microsoft.com/exchange/services/2006/types"/></c><e/></a>"#;
    assert_eq!(ours(doc).map_err(|e| e.to_string()), ns_reader(doc));
    let mut r = XmlReader::new(
        b"<a><t>x<i/>y<j><k/></j>z</t><u/><v>1</v></a>",
        &ParseLimits::default(),
    )
    .unwrap();
    r.root().unwrap();
    assert_eq!(
        r.next_child().unwrap().map(|e| e.local_str()).as_deref(),
        Some("t")
    );
    assert_eq!(r.text().unwrap(), "xyz");
    assert_eq!(
        r.next_child().unwrap().map(|e| e.local_str()).as_deref(),
        Some("u")
    );
    assert_eq!(r.text().unwrap(), "");
    assert_eq!(
        r.next_child().unwrap().map(|e| e.local_str()).as_deref(),
        Some("v")
    );
    assert_eq!(r.value::<i32>().unwrap(), 1);
    assert!(r.next_child().unwrap().is_none());
    r.finish().unwrap();
    // An empty element is closed: the path of a later error does not name it.
    let mut r = XmlReader::new(b"<a><b/><c>x</c></a>", &ParseLimits::default()).unwrap();
    r.root().unwrap();
    r.next_child().unwrap();
    assert!(r.next_child().unwrap().is_none());
    r.next_child().unwrap();
    assert_eq!(
        r.value::<i32>().unwrap_err().to_string(),
        "a/c: invalid int 'x'"
    );
}

#[test]
fn trim_value_is_str_trim() {
    for s in [
        "",
        " ",
        "true",
        " true",
        "true\n",
        "\u{A0}1\u{A0}",
        "\u{2003}Busy",
        "é",
        "a b",
        "\t2026-01-05\r\n",
    ] {
        assert_eq!(trim_value(s), s.trim(), "{s:?}");
    }
    assert_eq!(bool::parse_xml("\u{A0}true\u{A0}"), Ok(true));
}

#[test]
fn namespace_bindings_are_limited() {
    let many: String = (0..=MAX_NAMESPACE_BINDINGS)
        .map(|i| format!(" xmlns:p{i}=\"urn:{i}\""))
        .collect();
    let e = ours(&format!("<a{many}/>")).unwrap_err().to_string();
    assert!(e.contains("namespace bindings in scope"), "{e}");
    // Bindings go out of scope with their element.
    let some: String = (0..100)
        .map(|i| format!(" xmlns:p{i}=\"urn:{i}\""))
        .collect();
    let doc = format!("<r><b{some}/><b{some}/><b{some}/></r>");
    assert_eq!(
        ours(&doc).map_err(|e| e.to_string()).map(|v| v.len()),
        Ok(4)
    );
}
