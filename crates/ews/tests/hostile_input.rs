//! Malformed and hostile responses: each gives a clear EwsError, never a panic; tolerant
//! parsing where Exchange varies (prefixes, default namespaces, unknown elements, CDATA).
#![allow(clippy::result_large_err)]

use ews::operations::find_item::FindItemResponse;
use ews::operations::get_item::GetItemResponse;
use ews::types::*;
use ews::{EwsError, ParseLimits};

const HEAD: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
<m:GetItemResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
<m:ResponseMessages><m:GetItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Items>"#;
const TAIL: &str = "</m:Items></m:GetItemResponseMessage></m:ResponseMessages></m:GetItemResponse></s:Body></s:Envelope>";

fn get_item(items: &str) -> Result<GetItemResponse, EwsError> {
    GetItemResponse::parse_response(format!("{HEAD}{items}{TAIL}").as_bytes())
}

fn malformed(e: EwsError) -> (String, String) {
    match e {
        EwsError::Malformed { path, message } => (path, message),
        other => panic!("expected Malformed, got {other:?}"),
    }
}

#[test]
fn invalid_date_names_the_element_path() {
    let e =
        get_item("<t:CalendarItem><t:Subject>x</t:Subject><t:Start>x</t:Start></t:CalendarItem>")
            .unwrap_err();
    let (path, msg) = malformed(e.clone());
    assert_eq!(
        path,
        "s:Envelope/s:Body/m:GetItemResponse/m:ResponseMessages/m:GetItemResponseMessage/m:Items/t:CalendarItem/t:Start"
    );
    assert_eq!(msg, "invalid dateTime 'x'");
    assert!(
        e.to_string().ends_with("t:Start: invalid dateTime 'x'"),
        "{e}"
    );
    for bad in [
        "2025-13-01T00:00:00Z",
        "2025-03-10",
        "2025-03-10T25:00:00Z",
        "2025-03-10T09:00:00+99:00",
        "2025-03-10T09:00:00Zjunk",
        "é2025-03-10T09:00:00Z",
        "2025-03-10T09:00:0é",
    ] {
        let e = get_item(&format!(
            "<t:CalendarItem><t:End>{bad}</t:End></t:CalendarItem>"
        ))
        .unwrap_err();
        assert!(
            e.to_string().contains("t:End: invalid dateTime"),
            "{bad}: {e}"
        );
    }
}

#[test]
fn invalid_values_are_clear() {
    let cases = [
        (
            "<t:Task><t:Status>Doing</t:Status></t:Task>",
            "t:Status: invalid TaskStatus 'Doing'",
        ),
        (
            "<t:Task><t:PercentComplete>NaN</t:PercentComplete></t:Task>",
            "t:PercentComplete: invalid double 'NaN'",
        ),
        (
            "<t:CalendarItem><t:IsAllDayEvent>yes</t:IsAllDayEvent></t:CalendarItem>",
            "t:IsAllDayEvent: invalid boolean 'yes'",
        ),
        (
            "<t:CalendarItem><t:ItemId ChangeKey=\"x\"/></t:CalendarItem>",
            "t:ItemId: missing required attribute Id",
        ),
        (
            "<t:CalendarItem><t:Body BodyType=\"Markdown\">x</t:Body></t:CalendarItem>",
            "attribute BodyType: invalid BodyType 'Markdown'",
        ),
    ];
    for (xml, want) in cases {
        let e = get_item(xml).unwrap_err();
        assert!(e.to_string().contains(want), "{xml}: {e}");
    }
}

#[test]
fn truncated_documents() {
    let full = format!("{HEAD}<t:CalendarItem><t:Subject>Hello</t:Subject></t:CalendarItem>{TAIL}");
    assert!(GetItemResponse::parse_response(full.as_bytes()).is_ok());
    // Every prefix (on char boundaries) fails cleanly.
    for cut in (0..full.len()).filter(|&i| full.is_char_boundary(i)) {
        let r = GetItemResponse::parse_response(&full.as_bytes()[..cut]);
        assert!(r.is_err(), "prefix {cut} parsed");
    }
    let e = GetItemResponse::parse_response(&full.as_bytes()[..full.len() - 40]).unwrap_err();
    assert!(matches!(e, EwsError::Malformed { .. }), "{e:?}");
    assert!(
        GetItemResponse::parse_response(b"")
            .unwrap_err()
            .to_string()
            .contains("empty document")
    );
}

#[test]
fn every_byte_flip_is_handled() {
    let full = format!(
        "{HEAD}<t:CalendarItem><t:ItemId Id=\"A\" ChangeKey=\"B\"/><t:Subject>Hé&amp;llo</t:Subject><t:Start>2025-03-10T09:00:00Z</t:Start></t:CalendarItem>{TAIL}"
    );
    let bytes = full.as_bytes();
    for i in 0..bytes.len() {
        for b in [b'<', b'>', b'&', b'"', b'/', 0u8, 0xFF, b'x'] {
            let mut m = bytes.to_vec();
            m[i] = b;
            let _ = GetItemResponse::parse_response(&m); // must not panic
            let _ = ews::cli::decode_response(&m);
            let _ = ews::server::parse_request(&m);
        }
    }
}

#[test]
fn doctype_and_entities_are_refused() {
    let billion_laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>&lol3;</s:Body></s:Envelope>"#;
    let e = GetItemResponse::parse_response(billion_laughs.as_bytes()).unwrap_err();
    assert!(matches!(e, EwsError::DtdRefused { .. }), "{e:?}");
    assert!(e.to_string().contains("DOCTYPE/DTD refused"));

    let xxe = r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"/>"#;
    assert!(matches!(
        GetItemResponse::parse_response(xxe.as_bytes()),
        Err(EwsError::DtdRefused { .. })
    ));

    // An undefined entity (no DTD) is an error naming it.
    let e = get_item("<t:CalendarItem><t:Subject>&lol;</t:Subject></t:CalendarItem>").unwrap_err();
    assert!(e.to_string().contains("undefined entity &lol;"), "{e}");
    // Bad character references.
    let e = get_item("<t:CalendarItem><t:Subject>&#0;</t:Subject></t:CalendarItem>").unwrap_err();
    assert!(e.to_string().contains("invalid character reference"), "{e}");
    let e =
        get_item("<t:CalendarItem><t:Subject>&#x110000;</t:Subject></t:CalendarItem>").unwrap_err();
    assert!(e.to_string().contains("invalid character reference"), "{e}");
}

#[test]
fn entities_cdata_and_non_ascii_in_bodies() {
    let r = get_item(
        "<t:CalendarItem><t:Subject>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#x1F389; &#233;</t:Subject>\
         <t:Body BodyType=\"HTML\"><![CDATA[<p>Hi & </t:Body> ]]]]><![CDATA[> 你好</p>]]></t:Body>\
         <t:Location>Zürich – Raum 4</t:Location></t:CalendarItem>",
    )
    .unwrap();
    let item = r.into_single().unwrap();
    let c = item.as_calendar_item().unwrap();
    assert_eq!(c.item.subject.as_deref(), Some("a & b <c> \"d\" 'e' 🎉 é"));
    assert_eq!(
        c.item.body,
        Some(Body::html("<p>Hi & </t:Body> ]]> 你好</p>"))
    );
    assert_eq!(c.location.as_deref(), Some("Zürich – Raum 4"));
}

#[test]
fn any_prefixes_default_namespaces_unknown_elements() {
    let doc = r#"<?xml version="1.0" encoding="utf-8"?>
<!-- a comment -->
<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/" xmlns:x="urn:unknown">
  <Header><x:Foo>ignored</x:Foo></Header>
  <Body>
    <FindItemResponse xmlns="http://schemas.microsoft.com/exchange/services/2006/messages" Future="1">
      <ResponseMessages>
        <FindItemResponseMessage ResponseClass="Success" x:extra="y">
          <ResponseCode>NoError</ResponseCode>
          <NewThing><Deep><Deeper/></Deep></NewThing>
          <RootFolder TotalItemsInView="1" IncludesLastItemInRange="true" Unknown="z">
            <types:Items xmlns:types="http://schemas.microsoft.com/exchange/services/2006/types">
              <types:CalendarItem>
                <types:ItemId Id="ID1" ChangeKey="CK1" Weird="w"/>
                <types:FutureField><types:Subject>not me</types:Subject></types:FutureField>
                <x:Subject>not me either</x:Subject>
                <types:Subject>Me</types:Subject>
                <Start xmlns="http://schemas.microsoft.com/exchange/services/2006/types">2025-03-10T09:00:00.123+01:00</Start>
              </types:CalendarItem>
              <types:Message><types:ItemId Id="M1"/><types:Subject>mail</types:Subject></types:Message>
            </types:Items>
          </RootFolder>
        </FindItemResponseMessage>
      </ResponseMessages>
    </FindItemResponse>
  </Body>
</Envelope>"#;
    let page = FindItemResponse::parse_response(doc.as_bytes())
        .unwrap()
        .into_single()
        .unwrap();
    assert_eq!(page.total_items_in_view, Some(1));
    let c = page.items[0].as_calendar_item().unwrap();
    assert_eq!(c.item.item_id, Some(ItemId::with_change_key("ID1", "CK1")));
    assert_eq!(c.item.subject.as_deref(), Some("Me"));
    let start = c.start.unwrap();
    assert_eq!(start.to_string(), "2025-03-10T09:00:00.123+01:00");
    assert_eq!(
        start.to_utc().unwrap().to_rfc3339(),
        "2025-03-10T08:00:00.123+00:00"
    );
    assert_eq!(
        page.items[1],
        Item::Other(OtherItem {
            item: ItemFields {
                item_id: Some(ItemId::new("M1")),
                subject: Some("mail".into()),
                ..Default::default()
            },
            element: "Message".into()
        })
    );
}

#[test]
fn wrong_namespaces() {
    // SOAP envelope in the wrong namespace (the docs' https:// typo).
    let doc = format!("{HEAD}{TAIL}").replace(
        "http://schemas.xmlsoap.org/soap/envelope/",
        "https://schemas.xmlsoap.org/soap/envelope/",
    );
    let e = GetItemResponse::parse_response(doc.as_bytes()).unwrap_err();
    assert!(
        e.to_string().contains("wrong namespace for Envelope"),
        "{e}"
    );
    // Response element in the types namespace.
    let doc = format!("{HEAD}{TAIL}").replace(
        "<m:GetItemResponse xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\"",
        "<m:GetItemResponse xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/types\"",
    );
    let e = GetItemResponse::parse_response(doc.as_bytes()).unwrap_err();
    assert!(
        e.to_string()
            .contains("GetItemResponse in the wrong namespace"),
        "{e}"
    );
    // Undeclared prefix.
    let e = GetItemResponse::parse_response(b"<soap:Envelope><soap:Body/></soap:Envelope>")
        .unwrap_err();
    assert!(matches!(e, EwsError::Malformed { .. }), "{e:?}");
    // Not SOAP at all.
    let e =
        GetItemResponse::parse_response(b"<html><body>502 Bad Gateway</body></html>").unwrap_err();
    assert!(e.to_string().contains("not a SOAP envelope"), "{e}");
    // Wrong operation.
    let e = FindItemResponse::parse_response(format!("{HEAD}{TAIL}").as_bytes()).unwrap_err();
    assert!(
        e.to_string()
            .contains("expected m:FindItemResponse, found 'GetItemResponse'"),
        "{e}"
    );
}

#[test]
fn missing_elements() {
    let no_messages = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:GetItemResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"/></s:Body></s:Envelope>"#;
    assert!(
        GetItemResponse::parse_response(no_messages.as_bytes())
            .unwrap_err()
            .to_string()
            .contains("missing m:ResponseMessages")
    );
    let no_class = format!("{HEAD}{TAIL}").replace(" ResponseClass=\"Success\"", "");
    assert!(
        GetItemResponse::parse_response(no_class.as_bytes())
            .unwrap_err()
            .to_string()
            .contains("without ResponseClass")
    );
    let no_body = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header/></s:Envelope>"#;
    assert!(
        GetItemResponse::parse_response(no_body.as_bytes())
            .unwrap_err()
            .to_string()
            .contains("no soap:Body")
    );
    let empty_body = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body> </s:Body></s:Envelope>"#;
    assert!(
        GetItemResponse::parse_response(empty_body.as_bytes())
            .unwrap_err()
            .to_string()
            .contains("empty soap:Body")
    );
    let trailing = format!("{HEAD}{TAIL}<extra/>");
    assert!(
        GetItemResponse::parse_response(trailing.as_bytes())
            .unwrap_err()
            .to_string()
            .contains("after the document element")
    );
    let mismatched = format!("{HEAD}<t:CalendarItem></t:Task>{TAIL}");
    assert!(matches!(
        GetItemResponse::parse_response(mismatched.as_bytes()),
        Err(EwsError::Malformed { .. })
    ));
}

#[test]
fn size_and_depth_limits() {
    let big = format!(
        "{HEAD}<t:CalendarItem><t:Subject>{}</t:Subject></t:CalendarItem>{TAIL}",
        "x".repeat(2000)
    );
    let limits = ParseLimits {
        max_bytes: 1024,
        ..Default::default()
    };
    let e = GetItemResponse::parse_response_with(big.as_bytes(), &limits).unwrap_err();
    assert_eq!(
        e,
        EwsError::TooLarge {
            size: big.len(),
            limit: 1024
        }
    );
    assert!(e.to_string().contains("too large"));
    // Default limit: 32 MiB.
    assert_eq!(ParseLimits::default().max_bytes, 32 * 1024 * 1024);
    let huge = vec![b' '; 32 * 1024 * 1024 + 1];
    assert!(matches!(
        GetItemResponse::parse_response(&huge),
        Err(EwsError::TooLarge { .. })
    ));
    // Deep nesting inside an unknown element.
    let deep = format!(
        "{HEAD}<t:CalendarItem>{}{}</t:CalendarItem>{TAIL}",
        "<t:X>".repeat(500),
        "</t:X>".repeat(500)
    );
    let e = GetItemResponse::parse_response(deep.as_bytes()).unwrap_err();
    assert!(e.to_string().contains("nested deeper than 128"), "{e}");
}

#[test]
fn server_version_info_absent_or_present() {
    let r = get_item("").unwrap();
    assert_eq!(r.server_version_info, None);
    assert_eq!(r.responses, vec![Ok(vec![])]);
}

#[test]
fn soap_12_fault_and_fault_with_backoff() {
    let f12 = r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault>
<env:Code><env:Value>env:Receiver</env:Value></env:Code><env:Reason><env:Text xml:lang="en">Busy</env:Text></env:Reason>
</env:Fault></env:Body></env:Envelope>"#;
    let EwsError::Fault {
        faultcode,
        faultstring,
        ..
    } = GetItemResponse::parse_response(f12.as_bytes()).unwrap_err()
    else {
        panic!()
    };
    assert_eq!(
        (faultcode.as_str(), faultstring.as_str()),
        ("env:Receiver", "Busy")
    );

    // Shape of a real throttling fault (davmail issue 161).
    let busy = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>
<faultcode xmlns:a="http://schemas.microsoft.com/exchange/services/2006/types">a:ErrorServerBusy</faultcode>
<faultstring xml:lang="en-US">The server cannot service this request right now. Try again later.</faultstring>
<detail><e:ResponseCode xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">ErrorServerBusy</e:ResponseCode>
<e:Message xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">The server cannot service this request right now. Try again later.</e:Message>
<t:MessageXml xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><t:Value Name="BackOffMilliseconds">297749</t:Value></t:MessageXml>
</detail></s:Fault></s:Body></s:Envelope>"#;
    let e = FindItemResponse::parse_response(busy.as_bytes()).unwrap_err();
    assert!(e.is_server_busy());
    assert_eq!(e.back_off_milliseconds(), Some(297749));
    assert!(e.to_string().contains("back off 297749 ms"), "{e}");
}
