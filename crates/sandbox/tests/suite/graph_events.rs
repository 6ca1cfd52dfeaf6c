//! The Graph front end's events: create, read, filter by transactionId or extended property,
//! de-duplication, calendarView with series expanded and paging, time zones, ETag conflicts.

use crate::common;

use common::graph::*;
use common::*;
use reqwest::StatusCode;
use serde_json::json;

async fn harness() -> (Harness, TestApp) {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    (harness, app)
}

#[tokio::test]
async fn created_event_reads_back_with_graph_fields() {
    let (_h, app) = harness().await;
    let mut body = event(
        "Planning",
        "2026-12-01T10:00:00",
        "2026-12-01T11:00:00",
        "Europe/Paris",
    );
    body["location"] = json!({"displayName": "Room 4.12"});
    body["categories"] = json!(["Blue category"]);
    body["importance"] = json!("high");
    body["sensitivity"] = json!("private");
    body["showAs"] = json!("tentative");
    body["isReminderOn"] = json!(true);
    body["reminderMinutesBeforeStart"] = json!(30);
    let created = create_event(&app, ALICE_TOKEN, body).await;
    let id = created["id"].as_str().unwrap();
    let read = get(&app, ALICE_TOKEN, &format!("/me/events/{id}")).await;
    assert_eq!(read.status, StatusCode::OK);
    let e = &read.body;
    assert_eq!(e["subject"], "Planning");
    assert_eq!(e["body"]["content"], "About Planning");
    // Paris is UTC+1 in December; without Prefer the answer is in UTC.
    assert_eq!(e["start"]["dateTime"], "2026-12-01T09:00:00.0000000");
    assert_eq!(e["start"]["timeZone"], "UTC");
    assert_eq!(e["end"]["dateTime"], "2026-12-01T10:00:00.0000000");
    assert_eq!(e["originalStartTimeZone"], "Romance Standard Time");
    assert_eq!(e["location"]["displayName"], "Room 4.12");
    assert_eq!(e["categories"], json!(["Blue category"]));
    assert_eq!(e["importance"], "high");
    assert_eq!(e["sensitivity"], "private");
    assert_eq!(e["showAs"], "tentative");
    assert_eq!(e["isReminderOn"], true);
    assert_eq!(e["reminderMinutesBeforeStart"], 30);
    assert_eq!(e["type"], "singleInstance");
    assert_eq!(e["isOrganizer"], true);
    assert_eq!(e["isCancelled"], false);
    assert_eq!(e["responseStatus"]["response"], "organizer");
    assert_eq!(e["organizer"]["emailAddress"]["address"], ALICE);
    assert!(e["iCalUId"].as_str().is_some_and(|u| !u.is_empty()));
    assert!(e["seriesMasterId"].is_null());
    let etag = e["@odata.etag"].as_str().unwrap();
    assert!(etag.starts_with("W/\"") && etag.ends_with('"'), "{etag}");
    assert_eq!(etag, created["@odata.etag"].as_str().unwrap());
    assert!(e["createdDateTime"].as_str().unwrap().ends_with('Z'));
    assert!(e["lastModifiedDateTime"].is_string());
}

#[tokio::test]
async fn windows_zone_names_and_prefer_header_are_honoured() {
    let (_h, app) = harness().await;
    let created = create_event(
        &app,
        ALICE_TOKEN,
        event(
            "Call",
            "2026-12-01T09:00:00",
            "2026-12-01T09:30:00",
            "Pacific Standard Time",
        ),
    )
    .await;
    let id = created["id"].as_str().unwrap();
    let sydney = call(
        &app,
        Some(ALICE_TOKEN),
        reqwest::Method::GET,
        &format!("/me/events/{id}"),
        None,
        &[("prefer", "outlook.timezone=\"Australia/Sydney\"")],
    )
    .await;
    // 09:00 in Los Angeles (UTC-8) is 17:00 UTC, 04:00 next day in Sydney (UTC+11).
    assert_eq!(
        sydney.body["start"]["dateTime"],
        "2026-12-02T04:00:00.0000000"
    );
    assert_eq!(sydney.body["start"]["timeZone"], "Australia/Sydney");
    assert_eq!(
        sydney.headers["preference-applied"],
        "outlook.timezone=\"Australia/Sydney\""
    );
    let unknown_zone = post(
        &app,
        ALICE_TOKEN,
        "/me/events",
        event(
            "X",
            "2026-12-01T09:00:00",
            "2026-12-01T09:30:00",
            "Mars/Olympus",
        ),
    )
    .await;
    assert_eq!(unknown_zone.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&unknown_zone), "TimeZoneNotSupportedException");
}

#[tokio::test]
async fn a_repeated_transaction_id_returns_the_first_event() {
    let (_h, app) = harness().await;
    let mut body = event("Once", "2026-12-01T09:00:00", "2026-12-01T10:00:00", "UTC");
    body["transactionId"] = json!("7E163156-7762-4BEB-A1C6-729EA81755A7");
    let first = create_event(&app, ALICE_TOKEN, body.clone()).await;
    let second = create_event(&app, ALICE_TOKEN, body).await;
    assert_eq!(first["id"], second["id"]);
    assert_eq!(
        first["transactionId"],
        "7E163156-7762-4BEB-A1C6-729EA81755A7"
    );
    assert_eq!(app.stored(ALICE, "calendar").await, 1);
    let found = get(
        &app,
        ALICE_TOKEN,
        "/me/events?$filter=transactionId%20eq%20'7E163156-7762-4BEB-A1C6-729EA81755A7'",
    )
    .await;
    assert_eq!(found.body["value"].as_array().unwrap().len(), 1);
    assert_eq!(found.body["value"][0]["id"], first["id"]);
    // Another user's identical transactionId is their own.
    let mut bobs = event("Once", "2026-12-01T09:00:00", "2026-12-01T10:00:00", "UTC");
    bobs["transactionId"] = json!("7E163156-7762-4BEB-A1C6-729EA81755A7");
    let bob = create_event(&app, BOB_TOKEN, bobs).await;
    assert_ne!(bob["id"], first["id"]);
}

#[tokio::test]
async fn events_are_found_by_a_single_value_extended_property() {
    let (_h, app) = harness().await;
    let property = "String {66f5a359-4659-4830-9070-00047ec6ac6e} Name FormsKey";
    let mut body = event(
        "Tagged",
        "2026-12-01T09:00:00",
        "2026-12-01T10:00:00",
        "UTC",
    );
    body["singleValueExtendedProperties"] = json!([{"id": property, "value": "key-1"}]);
    let tagged = create_event(&app, ALICE_TOKEN, body).await;
    create_event(
        &app,
        ALICE_TOKEN,
        event("Other", "2026-12-01T11:00:00", "2026-12-01T12:00:00", "UTC"),
    )
    .await;
    let filter = format!(
        "singleValueExtendedProperties/Any(ep: ep/id eq '{property}' and ep/value eq 'key-1')"
    );
    let url = format!(
        "/me/events?$filter={}&$expand=singleValueExtendedProperties",
        urlencode(&filter)
    );
    let found = get(&app, ALICE_TOKEN, &url).await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    let values = found.body["value"].as_array().unwrap();
    assert_eq!(values.len(), 1);
    assert_eq!(values[0]["id"], tagged["id"]);
    assert_eq!(
        values[0]["singleValueExtendedProperties"][0]["value"],
        "key-1"
    );
    let none = format!(
        "singleValueExtendedProperties/Any(ep: ep/id eq '{property}' and ep/value eq 'key-2')"
    );
    let missing = get(
        &app,
        ALICE_TOKEN,
        &format!("/me/events?$filter={}", urlencode(&none)),
    )
    .await;
    assert_eq!(missing.body["value"], json!([]));
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn calendar_view_expands_series_and_pages_with_next_links() {
    let (_h, app) = harness().await;
    let mut standup = event(
        "Stand-up",
        "2026-11-30T09:00:00",
        "2026-11-30T09:15:00",
        "Europe/Paris",
    );
    standup["recurrence"] = json!({
        "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday", "wednesday"], "firstDayOfWeek": "monday"},
        "range": {"type": "numbered", "startDate": "2026-11-30", "numberOfOccurrences": 4}
    });
    let master = create_event(&app, ALICE_TOKEN, standup).await;
    assert_eq!(master["type"], "seriesMaster");
    assert_eq!(
        master["recurrence"]["pattern"]["daysOfWeek"],
        json!(["monday", "wednesday"])
    );
    assert_eq!(master["recurrence"]["range"]["numberOfOccurrences"], 4);
    for day in 1..=3 {
        create_event(
            &app,
            ALICE_TOKEN,
            event(
                &format!("Single {day}"),
                &format!("2026-12-0{day}T12:00:00"),
                &format!("2026-12-0{day}T13:00:00"),
                "UTC",
            ),
        )
        .await;
    }
    let first = "/me/calendarView?startDateTime=2026-11-30T00:00:00Z&endDateTime=2026-12-31T00:00:00Z&$top=3&$orderby=start/dateTime";
    let (events, pages) = all_pages(&app, ALICE_TOKEN, first).await;
    assert_eq!(pages, 3);
    let subjects: Vec<&str> = events
        .iter()
        .map(|e| e["subject"].as_str().unwrap())
        .collect();
    assert_eq!(
        subjects,
        [
            "Stand-up", "Single 1", "Stand-up", "Single 2", "Single 3", "Stand-up", "Stand-up"
        ]
    );
    let occurrence = &events[0];
    assert_eq!(occurrence["type"], "occurrence");
    assert_eq!(occurrence["seriesMasterId"], master["id"]);
    assert_eq!(
        occurrence["start"]["dateTime"],
        "2026-11-30T08:00:00.0000000"
    );
    // An occurrence reads back by its id.
    let read = get(
        &app,
        ALICE_TOKEN,
        &format!("/me/events/{}", occurrence["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body["type"], "occurrence");
    let missing_window = get(&app, ALICE_TOKEN, "/me/calendarView").await;
    assert_eq!(missing_window.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&missing_window), "ErrorInvalidParameter");
}

#[tokio::test]
async fn recurrence_patterns_round_trip_and_expand() {
    let (_h, app) = harness().await;
    let cases = [
        (
            json!({"type": "daily", "interval": 2}),
            json!({"type": "endDate", "startDate": "2026-12-01", "endDate": "2026-12-09"}),
            5,
        ),
        (
            json!({"type": "absoluteMonthly", "interval": 1, "dayOfMonth": 31}),
            json!({"type": "numbered", "startDate": "2026-12-01", "numberOfOccurrences": 3}),
            3,
        ),
        (
            json!({"type": "relativeMonthly", "interval": 1, "daysOfWeek": ["tuesday"], "index": "second"}),
            json!({"type": "numbered", "startDate": "2026-12-01", "numberOfOccurrences": 2}),
            2,
        ),
        (
            json!({"type": "absoluteYearly", "interval": 1, "dayOfMonth": 8, "month": 12}),
            json!({"type": "noEnd", "startDate": "2026-12-01"}),
            2,
        ),
    ];
    for (pattern, range, expected) in cases {
        let mut body = event(
            "Series",
            "2026-12-01T09:00:00",
            "2026-12-01T10:00:00",
            "UTC",
        );
        body["recurrence"] = json!({"pattern": pattern.clone(), "range": range});
        let master = create_event(&app, BOB_TOKEN, body).await;
        assert_eq!(master["recurrence"]["pattern"]["type"], pattern["type"]);
        if pattern["type"] == "relativeMonthly" {
            assert_eq!(master["recurrence"]["pattern"]["index"], "second");
        }
        let (events, _) = all_pages(&app, BOB_TOKEN, "/me/calendarView?startDateTime=2026-12-01T00:00:00&endDateTime=2028-01-01T00:00:00&$top=100").await;
        let mine: Vec<_> = events
            .iter()
            .filter(|e| e["seriesMasterId"] == master["id"])
            .collect();
        assert_eq!(mine.len(), expected, "{pattern}: {mine:?}");
        if pattern["type"] == "relativeMonthly" {
            // The second Tuesdays of December 2026 and January 2027.
            assert_eq!(mine[0]["start"]["dateTime"], "2026-12-08T09:00:00.0000000");
            assert_eq!(mine[1]["start"]["dateTime"], "2027-01-12T09:00:00.0000000");
        }
        let delete = delete(
            &app,
            BOB_TOKEN,
            &format!("/me/events/{}", master["id"].as_str().unwrap()),
            None,
        )
        .await;
        assert_eq!(delete.status, StatusCode::NO_CONTENT);
    }
}

#[tokio::test]
async fn all_day_events_need_midnights() {
    let (_h, app) = harness().await;
    let mut day = event(
        "Holiday",
        "2026-12-24T00:00:00",
        "2026-12-25T00:00:00",
        "Europe/Paris",
    );
    day["isAllDay"] = json!(true);
    let created = create_event(&app, ALICE_TOKEN, day).await;
    assert_eq!(created["isAllDay"], true);
    let mut wrong = event(
        "Holiday",
        "2026-12-24T09:00:00",
        "2026-12-25T00:00:00",
        "Europe/Paris",
    );
    wrong["isAllDay"] = json!(true);
    let refused = post(&app, ALICE_TOKEN, "/me/events", wrong).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&refused), "ErrorPropertyValidationFailure");
}

#[tokio::test]
async fn patch_and_delete_check_the_etag() {
    let (_h, app) = harness().await;
    let created = create_event(
        &app,
        ALICE_TOKEN,
        event("Draft", "2026-12-01T09:00:00", "2026-12-01T10:00:00", "UTC"),
    )
    .await;
    let path = format!("/me/events/{}", created["id"].as_str().unwrap());
    let first_etag = created["@odata.etag"].as_str().unwrap().to_owned();
    let updated = patch(
        &app,
        ALICE_TOKEN,
        &path,
        json!({"subject": "Final", "location": {"displayName": "Eiffel"}}),
        Some(&first_etag),
    )
    .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.body["subject"], "Final");
    assert_eq!(updated.body["location"]["displayName"], "Eiffel");
    assert_ne!(updated.body["@odata.etag"], first_etag.as_str());
    // The first version's ETag is stale now: the change is refused and nothing changes.
    let stale = patch(
        &app,
        ALICE_TOKEN,
        &path,
        json!({"subject": "Lost update"}),
        Some(&first_etag),
    )
    .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(error_code(&stale), "ErrorIrresolvableConflict");
    let stale_delete = delete(&app, ALICE_TOKEN, &path, Some(&first_etag)).await;
    assert_eq!(stale_delete.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(get(&app, ALICE_TOKEN, &path).await.body["subject"], "Final");
    let current = updated.body["@odata.etag"].as_str().unwrap();
    let end_before_start = patch(
        &app,
        ALICE_TOKEN,
        &path,
        json!({"end": {"dateTime": "2026-12-01T08:00:00", "timeZone": "UTC"}}),
        Some(current),
    )
    .await;
    assert_eq!(end_before_start.status, StatusCode::BAD_REQUEST);
    let gone = delete(&app, ALICE_TOKEN, &path, Some(current)).await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    let missing = get(&app, ALICE_TOKEN, &path).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&missing), "ErrorItemNotFound");
}

#[tokio::test]
async fn events_list_pages_and_other_mailboxes_stay_apart() {
    let (_h, app) = harness().await;
    for n in 0..5 {
        create_event(
            &app,
            ALICE_TOKEN,
            event(
                &format!("E{n}"),
                "2026-12-01T09:00:00",
                "2026-12-01T10:00:00",
                "UTC",
            ),
        )
        .await;
    }
    let (events, pages) = all_pages(&app, ALICE_TOKEN, "/me/events?$top=2").await;
    assert_eq!(pages, 3);
    let subjects: Vec<&str> = events
        .iter()
        .map(|e| e["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects, ["E0", "E1", "E2", "E3", "E4"]);
    let id = events[0]["id"].as_str().unwrap();
    let bob_reads = get(&app, BOB_TOKEN, &format!("/me/events/{id}")).await;
    assert_eq!(bob_reads.status, StatusCode::NOT_FOUND);
    let bob_patches = patch(
        &app,
        BOB_TOKEN,
        &format!("/me/events/{id}"),
        json!({"subject": "Mine"}),
        None,
    )
    .await;
    assert_eq!(bob_patches.status, StatusCode::NOT_FOUND);
    let bob_deletes = delete(&app, BOB_TOKEN, &format!("/me/events/{id}"), None).await;
    assert_eq!(bob_deletes.status, StatusCode::NOT_FOUND);
    assert_eq!(
        get(&app, BOB_TOKEN, "/me/events").await.body["value"],
        json!([])
    );
    assert_eq!(app.stored(ALICE, "calendar").await, 5);
}
