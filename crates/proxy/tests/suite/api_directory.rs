//! The meeting form's pickers through the JSON API: people search, room lists and rooms, and
//! free/busy with "find a time" — HTTP -> proxy -> EWS -> the sandbox's seeded directory.

use crate::common;

use common::*;
use model::{ApiErrorBody, Availability, Person, Place, ShowAs};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn people_and_rooms_are_found_and_bad_searches_named() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let people: Vec<Person> = app.get_json("/api/people?q=bob").await;
    assert!(
        people
            .iter()
            .any(|p| p.email.eq_ignore_ascii_case("bob@sandbox.test")),
        "{people:?}"
    );
    let nobody: Vec<Person> = app.get_json("/api/people?q=zzzz-nobody").await;
    assert!(nobody.is_empty());
    let short = app.get("/api/people?q=b").send().await.unwrap();
    assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error: ApiErrorBody = short.json().await.unwrap();
    assert!(error.fields.contains_key("q"));

    let lists: Vec<Place> = app.get_json("/api/room-lists").await;
    let emails: Vec<&str> = lists.iter().map(|l| l.email.as_str()).collect();
    assert!(emails.contains(&"paris-rooms@sandbox.test"), "{emails:?}");
    let rooms: Vec<Place> = app
        .get_json("/api/room-lists/paris-rooms@sandbox.test/rooms")
        .await;
    let rooms: Vec<&str> = rooms.iter().map(|r| r.email.as_str()).collect();
    assert!(
        rooms.contains(&"room-412@sandbox.test") && rooms.contains(&"eiffel@sandbox.test"),
        "{rooms:?}"
    );
    let bad = app
        .get("/api/room-lists/not-an-address/rooms")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    app.stop().await;
}

#[tokio::test]
async fn a_booked_room_shows_busy_and_find_a_time_avoids_it() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    // Alice books the Eiffel room 09:00-10:00 UTC.
    let booking = json!({
        "subject": "Board", "start": "2026-12-01T09:00", "end": "2026-12-01T10:00",
        "rooms": ["eiffel@sandbox.test"]
    });
    let created = app
        .post("/api/appointments")
        .json(&booking)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);

    let answer = app
        .post("/api/availability")
        .json(&json!({
            "addresses": ["eiffel@sandbox.test", "room-412@sandbox.test"],
            "start": "2026-12-01T08:00:00Z",
            "end": "2026-12-01T12:00:00Z",
            "durationMinutes": 60
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let availability: Availability = answer.json().await.unwrap();
    let eiffel = &availability.schedules[0];
    assert_eq!(eiffel.email, "eiffel@sandbox.test");
    assert_eq!(eiffel.busy.len(), 1, "{eiffel:?}");
    assert_eq!(
        eiffel.busy[0].start.to_rfc3339(),
        "2026-12-01T09:00:00+00:00"
    );
    assert_eq!(eiffel.busy[0].status, ShowAs::Busy);
    assert!(availability.schedules[1].busy.is_empty());
    let starts: Vec<String> = availability
        .suggestions
        .iter()
        .map(|s| s.start.to_rfc3339())
        .collect();
    assert_eq!(
        starts,
        [
            "2026-12-01T08:00:00+00:00",
            "2026-12-01T10:00:00+00:00",
            "2026-12-01T11:00:00+00:00"
        ]
    );

    let bad = app
        .post("/api/availability")
        .json(&json!({"addresses": [], "start": "x", "end": "2026-12-01T12:00:00Z"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error: ApiErrorBody = bad.json().await.unwrap();
    assert!(error.fields.contains_key("addresses") && error.fields.contains_key("start"));
    app.stop().await;
}
