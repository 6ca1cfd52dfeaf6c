//! `ews::cli`: JSON model -> SOAP request (encode) and response -> JSON (decode).

mod common;
use common::fixture;
use common::schema::SchemaBatch;

use ews::cli::{SUPPORTED_OPERATIONS, decode_response, encode_request};

#[test]
fn encode_every_operation_from_json() {
    let cases = [
        (
            "CreateItem",
            r#"{"headers":{"serverVersion":"Exchange2013_SP1","impersonation":{"kind":"primarySmtpAddress","value":"alice@example.com"},"timeZone":"Romance Standard Time"},
            "sendMeetingInvitations":"SendToAllAndSaveCopy","savedItemFolderId":{"kind":"distinguished","id":"calendar"},
            "items":[{"itemType":"CalendarItem","subject":"</t:Subject> ]]>","body":{"bodyType":"HTML","content":"<b>x</b>"},
              "start":"2025-03-10T09:00:00Z","end":"2025-03-10T10:00:00Z","requiredAttendees":[{"mailbox":{"emailAddress":"bob@example.com"}}],
              "recurrence":{"pattern":{"type":"weekly","interval":1,"daysOfWeek":["Monday"]},"range":{"type":"numbered","startDate":"2025-03-10","numberOfOccurrences":3}},
              "extendedProperties":[{"field":{"propertySetId":"c11ff724-aa03-4555-9952-8fa248a11c3e","propertyName":"ExchangeFormsClientRequestId","propertyType":"String"},"value":"r1"}]}]}"#,
        ),
        (
            "GetItem",
            r#"{"itemShape":{"baseShape":"AllProperties"},"itemIds":[{"kind":"itemId","id":"AAMk","changeKey":"Dw"}]}"#,
        ),
        (
            "FindItem",
            r#"{"traversal":"Shallow","itemShape":{"baseShape":"IdOnly"},"view":{"type":"calendar","startDate":"2025-03-01T00:00:00Z","endDate":"2025-04-01T00:00:00Z","maxEntriesReturned":100},"parentFolderIds":[{"kind":"distinguished","id":"calendar"}]}"#,
        ),
        (
            "UpdateItem",
            r#"{"conflictResolution":"AutoResolve","sendMeetingInvitationsOrCancellations":"SendToAllAndSaveCopy","itemChanges":[{"itemId":{"kind":"itemId","id":"A","changeKey":"B"},"updates":[{"action":"set","path":{"kind":"field","fieldUri":"item:Subject"},"item":{"itemType":"CalendarItem","subject":"New"}},{"action":"delete","path":{"kind":"field","fieldUri":"calendar:Location"}}]}]}"#,
        ),
        (
            "DeleteItem",
            r#"{"deleteType":"MoveToDeletedItems","sendMeetingCancellations":"SendToAllAndSaveCopy","itemIds":[{"kind":"itemId","id":"A"}]}"#,
        ),
        (
            "MeetingResponse",
            r#"{"response":"Decline","referenceItemId":{"id":"R","changeKey":"C"},"body":{"bodyType":"Text","content":"Sorry"},"messageDisposition":"SendAndSaveCopy"}"#,
        ),
        (
            "CancelCalendarItem",
            r#"{"referenceItemId":{"id":"R"},"body":{"bodyType":"Text","content":"Cancelled"},"messageDisposition":"SendAndSaveCopy"}"#,
        ),
        ("GetRoomLists", "{}"),
        (
            "GetRooms",
            r#"{"roomList":{"emailAddress":"RoomList@contoso.com"}}"#,
        ),
        (
            "ResolveNames",
            r#"{"unresolvedEntry":"bob","returnFullContactData":true}"#,
        ),
        (
            "GetUserAvailability",
            r#"{"timeZone":{"bias":0,"standardTime":{"bias":0,"time":"00:00:00","dayOrder":1,"month":1,"dayOfWeek":"Sunday"},"daylightTime":{"bias":0,"time":"00:00:00","dayOrder":1,"month":1,"dayOfWeek":"Sunday"}},
            "mailboxData":[{"address":"room@example.com","attendeeType":"Room"}],"freeBusyViewOptions":{"startTime":"2025-03-10T00:00:00","endTime":"2025-03-11T00:00:00","mergedFreeBusyIntervalInMinutes":30,"requestedView":"DetailedMerged"}}"#,
        ),
    ];
    assert_eq!(cases.len(), SUPPORTED_OPERATIONS.len());
    let mut schema = SchemaBatch::new();
    for (op, json) in cases {
        let xml = encode_request(op, json).unwrap_or_else(|e| panic!("{op}: {e}"));
        schema.add(op, xml);
    }
    schema.assert_all_valid();
}

#[test]
fn encode_errors_are_readable() {
    let e = encode_request("GetItem", "{not json")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("invalid JSON for GetItem:"), "{e}");
    let e = encode_request("GetItem", r#"{"itemShape":{"baseShape":"IdOnly"}}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("GetItem needs at least one item id"), "{e}");
    let e = encode_request(
        "CreateItem",
        r#"{"items":[{"itemType":"CalendarItem","subject":"a\u0001b"}]}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("t:Subject: character U+0001"), "{e}");
}

#[test]
fn decode_shapes() {
    let v = decode_response(&fixture("FindItem-CalendarView.response.xml")).unwrap();
    assert_eq!(v["operation"], "FindItem");
    assert_eq!(v["items"].as_array().unwrap().len(), 5);
    assert_eq!(v["items"][0]["itemType"], "CalendarItem");
    assert_eq!(v["items"][0]["subject"], "Contoso devs team meeting");
    assert_eq!(v["items"][0]["start"], "2013-08-21T19:30:00Z");
    assert_eq!(v["folders"][0]["totalItemsInView"], 33);
    assert_eq!(v["folders"][0]["includesLastItemInRange"], false);
    assert_eq!(v["errors"].as_array().unwrap().len(), 0);

    let v = decode_response(&fixture("DeleteItem-ErrorItemNotFound.response.xml")).unwrap();
    assert_eq!(v["errors"][0]["responseCode"], "ErrorItemNotFound");
    assert_eq!(v["errors"][0]["index"], 0);

    let e = decode_response(&fixture(
        "UpdateItem-SoapFault-SchemaValidation.response.xml",
    ))
    .unwrap_err();
    assert!(
        e.to_string().starts_with(
            "SOAP fault Client: The request failed schema validation. (ErrorSchemaValidation)"
        ),
        "{e}"
    );
    let e = decode_response(b"<broken").unwrap_err();
    assert!(e.to_string().contains("malformed XML"), "{e}");
}
