//! Every request builder's output passes validate.sh (official schema + xmllint), over a
//! table of inputs including hostile strings; user text round-trips exactly.

mod common;
use common::pos;
use common::schema::SchemaBatch;

use ews::operations::create_item::CreateItem;
use ews::operations::find_item::FindItem;
use ews::operations::get_item::GetItem;
use ews::server::{Request, parse_request};
use ews::types::*;
use ews::{ConnectingSid, EwsError, RequestHeaders};

pub fn hostile_strings() -> Vec<String> {
    vec![
        "Project sync".into(),
        "</t:Subject><t:Foo>".into(),
        "]]>".into(),
        "<![CDATA[x]]>".into(),
        "&amp; & &lt; &#x41; &bogus;".into(),
        "\"double\" and 'single' quotes".into(),
        "emoji 🎉👩‍💻 and ✓".into(),
        "RTL: שלום עולם مرحبا بالعالم \u{200F}".into(),
        "line1\nline2\r\nline3\rline4\ttab".into(),
        "  leading and trailing spaces  ".into(),
        "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]>&a;".into(),
        "x".repeat(10_000),
        "".into(),
    ]
}

fn dt(s: &str) -> EwsDateTime {
    s.parse().unwrap()
}

fn full_calendar_item(text: &str) -> CalendarItem {
    CalendarItem {
        item: ItemFields {
            subject: Some(text.to_string()),
            sensitivity: Some(Sensitivity::Private),
            body: Some(Body::html(format!("<p>{text}</p>"))),
            categories: Some(vec![text.to_string(), "Blue".into()]),
            importance: Some(Importance::High),
            reminder_is_set: Some(true),
            reminder_minutes_before_start: Some(15),
            extended_properties: vec![ExtendedProperty::client_request_id(format!(
                "req-{}",
                text.len()
            ))],
            ..Default::default()
        },
        start: Some(dt("2025-03-10T09:00:00Z")),
        end: Some(dt("2025-03-10T10:00:00Z")),
        is_all_day_event: Some(false),
        legacy_free_busy_status: Some(LegacyFreeBusy::Tentative),
        location: Some(text.to_string()),
        required_attendees: vec![
            Attendee::named(text, "alice@example.com"),
            Attendee::new("bob@example.com"),
        ],
        optional_attendees: vec![Attendee::new("carol@example.com")],
        resources: vec![Attendee::named("Room 4.12", "room412@example.com")],
        recurrence: Some(Recurrence {
            pattern: RecurrencePattern::Weekly {
                interval: 1,
                days_of_week: vec![DayOfWeek::Monday, DayOfWeek::Wednesday],
                first_day_of_week: Some(DayOfWeek::Monday),
            },
            range: RecurrenceRange::Numbered {
                start_date: EwsDate::parse("2025-03-10").unwrap(),
                number_of_occurrences: 10,
            },
        }),
        start_time_zone: Some(TimeZoneRef::id("W. Europe Standard Time")),
        end_time_zone: Some(TimeZoneRef::id("W. Europe Standard Time")),
        ..Default::default()
    }
}

fn full_task(text: &str) -> Task {
    Task {
        item: ItemFields {
            subject: Some(text.to_string()),
            body: Some(Body::text(text)),
            categories: Some(vec!["Work".into()]),
            importance: Some(Importance::Low),
            reminder_due_by: Some(dt("2025-03-30T08:00:00Z")),
            reminder_is_set: Some(true),
            extended_properties: vec![ExtendedProperty::client_request_id("abc")],
            ..Default::default()
        },
        complete_date: None,
        due_date: Some(dt("2025-03-31T17:00:00Z")),
        owner: Some(text.to_string()),
        percent_complete: Some(25.0),
        start_date: Some(dt("2025-03-01T08:00:00Z")),
        status: Some(TaskStatus::InProgress),
        ..Default::default()
    }
}

fn all_headers() -> Vec<RequestHeaders> {
    vec![
        RequestHeaders::default(),
        RequestHeaders::new(ExchangeVersion::Exchange2013)
            .impersonate("alice@example.com")
            .with_time_zone("Romance Standard Time")
            .with_mailbox_culture("fr-FR"),
        RequestHeaders {
            server_version: ExchangeVersion::Exchange2013Sp1,
            impersonation: Some(ConnectingSid::PrincipalName("alice@example.com".into())),
            ..Default::default()
        },
    ]
}

/// Builds the request, queues it for the test's one schema run, and checks it reads back.
fn check(schema: &mut SchemaBatch, label: &str, req: Request, headers: &RequestHeaders) -> String {
    let xml = req
        .to_envelope(headers)
        .unwrap_or_else(|e| panic!("{label}: {e}"));
    schema.add(label, xml.clone());
    // The server side reads back exactly what we wrote.
    let parsed =
        parse_request(xml.as_bytes()).unwrap_or_else(|e| panic!("{label}: parse back: {e}\n{xml}"));
    assert_eq!(parsed.request, req, "{label}: round trip");
    assert_eq!(&parsed.headers, headers, "{label}: headers round trip");
    xml
}

#[test]
fn create_item_calendar_hostile_table() {
    let mut schema = SchemaBatch::new();
    // One document per hostile string keeps failures readable (each invalid one is named).
    for (i, s) in hostile_strings().iter().enumerate() {
        for send in [
            SendMeetingInvitations::SendToNone,
            SendMeetingInvitations::SendToAllAndSaveCopy,
        ] {
            let req = Request::CreateItem(CreateItem::calendar_item(full_calendar_item(s), send));
            check(
                &mut schema,
                &format!("calendar #{i} {send}"),
                req,
                &all_headers()[i % 3],
            );
        }
    }
    schema.assert_all_valid();
}

#[test]
fn create_item_task_hostile_table() {
    let mut schema = SchemaBatch::new();
    for (i, s) in hostile_strings().iter().enumerate() {
        let req = Request::CreateItem(CreateItem::task(full_task(s)));
        check(
            &mut schema,
            &format!("task #{i}"),
            req,
            &all_headers()[i % 3],
        );
    }
    schema.assert_all_valid();
}

#[test]
fn create_item_minimal_and_element_order() {
    let mut schema = SchemaBatch::new();
    let item = CalendarItem {
        item: ItemFields {
            subject: Some("Project sync".into()),
            ..Default::default()
        },
        start: Some(dt("2025-03-10T09:00:00Z")),
        end: Some(dt("2025-03-10T10:00:00Z")),
        location: Some("Room 4.12".into()),
        ..Default::default()
    };
    let req = Request::CreateItem(CreateItem::calendar_item(
        item,
        SendMeetingInvitations::SendOnlyToAll,
    ));
    let xml = check(&mut schema, "minimal", req, &RequestHeaders::default());
    // The mistakes of requests/invalid/: misspelt root/element, Start after Location, bad enums.
    assert!(xml.contains("<m:CreateItem "));
    assert!(!xml.contains("CreateItm") && !xml.contains("Strat"));
    assert!(pos(&xml, "<t:Subject>") < pos(&xml, "<t:Start>"));
    assert!(pos(&xml, "<t:Start>") < pos(&xml, "<t:End>"));
    assert!(pos(&xml, "<t:End>") < pos(&xml, "<t:Location>"));
    assert!(xml.contains(r#"Version="Exchange2016""#));
    assert!(xml.contains(r#"SendMeetingInvitations="SendOnlyToAll""#));
    schema.assert_all_valid();
}

#[test]
fn full_calendar_item_element_order_follows_xsd() {
    let xml =
        CreateItem::calendar_item(full_calendar_item("x"), SendMeetingInvitations::SendToNone)
            .to_envelope(&RequestHeaders::default())
            .unwrap();
    let order = [
        "<t:Subject>",
        "<t:Sensitivity>",
        "<t:Body ",
        "<t:Categories>",
        "<t:Importance>",
        "<t:ReminderIsSet>",
        "<t:ReminderMinutesBeforeStart>",
        "<t:ExtendedProperty>",
        "<t:Start>",
        "<t:End>",
        "<t:IsAllDayEvent>",
        "<t:LegacyFreeBusyStatus>",
        "<t:Location>",
        "<t:RequiredAttendees>",
        "<t:OptionalAttendees>",
        "<t:Resources>",
        "<t:Recurrence>",
        "<t:StartTimeZone ",
        "<t:EndTimeZone ",
    ];
    for w in order.windows(2) {
        assert!(
            pos(&xml, w[0]) < pos(&xml, w[1]),
            "{} must come before {}",
            w[0],
            w[1]
        );
    }
}

#[test]
fn get_item_requests() {
    let mut schema = SchemaBatch::new();
    let shapes = [
        ItemShape::id_only(),
        ItemShape::default(),
        ItemShape {
            base_shape: BaseShape::AllProperties,
            body_type: Some(BodyTypeResponse::Text),
            additional_properties: vec![
                PropertyPath::field("item:Subject"),
                PropertyPath::field("calendar:Start"),
                PropertyPath::Extended(ExtendedFieldUri::client_request_id()),
            ],
        },
    ];
    for (i, shape) in shapes.into_iter().enumerate() {
        let req = GetItem {
            item_shape: shape,
            item_ids: vec![
                ItemId::with_change_key("AAMk</t:ItemId>&\"'", "DwAA").into(),
                ItemId::new("AAAA").into(),
                BaseItemId::OccurrenceItemId {
                    recurring_master_id: "MASTER".into(),
                    change_key: None,
                    instance_index: 3,
                },
                BaseItemId::RecurringMasterItemId {
                    occurrence_id: "OCC".into(),
                    change_key: Some("CK".into()),
                },
            ],
        };
        check(
            &mut schema,
            &format!("GetItem #{i}"),
            Request::GetItem(req),
            &all_headers()[i % 3],
        );
    }
    schema.assert_all_valid();
}

#[test]
fn find_item_requests() {
    let mut schema = SchemaBatch::new();
    let reqs = vec![
        FindItem::calendar_view(
            dt("2025-03-01T00:00:00Z"),
            dt("2025-04-01T00:00:00Z"),
            Some(500),
            ItemShape::default(),
        ),
        FindItem::calendar_view(
            dt("2025-03-01T00:00:00+01:00"),
            dt("2025-03-02T00:00:00"),
            None,
            ItemShape::id_only(),
        ),
        FindItem::tasks(0, 50, ItemShape::all_properties()),
        // The proxy's task list: newest first, one page further on.
        FindItem::tasks(50, 50, ItemShape::default()).sorted_by(
            PropertyPath::field("item:DateTimeCreated"),
            SortDirection::Descending,
        ),
        // The proxy's calendar page: at most MaxEntriesReturned from a moved StartDate.
        FindItem::calendar_view(
            dt("2025-03-03T08:59:59Z"),
            dt("2025-03-10T00:00:00Z"),
            Some(1000),
            ItemShape::default(),
        ),
        FindItem::by_client_request_id(FolderId::calendar(), "</t:Constant>\"&'"),
        FindItem::by_client_request_id(FolderId::tasks(), "0b6f1f1e-1111-4c1c-9c1c-000000000001"),
        {
            let mut f = FindItem::tasks(10, 10, ItemShape::default());
            f.sort_order = vec![FieldOrder {
                path: PropertyPath::field("task:DueDate"),
                order: SortDirection::Ascending,
            }];
            f.restriction = Some(Restriction {
                expression: SearchExpression::And {
                    items: vec![
                        SearchExpression::IsNotEqualTo {
                            path: PropertyPath::field("task:Status"),
                            value: "Completed".into(),
                        },
                        SearchExpression::Not {
                            item: Box::new(SearchExpression::Exists {
                                path: PropertyPath::field("task:CompleteDate"),
                            }),
                        },
                    ],
                },
            });
            f.parent_folder_ids = vec![FolderId::Distinguished {
                id: DistinguishedFolderName::Tasks,
                mailbox: Some(Mailbox::new("shared@example.com")),
            }];
            f
        },
    ];
    for (i, req) in reqs.into_iter().enumerate() {
        check(
            &mut schema,
            &format!("FindItem #{i}"),
            Request::FindItem(req),
            &all_headers()[i % 3],
        );
    }
    schema.assert_all_valid();
}

#[test]
fn control_characters_are_refused() {
    for bad in ["a\u{0}b", "bell\u{7}", "esc\u{1b}[0m", "\u{FFFE}"] {
        let item = CalendarItem {
            item: ItemFields {
                subject: Some(bad.into()),
                ..Default::default()
            },
            ..Default::default()
        };
        let err = CreateItem::calendar_item(item, SendMeetingInvitations::SendToNone)
            .to_envelope(&RequestHeaders::default())
            .unwrap_err();
        match &err {
            EwsError::InvalidText { field, .. } => assert_eq!(field, "t:Subject"),
            other => panic!("{other:?}"),
        }
        assert!(
            err.to_string().contains("cannot be sent in XML 1.0"),
            "{err}"
        );
    }
}

#[test]
fn paging_exchange_refuses_is_refused_before_sending() {
    let window = |max| {
        FindItem::calendar_view(
            dt("2025-03-01T00:00:00Z"),
            dt("2025-03-08T00:00:00Z"),
            max,
            ItemShape::default(),
        )
    };
    for (request, want) in [
        (window(Some(0)), "MaxEntriesReturned must be at least 1"),
        (window(Some(-5)), "MaxEntriesReturned must be at least 1"),
        (
            FindItem::tasks(0, 0, ItemShape::default()),
            "MaxEntriesReturned must be at least 1",
        ),
        (
            FindItem::tasks(-1, 10, ItemShape::default()),
            "Offset must not be negative",
        ),
    ] {
        match request.to_envelope(&RequestHeaders::default()) {
            Err(EwsError::InvalidRequest(message)) => assert!(message.contains(want), "{message}"),
            other => panic!("{want}: {other:?}"),
        }
    }
    assert!(
        window(Some(1))
            .to_envelope(&RequestHeaders::default())
            .is_ok()
    );
    assert!(window(None).to_envelope(&RequestHeaders::default()).is_ok());
}

#[test]
fn empty_lists_are_refused() {
    let e = GetItem {
        item_shape: ItemShape::id_only(),
        item_ids: vec![],
    }
    .to_envelope(&RequestHeaders::default());
    assert!(matches!(e, Err(EwsError::InvalidRequest(_))));
    let e = CreateItem::default().to_envelope(&RequestHeaders::default());
    assert!(matches!(e, Err(EwsError::InvalidRequest(_))));
}

use ews::operations::cancel_calendar_item::CancelCalendarItem;
use ews::operations::delete_item::DeleteItem;
use ews::operations::get_room_lists::GetRoomLists;
use ews::operations::get_rooms::GetRooms;
use ews::operations::get_user_availability::{GetUserAvailability, MailboxData};
use ews::operations::meeting_response::{MeetingResponse, MeetingResponseKind};
use ews::operations::resolve_names::ResolveNames;
use ews::operations::update_item::{CalendarField, ItemChange, ItemUpdate, TaskField, UpdateItem};

#[test]
fn update_item_every_field_set_and_delete() {
    let mut schema = SchemaBatch::new();
    for (i, s) in hostile_strings().iter().enumerate().step_by(3) {
        let new = full_calendar_item(s);
        let id = ItemId::with_change_key("AAMk", "DwAA");
        // Set every editable field (present in `new`) ...
        let mut change = ItemChange::calendar(id.clone(), &new, &CalendarField::all());
        change.updates.push(ItemUpdate::calendar_extended(
            ExtendedProperty::client_request_id(s.clone()),
        ));
        change.updates.push(ItemUpdate::Append {
            path: CalendarField::OptionalAttendees.path(),
            item: Item::CalendarItem(CalendarItem {
                optional_attendees: vec![Attendee::new("dave@example.com")],
                ..Default::default()
            }),
        });
        for send in [
            SendMeetingInvitationsOrCancellations::SendToNone,
            SendMeetingInvitationsOrCancellations::SendToChangedAndSaveCopy,
        ] {
            check(
                &mut schema,
                &format!("UpdateItem calendar #{i} {send}"),
                Request::UpdateItem(UpdateItem::calendar(change.clone(), send)),
                &all_headers()[i % 3],
            );
        }
        // ... and DeleteItemField for each (empty item -> deletes).
        let empty =
            ItemChange::calendar(id.clone(), &CalendarItem::default(), &CalendarField::all());
        assert!(
            empty
                .updates
                .iter()
                .all(|u| matches!(u, ItemUpdate::Delete { .. }))
        );
        check(
            &mut schema,
            "UpdateItem delete fields",
            Request::UpdateItem(UpdateItem::calendar(
                empty,
                SendMeetingInvitationsOrCancellations::SendOnlyToAll,
            )),
            &RequestHeaders::default(),
        );

        let task = Task {
            complete_date: Some(dt("2025-03-15T12:00:00Z")),
            ..full_task(s)
        };
        let change = ItemChange::task(id.clone(), &task, &TaskField::all());
        let mut req = UpdateItem::task(change);
        req.conflict_resolution = ConflictResolution::NeverOverwrite;
        check(
            &mut schema,
            &format!("UpdateItem task #{i}"),
            Request::UpdateItem(req),
            &all_headers()[i % 3],
        );
    }
    schema.assert_all_valid();
}

#[test]
fn delete_item_requests() {
    let mut schema = SchemaBatch::new();
    let reqs = vec![
        DeleteItem::calendar_item(
            ItemId::with_change_key("A", "B"),
            SendMeetingInvitations::SendToAllAndSaveCopy,
        ),
        DeleteItem::calendar_item(ItemId::new("A"), SendMeetingInvitations::SendToNone),
        DeleteItem::task(ItemId::new("T")),
        DeleteItem {
            delete_type: DisposalType::HardDelete,
            send_meeting_cancellations: Some(SendMeetingInvitations::SendOnlyToAll),
            affected_task_occurrences: Some(AffectedTaskOccurrences::SpecifiedOccurrenceOnly),
            item_ids: vec![
                ItemId::new("1").into(),
                BaseItemId::OccurrenceItemId {
                    recurring_master_id: "M".into(),
                    change_key: None,
                    instance_index: 2,
                },
            ],
        },
    ];
    for (i, r) in reqs.into_iter().enumerate() {
        check(
            &mut schema,
            &format!("DeleteItem #{i}"),
            Request::DeleteItem(r),
            &all_headers()[i % 3],
        );
    }
    schema.assert_all_valid();
}

#[test]
fn meeting_responses_and_cancel() {
    let mut schema = SchemaBatch::new();
    for (i, s) in hostile_strings().iter().enumerate().step_by(2) {
        for kind in [
            MeetingResponseKind::Accept,
            MeetingResponseKind::TentativelyAccept,
            MeetingResponseKind::Decline,
        ] {
            let mut m = MeetingResponse::new(kind, ItemId::with_change_key("REQ", "CK"));
            m.body = Some(Body::text(s.clone()));
            if kind != MeetingResponseKind::Accept {
                m.proposed_start = Some(dt("2025-03-10T10:00:00Z"));
                m.proposed_end = Some(dt("2025-03-10T11:00:00Z"));
            }
            check(
                &mut schema,
                &format!("{kind:?} #{i}"),
                Request::MeetingResponse(m),
                &all_headers()[i % 3],
            );
        }
        let c = CancelCalendarItem::new(
            ItemId::with_change_key("CAL", "CK"),
            Some(Body::html(s.clone())),
        );
        check(
            &mut schema,
            &format!("Cancel #{i}"),
            Request::CancelCalendarItem(c),
            &all_headers()[i % 3],
        );
    }
    let mut m = MeetingResponse::new(MeetingResponseKind::Decline, ItemId::new("X"));
    m.message_disposition = MessageDisposition::SaveOnly;
    check(
        &mut schema,
        "decline save only",
        Request::MeetingResponse(m),
        &RequestHeaders::default(),
    );
    schema.assert_all_valid();
}

#[test]
fn rooms_people_availability_requests() {
    let mut schema = SchemaBatch::new();
    check(
        &mut schema,
        "GetRoomLists",
        Request::GetRoomLists(GetRoomLists {}),
        &RequestHeaders::default(),
    );
    for (i, s) in hostile_strings().iter().enumerate().step_by(2) {
        let entry = if s.is_empty() {
            "x".to_string()
        } else {
            s.clone()
        };
        let mut list = Mailbox::named(entry.clone(), "RoomList@contoso.com");
        list.routing_type = Some("SMTP".into());
        list.mailbox_type = Some(MailboxType::PublicDL);
        check(
            &mut schema,
            &format!("GetRooms #{i}"),
            Request::GetRooms(GetRooms { room_list: list }),
            &all_headers()[i % 3],
        );
        let mut rn = ResolveNames::new(entry.clone());
        check(
            &mut schema,
            &format!("ResolveNames #{i}"),
            Request::ResolveNames(rn.clone()),
            &all_headers()[i % 3],
        );
        rn.return_full_contact_data = false;
        rn.search_scope = Some(ResolveNamesSearchScope::Contacts);
        rn.contact_data_shape = Some(BaseShape::IdOnly);
        rn.parent_folder_ids = vec![FolderId::distinguished(DistinguishedFolderName::Contacts)];
        check(
            &mut schema,
            &format!("ResolveNames scoped #{i}"),
            Request::ResolveNames(rn),
            &all_headers()[i % 3],
        );
    }
    let mut ga = GetUserAvailability::new(
        vec![
            MailboxData::new("alice@example.com", MeetingAttendeeType::Organizer),
            MailboxData {
                name: Some("Bob </t:Name>".into()),
                ..MailboxData::new("bob@example.com", MeetingAttendeeType::Required)
            },
            MailboxData::new("room412@example.com", MeetingAttendeeType::Room),
        ],
        dt("2025-03-10T00:00:00Z"),
        dt("2025-03-11T00:00:00+01:00"),
        30,
    );
    assert_eq!(
        ga.free_busy_view_options.start_time.to_string(),
        "2025-03-10T00:00:00"
    );
    assert_eq!(
        ga.free_busy_view_options.end_time.to_string(),
        "2025-03-10T23:00:00"
    );
    check(
        &mut schema,
        "GetUserAvailability",
        Request::GetUserAvailability(ga.clone()),
        &RequestHeaders::default(),
    );
    ga.free_busy_view_options.requested_view = Some(FreeBusyViewType::FreeBusy);
    ga.free_busy_view_options
        .merged_free_busy_interval_in_minutes = None;
    check(
        &mut schema,
        "GetUserAvailability FreeBusy",
        Request::GetUserAvailability(ga),
        &all_headers()[1],
    );
    schema.assert_all_valid();
}

#[test]
fn every_recurrence_pattern_and_range() {
    let mut schema = SchemaBatch::new();
    let d = |s: &str| EwsDate::parse(s).unwrap();
    let patterns = vec![
        RecurrencePattern::Daily { interval: 2 },
        RecurrencePattern::Weekly {
            interval: 1,
            days_of_week: vec![DayOfWeek::Tuesday, DayOfWeek::Thursday],
            first_day_of_week: None,
        },
        RecurrencePattern::AbsoluteMonthly {
            interval: 1,
            day_of_month: 31,
        },
        RecurrencePattern::RelativeMonthly {
            interval: 2,
            days_of_week: DayOfWeek::Weekday,
            day_of_week_index: DayOfWeekIndex::Last,
        },
        RecurrencePattern::AbsoluteYearly {
            day_of_month: 29,
            month: Month::February,
        },
        RecurrencePattern::RelativeYearly {
            days_of_week: DayOfWeek::Monday,
            day_of_week_index: DayOfWeekIndex::First,
            month: Month::September,
        },
    ];
    let ranges = vec![
        RecurrenceRange::NoEnd {
            start_date: d("2025-03-10"),
        },
        RecurrenceRange::EndDate {
            start_date: d("2025-03-10-07:00"),
            end_date: d("2026-03-10Z"),
        },
        RecurrenceRange::Numbered {
            start_date: d("2025-03-10+02:00"),
            number_of_occurrences: 12,
        },
    ];
    for p in &patterns {
        for r in &ranges {
            let item = CalendarItem {
                item: ItemFields {
                    subject: Some("recurring".into()),
                    ..Default::default()
                },
                start: Some(dt("2025-03-10T09:00:00Z")),
                end: Some(dt("2025-03-10T10:00:00Z")),
                recurrence: Some(Recurrence {
                    pattern: p.clone(),
                    range: r.clone(),
                }),
                ..Default::default()
            };
            check(
                &mut schema,
                &format!("{p:?} {r:?}"),
                Request::CreateItem(CreateItem::calendar_item(
                    item,
                    SendMeetingInvitations::SendToNone,
                )),
                &RequestHeaders::default(),
            );
        }
    }
    for p in [
        RecurrencePattern::DailyRegeneration { interval: 3 },
        RecurrencePattern::YearlyRegeneration { interval: 1 },
        patterns[1].clone(),
    ] {
        let t = Task {
            item: ItemFields {
                subject: Some("t".into()),
                ..Default::default()
            },
            recurrence: Some(Recurrence {
                pattern: p.clone(),
                range: ranges[0].clone(),
            }),
            ..Default::default()
        };
        check(
            &mut schema,
            &format!("task {p:?}"),
            Request::CreateItem(CreateItem::task(t)),
            &RequestHeaders::default(),
        );
    }
    schema.assert_all_valid();
}

#[test]
fn all_day_event_and_floating_times() {
    let mut schema = SchemaBatch::new();
    let item = CalendarItem {
        item: ItemFields {
            subject: Some("Holiday".into()),
            ..Default::default()
        },
        start: Some(dt("2025-12-24T00:00:00")),
        end: Some(dt("2025-12-26T00:00:00")),
        is_all_day_event: Some(true),
        legacy_free_busy_status: Some(LegacyFreeBusy::Oof),
        start_time_zone: Some(TimeZoneRef::id("AUS Eastern Standard Time")),
        end_time_zone: Some(TimeZoneRef::id("AUS Eastern Standard Time")),
        ..Default::default()
    };
    let xml = check(
        &mut schema,
        "all day",
        Request::CreateItem(CreateItem::calendar_item(
            item,
            SendMeetingInvitations::SendToNone,
        )),
        &RequestHeaders::default().with_time_zone("AUS Eastern Standard Time"),
    );
    assert!(xml.contains("<t:Start>2025-12-24T00:00:00</t:Start>"));
    schema.assert_all_valid();
}

#[test]
fn get_folder_requests() {
    use ews::operations::get_folder::GetFolder;
    let mut schema = SchemaBatch::new();
    let shapes = [
        ItemShape::id_only(),
        ItemShape {
            base_shape: BaseShape::AllProperties,
            body_type: None,
            additional_properties: vec![PropertyPath::field("folder:DisplayName")],
        },
    ];
    for (i, shape) in shapes.into_iter().enumerate() {
        let req = GetFolder::new(
            shape,
            [
                FolderId::calendar(),
                FolderId::tasks(),
                FolderId::Folder {
                    id: "AAMk</t:FolderId>&\"'".into(),
                    change_key: Some("AQAA".into()),
                },
            ],
        );
        check(
            &mut schema,
            &format!("GetFolder #{i}"),
            Request::GetFolder(req),
            &all_headers()[i % 3],
        );
    }
    schema.assert_all_valid();
}
