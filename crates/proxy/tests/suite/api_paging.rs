//! Paged listings end to end: `GET /api/appointments?start&end&limit&cursor` and
//! `GET /api/tasks?limit&cursor` against the sandbox mailbox, through EWS over HTTP.

use crate::common;

use std::collections::HashSet;

use chrono::{Duration, TimeZone, Utc};
use common::mailbox::{create, create_many, span};
use common::*;
use ews::types::{CalendarItem, EwsDateTime, ItemFields, SendMeetingInvitations};
use model::{ApiErrorBody, Appointment, Page, PageLimit, Task};
use reqwest::StatusCode;
use serde_json::json;

const WEEK: &str = "start=2026-12-01T00:00:00Z&end=2026-12-08T00:00:00Z";

async fn page<T: serde::de::DeserializeOwned>(app: &TestApp, path: &str) -> Page<T> {
    let response = app.get(path).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.json().await.unwrap()
}

/// Every page of `path` (which ends with `&` or `?`), following `nextCursor`; checks each page's
/// size and that `more` and `nextCursor` go together.
async fn all_pages<T: serde::de::DeserializeOwned>(
    app: &TestApp,
    path: &str,
    limit: usize,
) -> (Vec<T>, usize) {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    for pages in 1.. {
        let query = match &cursor {
            Some(c) => format!("{path}limit={limit}&cursor={c}"),
            None => format!("{path}limit={limit}"),
        };
        let page: Page<T> = page(app, &query).await;
        assert!(page.items.len() <= limit, "page {pages} is over the limit");
        assert_eq!(page.more, page.next_cursor.is_some(), "page {pages}");
        items.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return (items, pages),
        }
        assert!(pages < 100, "the pages never end");
    }
    unreachable!()
}

#[tokio::test]
async fn calendar_pages_follow_each_other_without_gaps_or_repeats() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    // Three starting at the same instant, one lasting all day, one already running when the
    // week begins, one of no length: the cases where a moved StartDate could lose or repeat one.
    for (subject, start, end) in [
        ("tie 1", "2026-12-01T09:00:00Z", "2026-12-01T09:30:00Z"),
        ("tie 2", "2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z"),
        ("tie 3", "2026-12-01T09:00:00Z", "2026-12-01T09:30:00Z"),
        ("all day", "2026-12-01T08:00:00Z", "2026-12-01T18:00:00Z"),
        ("overnight", "2026-11-30T23:00:00Z", "2026-12-01T01:00:00Z"),
        ("instant", "2026-12-01T09:00:00Z", "2026-12-01T09:00:00Z"),
        ("later", "2026-12-02T11:00:00Z", "2026-12-02T12:00:00Z"),
        ("next week", "2026-12-09T11:00:00Z", "2026-12-09T12:00:00Z"),
    ] {
        create(
            &app,
            ALICE_TOKEN,
            span(subject, start, end),
            SendMeetingInvitations::SendToNone,
        )
        .await;
    }
    let whole: Page<Appointment> = page(&app, &format!("/api/appointments?{WEEK}")).await;
    assert!(!whole.more && whole.next_cursor.is_none());
    let subjects = |items: &[Appointment]| -> Vec<String> {
        items.iter().map(|a| a.subject.clone()).collect()
    };
    assert_eq!(
        subjects(&whole.items),
        [
            "overnight",
            "all day",
            "instant",
            "tie 1",
            "tie 3",
            "tie 2",
            "later"
        ]
        .map(String::from)
        .to_vec(),
        "start order; equal starts by end, then creation"
    );
    for limit in [1, 2, 3] {
        let (paged, pages) =
            all_pages::<Appointment>(&app, &format!("/api/appointments?{WEEK}&"), limit).await;
        assert_eq!(subjects(&paged), subjects(&whole.items), "pages of {limit}");
        assert_eq!(pages, whole.items.len().div_ceil(limit), "pages of {limit}");
    }
}

#[tokio::test]
async fn a_window_holding_more_than_one_exchange_answer_is_paged_to_its_end() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    // 1,050 appointments in a week, 45 minutes each every 9 minutes (five overlap at any time):
    // more than Exchange returns in one FindItem, where the list used to stop silently.
    let monday = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
    let items = (0..1050)
        .map(|i| {
            let start = monday + Duration::minutes(9 * i);
            CalendarItem {
                item: ItemFields {
                    subject: Some(format!("busy {i:04}")),
                    ..Default::default()
                },
                start: Some(EwsDateTime::utc(start)),
                end: Some(EwsDateTime::utc(start + Duration::minutes(45))),
                ..CalendarItem::default()
            }
        })
        .collect();
    create_many(&app, ALICE_TOKEN, items).await;

    let first: Page<Appointment> = page(&app, &format!("/api/appointments?{WEEK}")).await;
    assert_eq!(first.items.len(), PageLimit::DEFAULT as usize);
    assert!(first.more, "the first page says that more follow");

    let (all, pages) = all_pages::<Appointment>(
        &app,
        &format!("/api/appointments?{WEEK}&"),
        PageLimit::MAX as usize,
    )
    .await;
    assert_eq!(all.len(), 1050);
    assert_eq!(pages, 6);
    let unique: HashSet<&str> = all.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(unique.len(), 1050, "no appointment twice");
    assert!(all.windows(2).all(|w| w[0].start <= w[1].start));
    assert_eq!(all[1049].subject, "busy 1049");
}

#[tokio::test]
async fn task_pages_are_newest_first() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    for n in 1..=5 {
        let status = app
            .post("/api/tasks")
            .json(&json!({"subject": format!("task {n}")}))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, StatusCode::CREATED);
    }
    let (tasks, pages) = all_pages::<Task>(&app, "/api/tasks?", 2).await;
    let subjects: Vec<&str> = tasks.iter().map(|t| t.subject.as_str()).collect();
    assert_eq!(subjects, ["task 5", "task 4", "task 3", "task 2", "task 1"]);
    assert_eq!(pages, 3);
    let first: Page<Task> = page(&app, "/api/tasks").await;
    assert_eq!((first.items.len(), first.more), (5, false));
}

async fn error_of(response: reqwest::Response) -> ApiErrorBody {
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    response.json().await.unwrap()
}

#[tokio::test]
async fn bad_limits_and_cursors_are_422_naming_each_parameter() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    for limit in ["0", "201", "-3", "all"] {
        let body = error_of(
            app.get(&format!("/api/appointments?{WEEK}&limit={limit}"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(body.error, "validation_failed");
        assert!(body.fields["limit"].contains("from 1 to 200"), "{body:?}");
    }
    // Every problem at once.
    let body = error_of(
        app.get("/api/appointments?start=soon&end=2026-12-08T00:00:00Z&limit=0")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(body.fields.contains_key("start") && body.fields.contains_key("limit"));
    let body = error_of(
        app.get("/api/tasks?limit=0&cursor=nonsense")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(body.fields.contains_key("limit") && body.fields.contains_key("cursor"));

    // A cursor of the other listing, of a later window, or made up.
    for _ in 0..3 {
        app.post("/api/tasks")
            .json(&json!({"subject": "one of three"}))
            .send()
            .await
            .unwrap();
    }
    let tasks: Page<Task> = page(&app, "/api/tasks?limit=1").await;
    let task_cursor = tasks.next_cursor.unwrap();
    for item in [
        span("a", "2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z"),
        span("b", "2026-12-05T09:00:00Z", "2026-12-05T10:00:00Z"),
    ] {
        create(&app, ALICE_TOKEN, item, SendMeetingInvitations::SendToNone).await;
    }
    let week: Page<Appointment> = page(&app, &format!("/api/appointments?{WEEK}&limit=1")).await;
    let calendar_cursor = week.next_cursor.unwrap();
    for (path, cursor) in [
        (format!("/api/appointments?{WEEK}"), task_cursor.as_str()),
        (
            "/api/appointments?start=2026-11-01T00:00:00Z&end=2026-12-01T00:00:00Z".to_owned(),
            calendar_cursor.as_str(),
        ),
        ("/api/tasks?limit=5".to_owned(), calendar_cursor.as_str()),
        (format!("/api/appointments?{WEEK}"), "bm90LWEtY3Vyc29y"),
    ] {
        let body = error_of(
            app.get(&format!("{path}&cursor={cursor}"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(body.fields.contains_key("cursor"), "{path}: {body:?}");
    }

    // Parameters the listing does not know are refused, not ignored.
    let response = app.get("/api/tasks?page=2").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: ApiErrorBody = response.json().await.unwrap();
    assert_eq!(body.error, "malformed_request");
}
