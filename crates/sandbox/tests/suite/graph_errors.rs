//! Errors as Graph sends them, and hostile input: every refusal is a Graph error body with the
//! right status, never a 500, a panic or a dropped connection.

use crate::common;

use common::graph::*;
use common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn harness() -> (Harness, TestApp) {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    (harness, app)
}

async fn raw_post(app: &TestApp, path: &str, body: &'static [u8]) -> Answer {
    let response = app
        .client
        .post(format!("{}{GRAPH}{path}", app.address))
        .bearer_auth(ALICE_TOKEN)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    Answer {
        status,
        headers,
        body,
    }
}

#[tokio::test]
async fn callers_without_a_valid_token_get_401() {
    let (_h, app) = harness().await;
    for token in [None, Some("not-a-token")] {
        let answer = call(&app, token, Method::GET, "/me/events", None, &[]).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert_eq!(error_code(&answer), "InvalidAuthenticationToken");
        assert!(
            answer.headers["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer")
        );
    }
    // The body is not looked at before the token.
    let answer = call(
        &app,
        None,
        Method::POST,
        "/me/events",
        Some(json!({"subject": 5})),
        &[],
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_bodies_are_400_naming_the_property() {
    let (_h, app) = harness().await;
    let cases = [
        (json!({"subject": 5}), "subject"),
        (
            json!({"start": {"dateTime": "tomorrow", "timeZone": "UTC"}, "end": {"dateTime": "2026-12-01T10:00:00", "timeZone": "UTC"}}),
            "start",
        ),
        (
            json!({"attendees": [{"emailAddress": {"address": "not an address"}}]}),
            "attendees[0].emailAddress.address",
        ),
        (json!({"showAs": "sleeping"}), "showAs"),
        (json!({"importance": ["high"]}), "importance"),
        (
            json!({"recurrence": {"pattern": {"type": "hourly"}, "range": {"type": "noEnd", "startDate": "2026-12-01"}}}),
            "recurrence.pattern.type",
        ),
        (
            json!({"reminderMinutesBeforeStart": -5}),
            "reminderMinutesBeforeStart",
        ),
        (json!({"subject": "x".repeat(10_000)}), "subject"),
    ];
    for (body, property) in cases {
        let answer = post(&app, ALICE_TOKEN, "/me/events", body.clone()).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
        error_code(&answer);
        let message = answer.body["error"]["message"].as_str().unwrap();
        assert!(message.contains(property), "{property}: {message}");
    }
    assert_eq!(app.stored(ALICE, "calendar").await, 0);
}

#[tokio::test]
async fn malformed_json_and_hostile_input_never_give_500() {
    let (_h, app) = harness().await;
    let bodies: [&'static [u8]; 6] = [
        b"",
        b"{",
        b"[1,2]",
        b"null",
        b"{\"subject\":\"a\"} trailing",
        b"\xff\xfe",
    ];
    for body in bodies {
        let answer = raw_post(&app, "/me/events", body).await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{:?}",
            String::from_utf8_lossy(body)
        );
        assert_eq!(error_code(&answer), "BadRequest");
    }
    let huge = vec![b'a'; 3 << 20];
    let response = app
        .client
        .post(format!("{}{GRAPH}/me/events", app.address))
        .bearer_auth(ALICE_TOKEN)
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: serde_json::Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(body["error"]["code"], "RequestEntityTooLarge");

    let hostile_paths = [
        "/me/events/%00%ff",
        "/me/events/x.occ99999999999999999999",
        "/me/events/x.occ0",
        "/me/calendarView?startDateTime=0001-01-01T00:00:00Z&endDateTime=9999-12-31T00:00:00Z",
        "/me/calendarView?startDateTime=2026-12-01&endDateTime=2026-12-02&$top=-1",
        "/me/events?$filter=subject%20eq%20'x'",
        "/me/events?$filter=singleValueExtendedProperties/any(ep:%20ep/id%20eq%20'nonsense'%20and%20ep/value%20eq%20'x')",
        "/me/events?$filter=transactionId%20eq%20'unterminated",
        "/me/events?$skip=4294967295&$top=1000",
        "/me/todo/lists/AAMkSBXFolderTasks/tasks?$orderby=title",
        "/me/people?$top=abc",
    ];
    for path in hostile_paths {
        let answer = get(&app, ALICE_TOKEN, path).await;
        assert!(
            answer.status.is_client_error() || answer.status == StatusCode::OK,
            "{path}: {}",
            answer.status
        );
        if answer.status != StatusCode::OK {
            error_code(&answer);
        }
    }
    // A To Do status filter on events is a 400 naming what it is for, not an empty list.
    let answer = get(
        &app,
        ALICE_TOKEN,
        "/me/events?$filter=status%20eq%20'completed'",
    )
    .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    error_code(&answer);
    // Hostile recurrences: nothing is stored, and the answers are 400s.
    let mut series = event("S", "2026-12-01T09:00:00", "2026-12-01T10:00:00", "UTC");
    for recurrence in [
        json!({"pattern": {"type": "daily", "interval": 0}, "range": {"type": "noEnd", "startDate": "2026-12-01"}}),
        json!({"pattern": {"type": "weekly", "interval": 1, "daysOfWeek": []}, "range": {"type": "noEnd", "startDate": "2026-12-01"}}),
        json!({"pattern": {"type": "absoluteYearly", "dayOfMonth": 40, "month": 13}, "range": {"type": "noEnd", "startDate": "2026-12-01"}}),
        json!({"pattern": {"type": "daily", "interval": 1}, "range": {"type": "numbered", "startDate": "2026-12-01", "numberOfOccurrences": 0}}),
        json!({"pattern": {"type": "daily", "interval": 1}, "range": {"type": "endDate", "startDate": "2026-12-01", "endDate": "2026-11-01"}}),
        json!({"pattern": {"type": "relativeMonthly", "interval": 1, "daysOfWeek": ["monday", "friday"]}, "range": {"type": "noEnd", "startDate": "2026-12-01"}}),
    ] {
        series["recurrence"] = recurrence.clone();
        let answer = post(&app, ALICE_TOKEN, "/me/events", series.clone()).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{recurrence}");
        assert!(
            answer.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("recurrence"),
            "{}",
            answer.body
        );
    }
    assert_eq!(app.stored(ALICE, "calendar").await, 0);
}

#[tokio::test]
async fn unknown_methods_and_resources() {
    let (_h, app) = harness().await;
    let put = call(
        &app,
        Some(ALICE_TOKEN),
        Method::PUT,
        "/me/events",
        Some(json!({})),
        &[],
    )
    .await;
    assert_eq!(put.status, StatusCode::METHOD_NOT_ALLOWED);
    error_code(&put);
    let delete_me = call(&app, Some(ALICE_TOKEN), Method::DELETE, "/me", None, &[]).await;
    assert_eq!(delete_me.status, StatusCode::METHOD_NOT_ALLOWED);
    let unknown = get(&app, ALICE_TOKEN, "/me/mailFolders").await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(
        unknown.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("me/mailFolders")
    );
    let action = post(&app, ALICE_TOKEN, "/me/events/abc/forward", json!({})).await;
    assert_eq!(action.status, StatusCode::BAD_REQUEST);
    let missing = post(&app, ALICE_TOKEN, "/me/events/abc/accept", json!({})).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&missing), "ErrorItemNotFound");
    // The caller's client-request-id comes back in the error body and the headers.
    let traced = call(
        &app,
        Some(ALICE_TOKEN),
        Method::GET,
        "/me/events/nope",
        None,
        &[("client-request-id", "trace-123")],
    )
    .await;
    assert_eq!(traced.status, StatusCode::NOT_FOUND);
    assert_eq!(
        traced.body["error"]["innerError"]["client-request-id"],
        "trace-123"
    );
    assert_eq!(traced.headers["client-request-id"], "trace-123");
}
