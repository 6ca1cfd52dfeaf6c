//! Meetings over Graph, across mailboxes: invitations land in attendees' calendars, rooms
//! accept, answers reach the organizer, cancellation marks the attendees' copies.

use crate::common;

use common::graph::*;
use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn harness() -> (Harness, TestApp) {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    (harness, app)
}

const DAY: &str =
    "/me/calendarView?startDateTime=2026-12-01T00:00:00Z&endDateTime=2026-12-02T00:00:00Z";

fn meeting_body() -> Value {
    let mut body = event(
        "Budget review",
        "2026-12-01T14:00:00",
        "2026-12-01T15:00:00",
        "UTC",
    );
    body["attendees"] = json!([
        {"emailAddress": {"address": BOB, "name": "Bob"}, "type": "required"},
        {"emailAddress": {"address": CAROL}, "type": "optional"},
        {"emailAddress": {"address": "room-412@sandbox.test", "name": "Room 4.12"}, "type": "resource"},
    ]);
    body
}

async fn only_event(app: &TestApp, token: &str) -> Value {
    let view = get(app, token, DAY).await;
    let values = view.body["value"].as_array().unwrap();
    assert_eq!(values.len(), 1, "{}", view.body);
    values[0].clone()
}

fn attendee<'a>(event: &'a Value, address: &str) -> &'a Value {
    event["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["emailAddress"]["address"] == address)
        .unwrap()
}

#[tokio::test]
async fn invitations_answers_and_rooms() {
    let (_h, app) = harness().await;
    let meeting = create_event(&app, ALICE_TOKEN, meeting_body()).await;
    assert_eq!(attendee(&meeting, BOB)["type"], "required");
    assert_eq!(attendee(&meeting, CAROL)["type"], "optional");
    // The room accepted at once, as Exchange's booking assistant does.
    assert_eq!(
        attendee(&meeting, "room-412@sandbox.test")["status"]["response"],
        "accepted"
    );
    assert_eq!(app.stored("room-412@sandbox.test", "calendar").await, 1);

    let invitation = only_event(&app, BOB_TOKEN).await;
    assert_eq!(invitation["subject"], "Budget review");
    assert_eq!(invitation["isOrganizer"], false);
    assert_eq!(invitation["responseStatus"]["response"], "notResponded");
    assert_eq!(invitation["organizer"]["emailAddress"]["address"], ALICE);
    assert_eq!(invitation["iCalUId"], meeting["iCalUId"]);
    let bob_id = invitation["id"].as_str().unwrap();
    let accepted = post(
        &app,
        BOB_TOKEN,
        &format!("/me/events/{bob_id}/accept"),
        json!({"comment": "Sure", "sendResponse": true}),
    )
    .await;
    assert_eq!(accepted.status, StatusCode::ACCEPTED);
    assert_eq!(
        only_event(&app, BOB_TOKEN).await["responseStatus"]["response"],
        "accepted"
    );

    let carol_id = only_event(&app, CAROL_TOKEN).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let tentative = post(
        &app,
        CAROL_TOKEN,
        &format!("/me/events/{carol_id}/tentativelyAccept"),
        json!({}),
    )
    .await;
    assert_eq!(tentative.status, StatusCode::ACCEPTED);

    let organizer_view = get(
        &app,
        ALICE_TOKEN,
        &format!("/me/events/{}", meeting["id"].as_str().unwrap()),
    )
    .await
    .body;
    assert_eq!(
        attendee(&organizer_view, BOB)["status"]["response"],
        "accepted"
    );
    assert_eq!(
        attendee(&organizer_view, CAROL)["status"]["response"],
        "tentativelyAccepted"
    );

    // The organizer cannot answer their own meeting.
    let own = post(
        &app,
        ALICE_TOKEN,
        &format!("/me/events/{}/accept", meeting["id"].as_str().unwrap()),
        json!({}),
    )
    .await;
    assert_eq!(own.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&own), "ErrorInvalidRequest");

    // Declining removes the meeting from the attendee's calendar and tells the organizer.
    let declined = post(
        &app,
        CAROL_TOKEN,
        &format!("/me/events/{carol_id}/decline"),
        json!({"sendResponse": true}),
    )
    .await;
    assert_eq!(declined.status, StatusCode::ACCEPTED);
    assert_eq!(get(&app, CAROL_TOKEN, DAY).await.body["value"], json!([]));
    let organizer_view = get(
        &app,
        ALICE_TOKEN,
        &format!("/me/events/{}", meeting["id"].as_str().unwrap()),
    )
    .await
    .body;
    assert_eq!(
        attendee(&organizer_view, CAROL)["status"]["response"],
        "declined"
    );
}

#[tokio::test]
async fn organizer_updates_reach_attendees() {
    let (_h, app) = harness().await;
    let meeting = create_event(&app, ALICE_TOKEN, meeting_body()).await;
    let path = format!("/me/events/{}", meeting["id"].as_str().unwrap());
    let moved = patch(
        &app,
        ALICE_TOKEN,
        &path,
        json!({
            "subject": "Budget review (moved)",
            "start": {"dateTime": "2026-12-01T16:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2026-12-01T17:00:00", "timeZone": "UTC"},
        }),
        meeting["@odata.etag"].as_str(),
    )
    .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    let bobs = only_event(&app, BOB_TOKEN).await;
    assert_eq!(bobs["subject"], "Budget review (moved)");
    assert_eq!(bobs["start"]["dateTime"], "2026-12-01T16:00:00.0000000");
}

#[tokio::test]
async fn cancel_marks_attendees_copies_and_frees_rooms() {
    let (_h, app) = harness().await;
    let meeting = create_event(&app, ALICE_TOKEN, meeting_body()).await;
    let id = meeting["id"].as_str().unwrap();
    let bob_id = only_event(&app, BOB_TOKEN).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Only the organizer can cancel.
    let by_attendee = post(
        &app,
        BOB_TOKEN,
        &format!("/me/events/{bob_id}/cancel"),
        json!({"comment": "no"}),
    )
    .await;
    assert_eq!(by_attendee.status, StatusCode::BAD_REQUEST);
    let cancelled = post(
        &app,
        ALICE_TOKEN,
        &format!("/me/events/{id}/cancel"),
        json!({"comment": "Budget approved"}),
    )
    .await;
    assert_eq!(cancelled.status, StatusCode::ACCEPTED);
    let bobs = only_event(&app, BOB_TOKEN).await;
    assert_eq!(bobs["isCancelled"], true);
    assert_eq!(bobs["showAs"], "free");
    assert_eq!(app.stored("room-412@sandbox.test", "calendar").await, 0);
    assert_eq!(
        get(&app, ALICE_TOKEN, &format!("/me/events/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // A cancelled meeting can no longer be accepted.
    let late = post(
        &app,
        BOB_TOKEN,
        &format!("/me/events/{bob_id}/accept"),
        json!({}),
    )
    .await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn deleting_a_meeting_as_organizer_cancels_it() {
    let (_h, app) = harness().await;
    let meeting = create_event(&app, ALICE_TOKEN, meeting_body()).await;
    let gone = delete(
        &app,
        ALICE_TOKEN,
        &format!("/me/events/{}", meeting["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    assert_eq!(only_event(&app, BOB_TOKEN).await["isCancelled"], true);
}
