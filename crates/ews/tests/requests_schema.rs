//! Every request builder's output passes validate.sh (official schema + xmllint), over a
//! table of inputs including hostile strings; user text round-trips exactly.

mod common;
use common::{assert_schema_valid, pos};

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
        subject: Some(text.to_string()),
        sensitivity: Some(Sensitivity::Private),
        body: Some(Body::html(format!("<p>{text}</p>"))),
        categories: Some(vec![text.to_string(), "Blue".into()]),
        importance: Some(Importance::High),
        reminder_is_set: Some(true),
        reminder_minutes_before_start: Some(15),
        extended_properties: vec![ExtendedProperty::client_request_id(format!("req-{}", text.len()))],
        start: Some(dt("2025-03-10T09:00:00Z")),
        end: Some(dt("2025-03-10T10:00:00Z")),
        is_all_day_event: Some(false),
        legacy_free_busy_status: Some(LegacyFreeBusy::Tentative),
        location: Some(text.to_string()),
        required_attendees: vec![Attendee::named(text, "alice@example.com"), Attendee::new("bob@example.com")],
        optional_attendees: vec![Attendee::new("carol@example.com")],
        resources: vec![Attendee::named("Room 4.12", "room412@example.com")],
        recurrence: Some(Recurrence {
            pattern: RecurrencePattern::Weekly {
                interval: 1,
                days_of_week: vec![DayOfWeek::Monday, DayOfWeek::Wednesday],
                first_day_of_week: Some(DayOfWeek::Monday),
            },
            range: RecurrenceRange::Numbered { start_date: EwsDate::parse("2025-03-10").unwrap(), number_of_occurrences: 10 },
        }),
        start_time_zone: Some(TimeZoneRef::id("W. Europe Standard Time")),
        end_time_zone: Some(TimeZoneRef::id("W. Europe Standard Time")),
        ..Default::default()
    }
}

fn full_task(text: &str) -> Task {
    Task {
        subject: Some(text.to_string()),
        body: Some(Body::text(text)),
        categories: Some(vec!["Work".into()]),
        importance: Some(Importance::Low),
        reminder_due_by: Some(dt("2025-03-30T08:00:00Z")),
        reminder_is_set: Some(true),
        extended_properties: vec![ExtendedProperty::client_request_id("abc")],
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

fn check(label: &str, req: Request, headers: &RequestHeaders) -> String {
    let xml = req.to_envelope(headers).unwrap_or_else(|e| panic!("{label}: {e}"));
    assert_schema_valid(label, &xml);
    // The server side reads back exactly what we wrote.
    let parsed = parse_request(xml.as_bytes()).unwrap_or_else(|e| panic!("{label}: parse back: {e}\n{xml}"));
    assert_eq!(parsed.request, req, "{label}: round trip");
    assert_eq!(&parsed.headers, headers, "{label}: headers round trip");
    xml
}

#[test]
fn create_item_calendar_hostile_table() {
    // One document per hostile string keeps failures readable; the validator runs once per document.
    for (i, s) in hostile_strings().iter().enumerate() {
        for send in [SendMeetingInvitations::SendToNone, SendMeetingInvitations::SendToAllAndSaveCopy] {
            let req = Request::CreateItem(CreateItem::calendar_item(full_calendar_item(s), send));
            check(&format!("calendar #{i} {send}"), req, &all_headers()[i % 3]);
        }
    }
}

#[test]
fn create_item_task_hostile_table() {
    for (i, s) in hostile_strings().iter().enumerate() {
        let req = Request::CreateItem(CreateItem::task(full_task(s)));
        check(&format!("task #{i}"), req, &all_headers()[i % 3]);
    }
}

#[test]
fn create_item_minimal_and_element_order() {
    let item = CalendarItem {
        subject: Some("Project sync".into()),
        start: Some(dt("2025-03-10T09:00:00Z")),
        end: Some(dt("2025-03-10T10:00:00Z")),
        location: Some("Room 4.12".into()),
        ..Default::default()
    };
    let req = Request::CreateItem(CreateItem::calendar_item(item, SendMeetingInvitations::SendOnlyToAll));
    let xml = check("minimal", req, &RequestHeaders::default());
    // The mistakes of requests/invalid/: misspelt root/element, Start after Location, bad enums.
    assert!(xml.contains("<m:CreateItem "));
    assert!(!xml.contains("CreateItm") && !xml.contains("Strat"));
    assert!(pos(&xml, "<t:Subject>") < pos(&xml, "<t:Start>"));
    assert!(pos(&xml, "<t:Start>") < pos(&xml, "<t:End>"));
    assert!(pos(&xml, "<t:End>") < pos(&xml, "<t:Location>"));
    assert!(xml.contains(r#"Version="Exchange2016""#));
    assert!(xml.contains(r#"SendMeetingInvitations="SendOnlyToAll""#));
}

#[test]
fn full_calendar_item_element_order_follows_xsd() {
    let xml = CreateItem::calendar_item(full_calendar_item("x"), SendMeetingInvitations::SendToNone)
        .to_envelope(&RequestHeaders::default())
        .unwrap();
    let order = [
        "<t:Subject>", "<t:Sensitivity>", "<t:Body ", "<t:Categories>", "<t:Importance>", "<t:ReminderIsSet>",
        "<t:ReminderMinutesBeforeStart>", "<t:ExtendedProperty>", "<t:Start>", "<t:End>", "<t:IsAllDayEvent>",
        "<t:LegacyFreeBusyStatus>", "<t:Location>", "<t:RequiredAttendees>", "<t:OptionalAttendees>", "<t:Resources>",
        "<t:Recurrence>", "<t:StartTimeZone ", "<t:EndTimeZone ",
    ];
    for w in order.windows(2) {
        assert!(pos(&xml, w[0]) < pos(&xml, w[1]), "{} must come before {}", w[0], w[1]);
    }
}

#[test]
fn get_item_requests() {
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
                BaseItemId::OccurrenceItemId { recurring_master_id: "MASTER".into(), change_key: None, instance_index: 3 },
                BaseItemId::RecurringMasterItemId { occurrence_id: "OCC".into(), change_key: Some("CK".into()) },
            ],
        };
        check(&format!("GetItem #{i}"), Request::GetItem(req), &all_headers()[i % 3]);
    }
}

#[test]
fn find_item_requests() {
    let reqs = vec![
        FindItem::calendar_view(dt("2025-03-01T00:00:00Z"), dt("2025-04-01T00:00:00Z"), Some(500), ItemShape::default()),
        FindItem::calendar_view(dt("2025-03-01T00:00:00+01:00"), dt("2025-03-02T00:00:00"), None, ItemShape::id_only()),
        FindItem::tasks(0, 50, ItemShape::all_properties()),
        FindItem::by_client_request_id(FolderId::calendar(), "</t:Constant>\"&'"),
        FindItem::by_client_request_id(FolderId::tasks(), "0b6f1f1e-1111-4c1c-9c1c-000000000001"),
        {
            let mut f = FindItem::tasks(10, 10, ItemShape::default());
            f.sort_order = vec![FieldOrder { path: PropertyPath::field("task:DueDate"), order: SortDirection::Ascending }];
            f.restriction = Some(Restriction {
                expression: SearchExpression::And {
                    items: vec![
                        SearchExpression::IsNotEqualTo { path: PropertyPath::field("task:Status"), value: "Completed".into() },
                        SearchExpression::Not {
                            item: Box::new(SearchExpression::Exists { path: PropertyPath::field("task:CompleteDate") }),
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
        check(&format!("FindItem #{i}"), Request::FindItem(req), &all_headers()[i % 3]);
    }
}

#[test]
fn control_characters_are_refused() {
    for bad in ["a\u{0}b", "bell\u{7}", "esc\u{1b}[0m", "\u{FFFE}"] {
        let item = CalendarItem { subject: Some(bad.into()), ..Default::default() };
        let err = CreateItem::calendar_item(item, SendMeetingInvitations::SendToNone)
            .to_envelope(&RequestHeaders::default())
            .unwrap_err();
        match &err {
            EwsError::InvalidText { field, .. } => assert_eq!(field, "t:Subject"),
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().contains("cannot be sent in XML 1.0"), "{err}");
    }
}

#[test]
fn empty_lists_are_refused() {
    let e = GetItem { item_shape: ItemShape::id_only(), item_ids: vec![] }.to_envelope(&RequestHeaders::default());
    assert!(matches!(e, Err(EwsError::InvalidRequest(_))));
    let e = CreateItem::default().to_envelope(&RequestHeaders::default());
    assert!(matches!(e, Err(EwsError::InvalidRequest(_))));
}
