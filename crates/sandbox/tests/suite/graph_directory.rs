//! `/me`, people search, room lists and rooms, and getSchedule from the stored calendars, with
//! other people's calendars shown as free/busy only.

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

#[tokio::test]
async fn me_people_and_places() {
    let (_h, app) = harness().await;
    let me = get(&app, ALICE_TOKEN, "/me").await.body;
    assert_eq!(me["mail"], ALICE);
    assert_eq!(me["userPrincipalName"], ALICE);
    assert!(me["id"].is_string() && me["displayName"].is_string());

    let people = get(&app, ALICE_TOKEN, "/me/people?$search=%22bob%20sand%22")
        .await
        .body;
    let found: Vec<&Value> = people["value"].as_array().unwrap().iter().collect();
    assert_eq!(found.len(), 1, "{people}");
    assert_eq!(found[0]["displayName"], "Bob Sandbox");
    assert_eq!(
        found[0]["scoredEmailAddresses"][0]["address"],
        "bob@sandbox.test"
    );
    let engineering = get(&app, ALICE_TOKEN, "/me/people?$search=example")
        .await
        .body;
    assert_eq!(engineering["value"][0]["displayName"], "Dave Example");

    let lists = get(&app, ALICE_TOKEN, "/places/microsoft.graph.roomlist")
        .await
        .body;
    let names: Vec<&str> = lists["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Paris office", "Sydney office"]);
    let rooms = get(
        &app,
        ALICE_TOKEN,
        "/places/paris-rooms@sandbox.test/microsoft.graph.roomlist/rooms",
    )
    .await
    .body;
    let rooms: Vec<&str> = rooms["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["emailAddress"].as_str().unwrap())
        .collect();
    assert_eq!(rooms, ["room-412@sandbox.test", "eiffel@sandbox.test"]);
    let unknown = get(
        &app,
        ALICE_TOKEN,
        "/places/nowhere@sandbox.test/microsoft.graph.roomlist/rooms",
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn get_schedule_shows_busy_times_and_hides_other_peoples_details() {
    let (_h, app) = harness().await;
    create_event(
        &app,
        BOB_TOKEN,
        event(
            "Bob's secret",
            "2026-12-01T09:00:00",
            "2026-12-01T10:00:00",
            "UTC",
        ),
    )
    .await;
    let mut tentative = event(
        "Alice's own",
        "2026-12-01T10:30:00",
        "2026-12-01T11:00:00",
        "UTC",
    );
    tentative["showAs"] = json!("tentative");
    create_event(&app, ALICE_TOKEN, tentative).await;
    let answer = post(
        &app,
        ALICE_TOKEN,
        "/me/calendar/getSchedule",
        json!({
            "schedules": [BOB, ALICE, "nobody@nowhere.test"],
            "startTime": {"dateTime": "2026-12-01T08:00:00", "timeZone": "UTC"},
            "endTime": {"dateTime": "2026-12-01T12:00:00", "timeZone": "UTC"},
            "availabilityViewInterval": 30,
        }),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let schedules = answer.body["value"].as_array().unwrap();
    let bob = &schedules[0];
    assert_eq!(bob["scheduleId"], BOB);
    assert_eq!(bob["availabilityView"], "00220000");
    assert_eq!(bob["scheduleItems"][0]["status"], "busy");
    assert_eq!(
        bob["scheduleItems"][0]["start"]["dateTime"],
        "2026-12-01T09:00:00.0000000"
    );
    assert!(bob["scheduleItems"][0].get("subject").is_none(), "{bob}");
    let alice = &schedules[1];
    assert_eq!(alice["availabilityView"], "00000100");
    assert_eq!(alice["scheduleItems"][0]["subject"], "Alice's own");
    assert_eq!(alice["scheduleItems"][0]["status"], "tentative");
    assert_eq!(
        schedules[2]["error"]["responseCode"],
        "ErrorMailRecipientNotFound"
    );

    let bad_interval = post(
        &app,
        ALICE_TOKEN,
        "/me/calendar/getSchedule",
        json!({
            "schedules": [BOB],
            "startTime": {"dateTime": "2026-12-01T08:00:00", "timeZone": "UTC"},
            "endTime": {"dateTime": "2026-12-01T12:00:00", "timeZone": "UTC"},
            "availabilityViewInterval": 1,
        }),
    )
    .await;
    assert_eq!(bad_interval.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&bad_interval), "ErrorInvalidParameter");
}
