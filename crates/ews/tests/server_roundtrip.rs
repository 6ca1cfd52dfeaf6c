//! Server side (feature `server`): responses written by the server parse back to the same values and pass
//! the schema; SOAP faults we write parse into EwsError::Fault.

mod common;
use common::schema::{SchemaBatch, assert_schema_valid};

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
        item: ItemFields {
            item_id: Some(ItemId::with_change_key("AAMkID1", "DwAAAB")),
            subject: Some(subject.into()),
            body: Some(Body::text("multi\nline & <body>")),
            extended_properties: vec![ExtendedProperty::client_request_id("req-1")],
            ..Default::default()
        },
        start: Some(dt("2025-03-10T09:00:00Z")),
        end: Some(dt("2025-03-10T10:00:00Z")),
        is_all_day_event: Some(false),
        legacy_free_busy_status: Some(LegacyFreeBusy::Busy),
        location: Some("Room 4.12".into()),
        is_meeting: Some(true),
        is_recurring: Some(false),
        calendar_item_type: Some(CalendarItemType::Single),
        my_response_type: Some(ResponseType::Organizer),
        organizer: Some(Mailbox {
            routing_type: Some("SMTP".into()),
            ..Mailbox::named("Alice", "alice@example.com")
        }),
        required_attendees: vec![Attendee {
            response_type: Some(ResponseType::Accept),
            ..Attendee::new("bob@example.com")
        }],
        start_time_zone: Some(TimeZoneRef {
            id: Some("Romance Standard Time".into()),
            name: Some("(UTC+01:00) Brussels".into()),
        }),
        ..Default::default()
    }
}

#[test]
fn create_item_response_roundtrip_mixed() {
    let resp = CreateItemResponse::new(vec![
        Ok(vec![Item::CalendarItem(CalendarItem {
            item: ItemFields {
                item_id: Some(ItemId::with_change_key("A1", "C1")),
                ..Default::default()
            },
            ..Default::default()
        })]),
        Err(ResponseError::new(
            "ErrorCalendarEndDateIsEarlierThanStartDate",
            "EndDate is earlier than StartDate",
        )),
        Ok(vec![Item::Task(Task {
            item: ItemFields {
                item_id: Some(ItemId::with_change_key("T1", "C2")),
                ..Default::default()
            },
            ..Default::default()
        })]),
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
        Ok(vec![Item::CalendarItem(stored_item(
            "</t:Subject><t:Foo> ]]> 🎉",
        ))]),
        Ok(vec![Item::Task(Task {
            item: ItemFields {
                item_id: Some(ItemId::with_change_key("T", "K")),
                subject: Some("Report".into()),
                ..Default::default()
            },
            due_date: Some(dt("2025-03-31T17:00:00Z")),
            status: Some(TaskStatus::WaitingOnOthers),
            percent_complete: Some(50.5),
            is_complete: Some(false),
            owner: Some("Alice".into()),
            ..Default::default()
        })]),
        Err(ResponseError::new(
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        )),
    ]);
    let xml = resp.to_envelope().unwrap();
    assert_schema_valid("GetItemResponse", &xml);
    assert_eq!(
        GetItemResponse::parse_response(xml.as_bytes()).unwrap(),
        resp
    );
}

#[test]
fn find_item_response_roundtrip() {
    let mut schema = SchemaBatch::new();
    let resp = FindItemResponse::new(vec![Ok(FindItemResult {
        items: vec![
            Item::CalendarItem(stored_item("a")),
            Item::CalendarItem(stored_item("b")),
        ],
        total_items_in_view: Some(2),
        includes_last_item_in_range: Some(true),
        indexed_paging_offset: None,
    })]);
    let xml = resp.to_envelope().unwrap();
    schema.add("FindItemResponse", xml.clone());
    assert_eq!(
        FindItemResponse::parse_response(xml.as_bytes()).unwrap(),
        resp
    );

    let empty = FindItemResponse::new(vec![
        Ok(FindItemResult {
            items: vec![],
            total_items_in_view: Some(0),
            includes_last_item_in_range: Some(true),
            indexed_paging_offset: Some(0),
        }),
        Err(ResponseError::new(
            "ErrorInvalidIdMalformed",
            "Id is malformed.",
        )),
    ]);
    let xml = empty.to_envelope().unwrap();
    schema.add("FindItemResponse empty", xml.clone());
    assert_eq!(
        FindItemResponse::parse_response(xml.as_bytes()).unwrap(),
        empty
    );

    // A middle page of an IndexedPageItemView: where the next page starts, and that more follow.
    let middle = FindItemResponse::new(vec![Ok(FindItemResult {
        items: vec![Item::CalendarItem(stored_item("c"))],
        total_items_in_view: Some(30),
        includes_last_item_in_range: Some(false),
        indexed_paging_offset: Some(11),
    })]);
    let xml = middle.to_envelope().unwrap();
    schema.add("FindItemResponse middle page", xml.clone());
    let page = FindItemResponse::parse_response(xml.as_bytes())
        .unwrap()
        .into_single()
        .unwrap();
    assert!(page.more_in_range());
    assert_eq!(page.next_offset(10), 11);
    schema.assert_all_valid();
}

#[test]
fn faults_roundtrip() {
    let xml = fault_envelope(&server_busy_fault(30000)).unwrap();
    assert_schema_valid("fault", &xml);
    let e = GetItemResponse::parse_response(xml.as_bytes()).unwrap_err();
    assert!(e.is_server_busy(), "{e:?}");
    assert_eq!(e.back_off_milliseconds(), Some(30000));
    let EwsError::Fault { faultcode, .. } = &e else {
        panic!()
    };
    assert_eq!(faultcode, "a:ErrorServerBusy");

    let xml = fault_envelope(&schema_validation_fault("The element 'Strat' is invalid")).unwrap();
    let e = CreateItemResponse::parse_response(xml.as_bytes()).unwrap_err();
    assert_eq!(e.response_code(), Some("ErrorSchemaValidation"));
    assert!(e.to_string().contains("Strat"), "{e}");
}

use ews::operations::delete_item::DeleteItemResponse;
use ews::operations::get_room_lists::GetRoomListsResponse;
use ews::operations::get_rooms::GetRoomsResponse;
use ews::operations::get_user_availability::*;
use ews::operations::resolve_names::*;
use ews::operations::update_item::{UpdateItemResponse, UpdateItemResult};

#[test]
fn update_and_delete_responses_roundtrip() {
    let mut schema = SchemaBatch::new();
    let resp = UpdateItemResponse::new(vec![
        Ok(UpdateItemResult {
            items: vec![Item::CalendarItem(CalendarItem {
                item: ItemFields {
                    item_id: Some(ItemId::with_change_key("A", "NEW")),
                    ..Default::default()
                },
                ..Default::default()
            })],
            conflict_count: Some(0),
        }),
        Err(ResponseError::new(
            "ErrorIrresolvableConflict",
            "The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.",
        )),
    ]);
    let xml = resp.to_envelope().unwrap();
    schema.add("UpdateItemResponse", xml.clone());
    assert_eq!(
        UpdateItemResponse::parse_response(xml.as_bytes()).unwrap(),
        resp
    );

    let resp = DeleteItemResponse::new(vec![
        Ok(()),
        Err(ResponseError::new(
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        )),
    ]);
    let xml = resp.to_envelope().unwrap();
    schema.add("DeleteItemResponse", xml.clone());
    assert_eq!(
        DeleteItemResponse::parse_response(xml.as_bytes()).unwrap(),
        resp
    );
    schema.assert_all_valid();
}

#[test]
fn rooms_and_people_responses_roundtrip() {
    let mut schema = SchemaBatch::new();
    let list = Mailbox {
        routing_type: Some("SMTP".into()),
        mailbox_type: Some(MailboxType::PublicDL),
        ..Mailbox::named("Building 1", "rooms-b1@example.com")
    };
    for result in [
        Ok(vec![list.clone()]),
        Ok(vec![]),
        Err(ResponseError::new("ErrorInternalServerError", "x")),
    ] {
        let resp = GetRoomListsResponse::new(result);
        let xml = resp.to_envelope().unwrap();
        schema.add("GetRoomListsResponse", xml.clone());
        assert_eq!(
            GetRoomListsResponse::parse_response(xml.as_bytes()).unwrap(),
            resp
        );
    }
    let room = Mailbox {
        routing_type: Some("SMTP".into()),
        mailbox_type: Some(MailboxType::Mailbox),
        ..Mailbox::named("Room 4.12 «Zürich»", "room412@example.com")
    };
    for result in [
        Ok(vec![room.clone(), room.clone()]),
        Err(ResponseError::new(
            "ErrorNameResolutionNoResults",
            "No results were found.",
        )),
    ] {
        let resp = GetRoomsResponse::new(result);
        let xml = resp.to_envelope().unwrap();
        schema.add("GetRoomsResponse", xml.clone());
        assert_eq!(
            GetRoomsResponse::parse_response(xml.as_bytes()).unwrap(),
            resp
        );
    }
    let contact = Contact {
        display_name: Some("Bob Example".into()),
        given_name: Some("Bob".into()),
        email_addresses: vec![Entry {
            key: "EmailAddress1".into(),
            value: "SMTP:bob@example.com".into(),
        }],
        phone_numbers: vec![Entry {
            key: "BusinessPhone".into(),
            value: "+41 44 000 00 00".into(),
        }],
        contact_source: Some("ActiveDirectory".into()),
        department: Some("R&D".into()),
        job_title: Some("Engineer".into()),
        office_location: Some("4.12".into()),
        surname: Some("Example".into()),
        ..Default::default()
    };
    let mut warning = ResponseError::new(
        "ErrorNameResolutionMultipleResults",
        "Multiple results were found.",
    );
    warning.response_class = ResponseClass::Warning;
    let resp = ResolveNamesResponse::new(vec![
        Ok(ResolveNamesResult {
            resolutions: vec![
                Resolution {
                    mailbox: Mailbox::named("Bob Example", "bob@example.com"),
                    contact: Some(contact),
                },
                Resolution {
                    mailbox: Mailbox::named("Bobby", "bobby@example.com"),
                    contact: None,
                },
            ],
            total_items_in_view: Some(2),
            includes_last_item_in_range: Some(true),
            warning: Some(warning),
        }),
        Err(ResponseError::new(
            "ErrorNameResolutionNoResults",
            "No results were found.",
        )),
    ]);
    let xml = resp.to_envelope().unwrap();
    schema.add("ResolveNamesResponse", xml.clone());
    assert_eq!(
        ResolveNamesResponse::parse_response(xml.as_bytes()).unwrap(),
        resp
    );
    schema.assert_all_valid();
}

#[test]
fn availability_response_roundtrip() {
    let tz = SerializableTimeZone::utc();
    let view = FreeBusyView {
        free_busy_view_type: FreeBusyViewType::DetailedMerged,
        merged_free_busy: Some("0022001".into()),
        calendar_events: vec![
            CalendarEvent {
                start_time: dt("2025-03-10T09:00:00"),
                end_time: dt("2025-03-10T10:00:00"),
                busy_type: LegacyFreeBusy::Busy,
                details: Some(CalendarEventDetails {
                    id: Some("ID".into()),
                    subject: Some("Sync & <chat>".into()),
                    location: Some("".into()),
                    is_meeting: true,
                    ..Default::default()
                }),
            },
            CalendarEvent {
                start_time: dt("2025-03-10T12:00:00"),
                end_time: dt("2025-03-10T12:30:00"),
                busy_type: LegacyFreeBusy::Tentative,
                details: None,
            },
        ],
        working_hours: Some(WorkingHours {
            time_zone: tz,
            working_periods: vec![WorkingPeriod {
                days_of_week: vec![DayOfWeek::Monday, DayOfWeek::Friday],
                start_time_in_minutes: 480,
                end_time_in_minutes: 1020,
            }],
        }),
    };
    let resp = GetUserAvailabilityResponse::new(vec![
        Ok(view),
        Err(ResponseError::new(
            "ErrorMailRecipientNotFound",
            "Unable to resolve e-mail address <>;",
        )),
        Ok(FreeBusyView {
            free_busy_view_type: FreeBusyViewType::MergedOnly,
            merged_free_busy: Some("5555".into()),
            ..Default::default()
        }),
    ]);
    let xml = resp.to_envelope().unwrap();
    assert_schema_valid("GetUserAvailabilityResponse", &xml);
    assert_eq!(
        GetUserAvailabilityResponse::parse_response(xml.as_bytes()).unwrap(),
        resp
    );
}

#[test]
fn get_folder_response_roundtrip() {
    use ews::operations::get_folder::{Folder, FolderKind, GetFolderResponse};
    let folder = |kind, id: &str, class: &str, name: &str, total| Folder {
        kind,
        folder_id: Some(ItemId::with_change_key(id, "AQAAABYAAAA=")),
        parent_folder_id: None,
        folder_class: Some(class.into()),
        display_name: Some(name.into()),
        total_count: Some(total),
        child_folder_count: Some(0),
    };
    let resp = GetFolderResponse::new(vec![
        Ok(vec![folder(
            FolderKind::CalendarFolder,
            "AAMkCal",
            "IPF.Appointment",
            "Calendar <&>",
            3,
        )]),
        Ok(vec![folder(
            FolderKind::TasksFolder,
            "AAMkTasks",
            "IPF.Task",
            "Tasks",
            0,
        )]),
        Err(ResponseError::new(
            "ErrorFolderNotFound",
            "The specified folder could not be found in the store.",
        )),
    ]);
    let xml = resp.to_envelope().unwrap();
    assert_schema_valid("GetFolderResponse", &xml);
    let back = GetFolderResponse::parse_response(xml.as_bytes()).unwrap();
    assert_eq!(back, resp);
    assert_eq!(
        back.into_single().unwrap().display_name.as_deref(),
        Some("Calendar <&>")
    );
}
