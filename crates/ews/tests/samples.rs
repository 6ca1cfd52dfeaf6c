//! Every Microsoft sample parses to the expected values.

mod common;
use common::fixture;

use ews::operations::create_item::CreateItemResponse;
use ews::operations::find_item::FindItemResponse;
use ews::operations::get_item::GetItemResponse;
use ews::types::*;
use ews::EwsError;

fn dt(s: &str) -> EwsDateTime {
    s.parse().unwrap()
}

#[test]
fn create_item_calendar_response() {
    let r = CreateItemResponse::parse_response(&fixture("CreateItem-CalendarItem.response.xml")).unwrap();
    assert_eq!(r.responses.len(), 1);
    let sv = r.server_version_info.as_ref().unwrap();
    assert_eq!((sv.major_version, sv.minor_version, sv.major_build_number, sv.minor_build_number), (Some(8), Some(0), Some(685), Some(8)));
    let item = r.into_single().unwrap();
    let c = item.as_calendar_item().expect("calendar item");
    assert_eq!(c.item_id, Some(ItemId::with_change_key("AAAlAFV", "DwAAABYA")));
}

#[test]
fn create_item_task_response() {
    let r = CreateItemResponse::parse_response(&fixture("CreateItem-Task.response.xml")).unwrap();
    let item = r.into_single().unwrap();
    let t = item.as_task().expect("task");
    assert_eq!(t.item_id, Some(ItemId::with_change_key("AAAtAE=", "EwAAABYA")));
}

#[test]
fn find_item_calendar_view() {
    let r = FindItemResponse::parse_response(&fixture("FindItem-CalendarView.response.xml")).unwrap();
    assert_eq!(r.server_version_info.as_ref().unwrap().version.as_deref(), Some("V2_3"));
    let page = r.into_single().unwrap();
    assert_eq!(page.total_items_in_view, Some(33));
    assert_eq!(page.includes_last_item_in_range, Some(false));
    let subjects: Vec<_> = page.items.iter().map(|i| i.subject().unwrap()).collect();
    assert_eq!(
        subjects,
        ["Contoso devs team meeting", "Daily status meeting", "Lunch with sales team", "Tennis at the club", "Online training webcast"]
    );
    let first = page.items[0].as_calendar_item().unwrap();
    assert_eq!(first.item_id, Some(ItemId::with_change_key("AAMk", "DwAA")));
    assert_eq!(first.start, Some(dt("2013-08-21T19:30:00Z")));
    assert_eq!(first.end, Some(dt("2013-08-21T20:00:00Z")));
    assert_eq!(page.items[4].item_id().unwrap().id, "AAMkA");
    assert_eq!(page.items[4].as_calendar_item().unwrap().end, Some(dt("2013-08-22T22:00:00Z")));
}

#[test]
fn find_item_error_invalid_id() {
    let r = FindItemResponse::parse_response(&fixture("FindItem-ErrorInvalidIdMalformed.response.xml")).unwrap();
    assert_eq!(r.responses.len(), 1);
    let e = r.responses[0].as_ref().unwrap_err();
    assert_eq!(e.response_class, ResponseClass::Error);
    assert_eq!(e.response_code, "ErrorInvalidIdMalformed");
    assert_eq!(e.message_text.as_deref(), Some("Id is malformed."));
    assert_eq!(e.descriptive_link_key, Some(0));
}

#[test]
fn get_item_calendar_item() {
    let r = GetItemResponse::parse_response(&fixture("GetItem-CalendarItem.response.xml")).unwrap();
    let item = r.into_single().unwrap();
    let c = item.as_calendar_item().unwrap();
    assert_eq!(c.item_id, Some(ItemId::with_change_key("ASUAdT", "otlIqB==")));
    assert_eq!(c.item_class.as_deref(), Some("IPM.Appointment"));
    assert_eq!(c.sensitivity, Some(Sensitivity::Normal));
    assert_eq!(c.body, Some(Body::text("")));
    assert_eq!(c.importance, Some(Importance::Normal));
    assert_eq!(c.reminder_due_by, Some(dt("2006-06-16T00:30:00Z")));
    assert_eq!(c.reminder_is_set, Some(true));
    assert_eq!(c.reminder_minutes_before_start, Some(15));
    assert_eq!(c.start, Some(dt("2006-06-16T00:30:00Z")));
    assert_eq!(c.end, Some(dt("2006-06-16T01:00:00Z")));
    assert_eq!(c.is_all_day_event, Some(false));
    assert_eq!(c.legacy_free_busy_status, Some(LegacyFreeBusy::Busy));
    assert_eq!(c.calendar_item_type, Some(CalendarItemType::Single));
    assert_eq!(c.my_response_type, Some(ResponseType::Organizer));
    let org = c.organizer.as_ref().unwrap();
    assert_eq!(org.name.as_deref(), Some("Bob"));
    assert_eq!(org.email_address.as_deref(), Some("someone@example.com"));
    assert_eq!(org.routing_type.as_deref(), Some("SMTP"));
    assert_eq!(c.duration.as_deref(), Some("PT30M"));
    // ConflictingMeetings' nested calendar items must not leak into the outer item.
    assert_eq!(c.subject, None);
    assert_eq!(c.location, None);
}

#[test]
fn get_item_task() {
    let r = GetItemResponse::parse_response(&fixture("GetItem-Task.response.xml")).unwrap();
    let item = r.into_single().unwrap();
    let t = item.as_task().unwrap();
    assert_eq!(t.item_id, Some(ItemId::with_change_key("AAAtAEA=", "EwAAAB")));
    assert_eq!(t.parent_folder_id, Some(ItemId::with_change_key("AAAtAEFkbWl=", "AQAAAA==")));
    assert_eq!(t.item_class.as_deref(), Some("IPM.Task"));
    assert_eq!(t.subject.as_deref(), Some("Buy new shoes"));
    assert_eq!(t.body, Some(Body::text("")));
    assert_eq!(t.date_time_created, Some(dt("2006-09-15T15:23:08Z")));
    assert_eq!(t.culture.as_deref(), Some("en-US"));
    assert_eq!(t.change_count, Some(1));
    assert_eq!(t.is_complete, Some(false));
    assert_eq!(t.is_recurring, Some(false));
    assert_eq!(t.percent_complete, Some(0.0));
    assert_eq!(t.status, Some(TaskStatus::NotStarted));
    assert_eq!(t.status_description.as_deref(), Some("Not Started"));
}

#[test]
fn soap_fault_schema_validation() {
    let e = GetItemResponse::parse_response(&fixture("UpdateItem-SoapFault-SchemaValidation.response.xml")).unwrap_err();
    match &e {
        EwsError::Fault { faultcode, faultstring, response_code, message, line, position, back_off_milliseconds } => {
            assert_eq!(faultcode, "Client");
            assert_eq!(faultstring, "The request failed schema validation.");
            assert_eq!(response_code.as_deref(), Some("ErrorSchemaValidation"));
            assert!(message.as_deref().unwrap().contains("'EmailAddress4' is invalid"));
            assert_eq!((*line, *position), (Some(17), Some(19)));
            assert_eq!(*back_off_milliseconds, None);
        }
        other => panic!("expected fault, got {other:?}"),
    }
    assert_eq!(e.response_code(), Some("ErrorSchemaValidation"));
}

#[test]
fn soap_fault_access_denied() {
    let e = FindItemResponse::parse_response(&fixture("GetUserOofSettings-SoapFault.response.xml")).unwrap_err();
    let EwsError::Fault { faultcode, faultstring, .. } = &e else { panic!("{e:?}") };
    assert_eq!(faultcode, "soap:Client");
    assert!(faultstring.starts_with("Microsoft.Exchange.Data.Storage.AccessDeniedException: User is not mailbox owner."));
    assert_eq!(e.response_code(), None);
}
