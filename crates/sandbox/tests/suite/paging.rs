//! FindItem paging in the sandbox mailbox, spoken to in SOAP: IndexedPageItemView offsets and
//! SortOrder, CalendarView MaxEntriesReturned with recurring series, and the paging values
//! Exchange refuses.

use crate::common;

use common::mailbox::{create, headers, soap, span};
use common::*;
use ews::operations::create_item::{CreateItem, CreateItemResponse};
use ews::operations::find_item::{FindItem, FindItemResponse, FindItemResult};
use ews::types::{
    CalendarItem, EwsDate, EwsDateTime, ItemFields, ItemShape, PropertyPath, Recurrence,
    RecurrencePattern, RecurrenceRange, SendMeetingInvitations, SortDirection, Task,
};

async fn find(app: &TestApp, request: FindItem) -> FindItemResult {
    let xml = request.to_envelope(&headers()).unwrap();
    FindItemResponse::parse_response(&soap(app, ALICE_TOKEN, xml).await)
        .unwrap()
        .into_single()
        .unwrap()
}

fn subjects(result: &FindItemResult) -> Vec<&str> {
    result.items.iter().map(|i| i.subject().unwrap()).collect()
}

async fn create_task(app: &TestApp, subject: &str, due: Option<&str>) {
    let task = Task {
        item: ItemFields {
            subject: Some(subject.into()),
            ..Default::default()
        },
        due_date: due.map(|d| EwsDateTime::parse(d).unwrap()),
        ..Task::default()
    };
    let xml = CreateItem::task(task).to_envelope(&headers()).unwrap();
    CreateItemResponse::parse_response(&soap(app, ALICE_TOKEN, xml).await)
        .unwrap()
        .into_single()
        .unwrap();
}

#[tokio::test]
async fn indexed_pages_follow_the_sort_order_and_say_where_the_next_starts() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    for (subject, due) in [
        ("c", Some("2026-12-03T00:00:00Z")),
        ("a", None),
        ("e", Some("2026-12-01T00:00:00Z")),
        ("b", Some("2026-12-02T00:00:00Z")),
        ("d", None),
    ] {
        create_task(&app, subject, due).await;
    }
    let newest_first = |offset| {
        FindItem::tasks(offset, 2, ItemShape::default()).sorted_by(
            PropertyPath::field("item:DateTimeCreated"),
            SortDirection::Descending,
        )
    };
    let first = find(&app, newest_first(0)).await;
    assert_eq!(subjects(&first), ["d", "b"]);
    assert_eq!(first.total_items_in_view, Some(5));
    assert_eq!(first.indexed_paging_offset, Some(2));
    assert!(first.more_in_range());
    let last = find(&app, newest_first(4)).await;
    assert_eq!(subjects(&last), ["c"]);
    assert_eq!(last.indexed_paging_offset, Some(5));
    assert!(!last.more_in_range());

    // Without a SortOrder: the folder's (creation) order.
    let folder = find(&app, FindItem::tasks(1, 3, ItemShape::default())).await;
    assert_eq!(subjects(&folder), ["a", "e", "b"]);

    // By due date: items without one first, then by the key, then the folder's order.
    let by_due = FindItem::tasks(0, 10, ItemShape::default()).sorted_by(
        PropertyPath::field("task:DueDate"),
        SortDirection::Ascending,
    );
    assert_eq!(
        subjects(&find(&app, by_due).await),
        ["a", "d", "e", "b", "c"]
    );
    let by_subject = FindItem::tasks(2, 2, ItemShape::default()).sorted_by(
        PropertyPath::field("item:Subject"),
        SortDirection::Descending,
    );
    assert_eq!(subjects(&find(&app, by_subject).await), ["c", "b"]);
}

#[tokio::test]
async fn a_calendar_view_counts_what_it_did_not_return_occurrences_included() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let at = |s: &str| Some(EwsDateTime::parse(s).unwrap());
    // Daily at 08:00 for five days, and three single appointments in between.
    let series = CalendarItem {
        item: ItemFields {
            subject: Some("daily".into()),
            ..Default::default()
        },
        start: at("2026-12-01T08:00:00Z"),
        end: at("2026-12-01T08:30:00Z"),
        recurrence: Some(Recurrence {
            pattern: RecurrencePattern::Daily { interval: 1 },
            range: RecurrenceRange::Numbered {
                start_date: EwsDate::new(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
                number_of_occurrences: 5,
            },
        }),
        ..CalendarItem::default()
    };
    create(
        &app,
        ALICE_TOKEN,
        series,
        SendMeetingInvitations::SendToNone,
    )
    .await;
    for (subject, start, end) in [
        ("single 1", "2026-12-01T07:00:00Z", "2026-12-01T07:30:00Z"),
        ("single 2", "2026-12-02T09:00:00Z", "2026-12-02T09:30:00Z"),
        ("single 3", "2026-12-04T09:00:00Z", "2026-12-04T09:30:00Z"),
    ] {
        let item = span(subject, start, end);
        create(&app, ALICE_TOKEN, item, SendMeetingInvitations::SendToNone).await;
    }
    let view = |max| {
        FindItem::calendar_view(
            EwsDateTime::parse("2026-12-01T00:00:00Z").unwrap(),
            EwsDateTime::parse("2026-12-08T00:00:00Z").unwrap(),
            max,
            ItemShape::default(),
        )
    };
    let page = find(&app, view(Some(4))).await;
    assert_eq!(subjects(&page), ["single 1", "daily", "daily", "single 2"]);
    assert_eq!(page.total_items_in_view, Some(8));
    assert!(page.more_in_range());
    let all = find(&app, view(None)).await;
    assert_eq!(all.items.len(), 8);
    assert!(!all.more_in_range());
}

#[tokio::test]
async fn paging_values_exchange_refuses_get_its_errors() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    // The codec refuses to write these, so the requests are edited by hand, as another client
    // might send them.
    let valid = FindItem::tasks(0, 5, ItemShape::default())
        .to_envelope(&headers())
        .unwrap();
    for (from, to, code) in [
        (
            "MaxEntriesReturned=\"5\"",
            "MaxEntriesReturned=\"0\"",
            "ErrorInvalidPagingMaxRows",
        ),
        (
            "Offset=\"0\"",
            "Offset=\"-10\"",
            "ErrorInvalidIndexedPagingParameters",
        ),
    ] {
        assert!(valid.contains(from), "{valid}");
        let body = soap(&app, ALICE_TOKEN, valid.replace(from, to)).await;
        let error = FindItemResponse::parse_response(&body)
            .unwrap()
            .into_single()
            .unwrap_err();
        assert_eq!(error.response_code(), Some(code), "{to}");
    }
}
