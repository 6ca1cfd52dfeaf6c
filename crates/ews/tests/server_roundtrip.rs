//! Server side: responses written by the sandbox parse back to the same values and pass
//! the schema; SOAP faults we write parse into EwsError::Fault.

mod common;
use common::assert_schema_valid;

use ews::operations::create_item::CreateItemResponse;
use ews::operations::find_item::{FindItemResponse, FindItemResult};
use ews::operations::get_item::GetItemResponse;
use ews::server::{fault_envelope, schema_validation_fault, server_busy_fault};
use ews::types::*;
use ews::{EwsError, ResponseError};

fn dt(s: &str) -> EwsDateTime {
    s.parse().unwrap()
}

fn stored_item(subject: &str) -> CalendarItem {
    CalendarItem {
        item_id: Some(ItemId::with_change_key("AAMkID1", "DwAAAB")),
        subject: Some(subject.into()),
        body: Some(Body::text("multi\nline & <body>")),
        start: Some(dt("2025-03-10T09:00:00Z")),
        end: Some(dt("2025-03-10T10:00:00Z")),
        is_all_day_event: Some(false),
        legacy_free_busy_status: Some(LegacyFreeBusy::Busy),
        location: Some("Room 4.12".into()),
        is_meeting: Some(true),
        is_recurring: Some(false),
        calendar_item_type: Some(CalendarItemType::Single),
        my_response_type: Some(ResponseType::Organizer),
        organizer: Some(Mailbox { routing_type: Some("SMTP".into()), ..Mailbox::named("Alice", "alice@example.com") }),
        required_attendees: vec![Attendee { response_type: Some(ResponseType::Accept), ..Attendee::new("bob@example.com") }],
        start_time_zone: Some(TimeZoneRef { id: Some("Romance Standard Time".into()), name: Some("(UTC+01:00) Brussels".into()) }),
        extended_properties: vec![ExtendedProperty::client_request_id("req-1")],
        ..Default::default()
    }
}

#[test]
fn create_item_response_roundtrip_mixed() {
    let resp = CreateItemResponse::new(vec![
        Ok(vec![Item::CalendarItem(CalendarItem { item_id: Some(ItemId::with_change_key("A1", "C1")), ..Default::default() })]),
        Err(ResponseError::new("ErrorCalendarEndDateIsEarlierThanStartDate", "EndDate is earlier than StartDate")),
        Ok(vec![Item::Task(Task { item_id: Some(ItemId::with_change_key("T1", "C2")), ..Default::default() })]),
        Err(ResponseError::server_busy(5000)),
    ]);
    let xml = resp.to_envelope().unwrap();
    assert_schema_valid("CreateItemResponse", &xml);
    let back = CreateItemResponse::parse_response(xml.as_bytes()).unwrap();
    assert_eq!(back, resp);
    let busy = back.responses[3].as_ref().unwrap_err();
    assert_eq!(busy.back_off_milliseconds, Some(5000));
}

#[test]
fn get_item_response_roundtrip() {
    let resp = GetItemResponse::new(vec![
        Ok(vec![Item::CalendarItem(stored_item("</t:Subject><t:Foo> ]]> 🎉"))]),
        Ok(vec![Item::Task(Task {
            item_id: Some(ItemId::with_change_key("T", "K")),
            subject: Some("Report".into()),
            due_date: Some(dt("2025-03-31T17:00:00Z")),
            status: Some(TaskStatus::WaitingOnOthers),
            percent_complete: Some(50.5),
            is_complete: Some(false),
            owner: Some("Alice".into()),
            ..Default::default()
        })]),
        Err(ResponseError::new("ErrorItemNotFound", "The specified object was not found in the store.")),
    ]);
    let xml = resp.to_envelope().unwrap();
    assert_schema_valid("GetItemResponse", &xml);
    assert_eq!(GetItemResponse::parse_response(xml.as_bytes()).unwrap(), resp);
}

#[test]
fn find_item_response_roundtrip() {
    let resp = FindItemResponse::new(vec![Ok(FindItemResult {
        items: vec![Item::CalendarItem(stored_item("a")), Item::CalendarItem(stored_item("b"))],
        total_items_in_view: Some(2),
        includes_last_item_in_range: Some(true),
        indexed_paging_offset: None,
    })]);
    let xml = resp.to_envelope().unwrap();
    assert_schema_valid("FindItemResponse", &xml);
    assert_eq!(FindItemResponse::parse_response(xml.as_bytes()).unwrap(), resp);

    let empty = FindItemResponse::new(vec![
        Ok(FindItemResult { items: vec![], total_items_in_view: Some(0), includes_last_item_in_range: Some(true), indexed_paging_offset: Some(0) }),
        Err(ResponseError::new("ErrorInvalidIdMalformed", "Id is malformed.")),
    ]);
    let xml = empty.to_envelope().unwrap();
    assert_schema_valid("FindItemResponse empty", &xml);
    assert_eq!(FindItemResponse::parse_response(xml.as_bytes()).unwrap(), empty);
}

#[test]
fn faults_roundtrip() {
    let xml = fault_envelope(&server_busy_fault(30000)).unwrap();
    assert_schema_valid("fault", &xml);
    let e = GetItemResponse::parse_response(xml.as_bytes()).unwrap_err();
    assert!(e.is_server_busy(), "{e:?}");
    assert_eq!(e.back_off_milliseconds(), Some(30000));
    let EwsError::Fault { faultcode, .. } = &e else { panic!() };
    assert_eq!(faultcode, "a:ErrorServerBusy");

    let xml = fault_envelope(&schema_validation_fault("The element 'Strat' is invalid")).unwrap();
    let e = CreateItemResponse::parse_response(xml.as_bytes()).unwrap_err();
    assert_eq!(e.response_code(), Some("ErrorSchemaValidation"));
    assert!(e.to_string().contains("Strat"), "{e}");
}
