//! Every Microsoft sample parses to the expected values.

mod common;
use common::fixture;

use ews::EwsError;
use ews::operations::create_item::CreateItemResponse;
use ews::operations::find_item::FindItemResponse;
use ews::operations::get_item::GetItemResponse;
use ews::types::*;

fn dt(s: &str) -> EwsDateTime {
    s.parse().unwrap()
}

#[test]
fn create_item_calendar_response() {
    let r = CreateItemResponse::parse_response(&fixture("CreateItem-CalendarItem.response.xml"))
        .unwrap();
    assert_eq!(r.responses.len(), 1);
    let sv = r.server_version_info.as_ref().unwrap();
    assert_eq!(
        (
            sv.major_version,
            sv.minor_version,
            sv.major_build_number,
            sv.minor_build_number
        ),
        (Some(8), Some(0), Some(685), Some(8))
    );
    let item = r.into_single().unwrap();
    let c = item.as_calendar_item().expect("calendar item");
    assert_eq!(
        c.item.item_id,
        Some(ItemId::with_change_key("AAAlAFV", "DwAAABYA"))
    );
}

#[test]
fn create_item_task_response() {
    let r = CreateItemResponse::parse_response(&fixture("CreateItem-Task.response.xml")).unwrap();
    let item = r.into_single().unwrap();
    let t = item.as_task().expect("task");
    assert_eq!(
        t.item.item_id,
        Some(ItemId::with_change_key("AAAtAE=", "EwAAABYA"))
    );
}

#[test]
fn find_item_calendar_view() {
    let r =
        FindItemResponse::parse_response(&fixture("FindItem-CalendarView.response.xml")).unwrap();
    assert_eq!(
        r.server_version_info.as_ref().unwrap().version.as_deref(),
        Some("V2_3")
    );
    let page = r.into_single().unwrap();
    assert_eq!(page.total_items_in_view, Some(33));
    assert_eq!(page.includes_last_item_in_range, Some(false));
    // MaxEntriesReturned cut the view short: 5 of 33 returned, and no IndexedPagingOffset.
    assert!(page.more_in_range());
    assert_eq!(page.next_offset(0), 5);
    let subjects: Vec<_> = page.items.iter().map(|i| i.subject().unwrap()).collect();
    assert_eq!(
        subjects,
        [
            "Contoso devs team meeting",
            "Daily status meeting",
            "Lunch with sales team",
            "Tennis at the club",
            "Online training webcast"
        ]
    );
    let first = page.items[0].as_calendar_item().unwrap();
    assert_eq!(
        first.item.item_id,
        Some(ItemId::with_change_key("AAMk", "DwAA"))
    );
    assert_eq!(first.start, Some(dt("2013-08-21T19:30:00Z")));
    assert_eq!(first.end, Some(dt("2013-08-21T20:00:00Z")));
    assert_eq!(page.items[4].item_id().unwrap().id, "AAMkA");
    assert_eq!(
        page.items[4].as_calendar_item().unwrap().end,
        Some(dt("2013-08-22T22:00:00Z"))
    );
}

#[test]
fn find_item_error_invalid_id() {
    let r =
        FindItemResponse::parse_response(&fixture("FindItem-ErrorInvalidIdMalformed.response.xml"))
            .unwrap();
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
    assert_eq!(
        c.item.item_id,
        Some(ItemId::with_change_key("ASUAdT", "otlIqB=="))
    );
    assert_eq!(c.item.item_class.as_deref(), Some("IPM.Appointment"));
    assert_eq!(c.item.sensitivity, Some(Sensitivity::Normal));
    assert_eq!(c.item.body, Some(Body::text("")));
    assert_eq!(c.item.importance, Some(Importance::Normal));
    assert_eq!(c.item.reminder_due_by, Some(dt("2006-06-16T00:30:00Z")));
    assert_eq!(c.item.reminder_is_set, Some(true));
    assert_eq!(c.item.reminder_minutes_before_start, Some(15));
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
    assert_eq!(c.item.subject, None);
    assert_eq!(c.location, None);
}

#[test]
fn get_item_task() {
    let r = GetItemResponse::parse_response(&fixture("GetItem-Task.response.xml")).unwrap();
    let item = r.into_single().unwrap();
    let t = item.as_task().unwrap();
    assert_eq!(
        t.item.item_id,
        Some(ItemId::with_change_key("AAAtAEA=", "EwAAAB"))
    );
    assert_eq!(
        t.item.parent_folder_id,
        Some(ItemId::with_change_key("AAAtAEFkbWl=", "AQAAAA=="))
    );
    assert_eq!(t.item.item_class.as_deref(), Some("IPM.Task"));
    assert_eq!(t.item.subject.as_deref(), Some("Buy new shoes"));
    assert_eq!(t.item.body, Some(Body::text("")));
    assert_eq!(t.item.date_time_created, Some(dt("2006-09-15T15:23:08Z")));
    assert_eq!(t.item.culture.as_deref(), Some("en-US"));
    assert_eq!(t.change_count, Some(1));
    assert_eq!(t.is_complete, Some(false));
    assert_eq!(t.is_recurring, Some(false));
    assert_eq!(t.percent_complete, Some(0.0));
    assert_eq!(t.status, Some(TaskStatus::NotStarted));
    assert_eq!(t.status_description.as_deref(), Some("Not Started"));
}

#[test]
fn soap_fault_schema_validation() {
    let e = GetItemResponse::parse_response(&fixture(
        "UpdateItem-SoapFault-SchemaValidation.response.xml",
    ))
    .unwrap_err();
    match &e {
        EwsError::Fault {
            faultcode,
            faultstring,
            response_code,
            message,
            line,
            position,
            back_off_milliseconds,
        } => {
            assert_eq!(faultcode, "Client");
            assert_eq!(faultstring, "The request failed schema validation.");
            assert_eq!(response_code.as_deref(), Some("ErrorSchemaValidation"));
            assert!(
                message
                    .as_deref()
                    .unwrap()
                    .contains("'EmailAddress4' is invalid")
            );
            assert_eq!((*line, *position), (Some(17), Some(19)));
            assert_eq!(*back_off_milliseconds, None);
        }
        other => panic!("expected fault, got {other:?}"),
    }
    assert_eq!(e.response_code(), Some("ErrorSchemaValidation"));
}

#[test]
fn soap_fault_access_denied() {
    let e = FindItemResponse::parse_response(&fixture("GetUserOofSettings-SoapFault.response.xml"))
        .unwrap_err();
    let EwsError::Fault {
        faultcode,
        faultstring,
        ..
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!(faultcode, "soap:Client");
    assert!(faultstring.starts_with(
        "Microsoft.Exchange.Data.Storage.AccessDeniedException: User is not mailbox owner."
    ));
    assert_eq!(e.response_code(), None);
}

use ews::operations::delete_item::DeleteItemResponse;
use ews::operations::get_room_lists::GetRoomListsResponse;
use ews::operations::get_rooms::GetRoomsResponse;
use ews::operations::get_user_availability::GetUserAvailabilityResponse;
use ews::operations::resolve_names::ResolveNamesResponse;
use ews::operations::update_item::UpdateItemResponse;

#[test]
fn delete_item_success_and_error() {
    let r = DeleteItemResponse::parse_response(&fixture("DeleteItem.response.xml")).unwrap();
    assert_eq!(r.responses, vec![Ok(())]);
    assert_eq!(
        r.server_version_info.as_ref().unwrap().major_build_number,
        Some(595)
    );
    let r =
        DeleteItemResponse::parse_response(&fixture("DeleteItem-ErrorItemNotFound.response.xml"))
            .unwrap();
    let e = r.responses[0].as_ref().unwrap_err();
    assert_eq!(e.response_code, "ErrorItemNotFound");
    assert_eq!(
        e.message_text.as_deref(),
        Some("The specified object was not found in the store.")
    );
    let err = r.into_single().unwrap_err();
    assert_eq!(err.response_code(), Some("ErrorItemNotFound"));
}

#[test]
fn update_item_calendar() {
    let r = UpdateItemResponse::parse_response(&fixture("UpdateItem-CalendarItem.response.xml"))
        .unwrap();
    let sv = r.server_version_info.as_ref().unwrap();
    assert_eq!(
        (
            sv.major_version,
            sv.minor_build_number,
            sv.version.as_deref()
        ),
        (Some(15), Some(6), Some("V2_7"))
    );
    let res = r.responses[0].as_ref().unwrap();
    assert_eq!(res.conflict_count, Some(0));
    assert_eq!(
        res.items[0].item_id(),
        Some(&ItemId::with_change_key("AAMkA", "DwAAA"))
    );
}

#[test]
fn get_room_lists() {
    let r = GetRoomListsResponse::parse_response(&fixture("GetRoomLists.response.xml")).unwrap();
    assert_eq!(
        r.server_version_info.as_ref().unwrap().version.as_deref(),
        Some("Exchange2010_SP1")
    );
    let lists = r.result.unwrap();
    assert_eq!(lists.len(), 1);
    assert_eq!(lists[0].name.as_deref(), Some("Room List"));
    assert_eq!(
        lists[0].email_address.as_deref(),
        Some("RoomList@contoso.com")
    );
    assert_eq!(lists[0].routing_type.as_deref(), Some("SMTP"));
    assert_eq!(lists[0].mailbox_type, Some(MailboxType::PublicDL));
}

#[test]
fn get_rooms_success_and_error() {
    let r = GetRoomsResponse::parse_response(&fixture("GetRooms.response.xml")).unwrap();
    let rooms = r.result.unwrap();
    let names: Vec<_> = rooms
        .iter()
        .map(|m| {
            (
                m.name.as_deref().unwrap(),
                m.email_address.as_deref().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("Room01", "Room01@contoso.com"),
            ("Room02", "Room02@contoso.com")
        ]
    );
    assert_eq!(rooms[1].mailbox_type, Some(MailboxType::Mailbox));
    let r = GetRoomsResponse::parse_response(&fixture(
        "GetRooms-ErrorNameResolutionNoResults.response.xml",
    ))
    .unwrap();
    let e = r.result.unwrap_err();
    assert_eq!(e.response_code, "ErrorNameResolutionNoResults");
    assert_eq!(e.message_text.as_deref(), Some("No results were found."));
    assert_eq!(e.descriptive_link_key, Some(0));
}

#[test]
fn resolve_names_success_and_error() {
    let r = ResolveNamesResponse::parse_response(&fixture("ResolveNames.response.xml")).unwrap();
    let res = r.responses[0].as_ref().unwrap();
    assert_eq!(res.total_items_in_view, Some(1));
    assert_eq!(res.includes_last_item_in_range, Some(true));
    let reso = &res.resolutions[0];
    assert_eq!(reso.mailbox.name.as_deref(), Some("User2"));
    assert_eq!(
        reso.mailbox.email_address.as_deref(),
        Some("User2@example.com")
    );
    assert_eq!(reso.mailbox.mailbox_type, Some(MailboxType::Mailbox));
    let c = reso.contact.as_ref().unwrap();
    assert_eq!(c.display_name.as_deref(), Some("User2"));
    assert_eq!(c.email_addresses[0].key, "EmailAddress1");
    assert_eq!(c.email_addresses[0].value, "SMTP:User2@example.com");
    assert_eq!(c.contact_source.as_deref(), Some("ActiveDirectory"));

    let r = ResolveNamesResponse::parse_response(&fixture(
        "ResolveNames-ErrorNameResolutionNoResults.response.xml",
    ))
    .unwrap();
    assert_eq!(
        r.responses[0].as_ref().unwrap_err().response_code,
        "ErrorNameResolutionNoResults"
    );
    assert_eq!(r.into_resolutions().unwrap(), vec![]);
}

#[test]
fn get_user_availability() {
    let r =
        GetUserAvailabilityResponse::parse_response(&fixture("GetUserAvailability.response.xml"))
            .unwrap();
    assert_eq!(r.free_busy_responses.len(), 2);
    let a = r.free_busy_responses[0].as_ref().unwrap();
    assert_eq!(a.free_busy_view_type, FreeBusyViewType::DetailedMerged);
    assert_eq!(
        a.merged_free_busy.as_deref(),
        Some("000002220220000000000000")
    );
    assert_eq!(a.merged()[5], LegacyFreeBusy::Busy);
    assert_eq!(a.calendar_events.len(), 3);
    let ev = &a.calendar_events[2];
    assert_eq!(ev.start_time, dt("2006-10-16T09:40:00-07:00"));
    assert_eq!(
        ev.start_time.to_utc().unwrap().to_rfc3339(),
        "2006-10-16T16:40:00+00:00"
    );
    assert_eq!(ev.end_time, dt("2006-10-16T10:10:00-07:00"));
    assert_eq!(ev.busy_type, LegacyFreeBusy::Busy);
    let d = ev.details.as_ref().unwrap();
    assert_eq!(d.id.as_deref(), Some("14B6414B0B1"));
    assert_eq!(d.subject.as_deref(), Some("Meet with doctor"));
    assert_eq!(d.location.as_deref(), Some("Kirkland"));
    assert!(!d.is_meeting && !d.is_private);
    assert_eq!(
        a.calendar_events[0]
            .details
            .as_ref()
            .unwrap()
            .location
            .as_deref(),
        Some("")
    );
    let wh = a.working_hours.as_ref().unwrap();
    assert_eq!(wh.time_zone.bias, 480);
    assert_eq!(wh.time_zone.daylight_time.bias, -60);
    assert_eq!(wh.time_zone.daylight_time.month, 4);
    assert_eq!(wh.time_zone.standard_time.day_order, 5);
    assert_eq!(wh.working_periods[0].days_of_week.len(), 5);
    assert_eq!(wh.working_periods[0].days_of_week[0], DayOfWeek::Monday);
    assert_eq!(
        (
            wh.working_periods[0].start_time_in_minutes,
            wh.working_periods[0].end_time_in_minutes
        ),
        (480, 1020)
    );

    let b = r.free_busy_responses[1].as_ref().unwrap();
    assert_eq!(b.free_busy_view_type, FreeBusyViewType::FreeBusyMerged);
    assert_eq!(b.calendar_events[0].busy_type, LegacyFreeBusy::Tentative);
    assert_eq!(b.calendar_events[0].details, None);
}

#[test]
fn server_busy_in_response_message() {
    let r = ews::parse_generic_response(&fixture(
        "third-party/SyncFolderItems-ErrorServerBusy.ews-rs-fixture.xml",
    ))
    .unwrap();
    assert_eq!(r.body_element, "SyncFolderItemsResponse");
    let e = r.responses[0].as_ref().unwrap_err();
    assert_eq!(e.response_code, "ErrorServerBusy");
    assert_eq!(e.back_off_milliseconds, Some(5000));
    assert_eq!(e.message_xml[0].name, "BackOffMilliseconds");
    assert!(
        e.message_text
            .as_deref()
            .unwrap()
            .contains("Suggested backoff time 5000 ms")
    );
    // Through the CLI decoder too.
    let v = ews::cli::decode_response(&fixture(
        "third-party/SyncFolderItems-ErrorServerBusy.ews-rs-fixture.xml",
    ))
    .unwrap();
    assert_eq!(v["operation"], "SyncFolderItems");
    assert_eq!(v["errors"][0]["backOffMilliseconds"], 5000);
    assert_eq!(v["errors"][0]["responseCode"], "ErrorServerBusy");
}

#[test]
fn every_sample_decodes_via_cli() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().and_then(|e| e.to_str()) != Some("xml") {
            continue;
        }
        let bytes = std::fs::read(&p).unwrap();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        match ews::cli::decode_response(&bytes) {
            Ok(v) => {
                let op = name.split(['-', '.']).next().unwrap();
                assert_eq!(v["operation"], op, "{name}");
                let errors = v["errors"].as_array().unwrap().len();
                assert_eq!(errors > 0, name.contains("Error"), "{name}: {v}");
            }
            Err(e) => {
                assert!(name.contains("SoapFault"), "{name}: {e}");
                assert!(matches!(e, EwsError::Fault { .. }));
            }
        }
        n += 1;
    }
    assert_eq!(n, 17);
}
