//! Meetings through the JSON API: people, a room, a weekly rule and the meeting's options,
//! created by one user and seen by everyone invited — HTTP -> proxy -> EWS -> sandbox.

use crate::common;

use common::*;
use model::{
    Appointment, Importance, Page, Pattern, RecurrenceEnd, ResponseStatus, ShowAs, Weekday,
};
use reqwest::StatusCode;
use serde_json::json;

const ROOM: &str = "room-412@sandbox.test";

fn weekly_meeting() -> serde_json::Value {
    json!({
        "subject": "Project sync",
        "start": "2026-12-07T09:00",
        "end": "2026-12-07T09:30",
        "timeZone": "Europe/Paris",
        "location": "Room 4.12",
        "reminder": "15",
        "showAs": "tentative",
        "importance": "high",
        "private": true,
        "categories": ["Project X"],
        "requiredAttendees": [BOB],
        "optionalAttendees": [CAROL],
        "rooms": [ROOM],
        "recurrence": {"repeat": "weekly", "interval": "1", "days": ["monday", "thursday"], "ends": "after", "count": "6"}
    })
}

async fn december(app: &TestApp) -> Vec<Appointment> {
    let page: Page<Appointment> = app
        .get_json("/api/appointments?start=2026-12-01T00:00:00Z&end=2027-01-01T00:00:00Z")
        .await;
    page.items
}

#[tokio::test]
async fn a_weekly_meeting_with_people_and_a_room_reaches_everyone_with_its_rule() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let response = app
        .post("/api/appointments")
        .json(&weekly_meeting())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Appointment = response.json().await.unwrap();
    assert_eq!(created.my_response, ResponseStatus::Organizer);

    // Alice's December: six occurrences on Mondays and Thursdays (7, 10, 14, 17, 21, 24).
    let alices = december(&app).await;
    let days: Vec<String> = alices
        .iter()
        .map(|a| a.start.format("%d").to_string())
        .collect();
    assert_eq!(days, ["07", "10", "14", "17", "21", "24"]);
    assert!(alices.iter().all(|a| a.occurrence));
    assert_eq!(alices[0].start.to_rfc3339(), "2026-12-07T08:00:00+00:00");
    // The series itself carries the rule.
    let series: Appointment = app.get_json(&item_path("appointments", &created.id)).await;
    assert!(!series.occurrence);
    let rule = series.recurrence.as_ref().expect("the series' rule");
    assert_eq!(
        rule.pattern,
        Pattern::Weekly {
            interval: 1,
            days: vec![Weekday::Monday, Weekday::Thursday]
        }
    );
    assert_eq!(rule.end, RecurrenceEnd::Count { count: 6 });
    let first = &alices[0];
    assert_eq!(first.reminder_minutes, Some(15));
    assert_eq!(first.show_as, ShowAs::Tentative);
    assert_eq!(first.importance, Importance::High);
    assert!(first.private);
    assert_eq!(first.categories, ["Project X"]);
    let emails = |list: &[model::Attendee]| {
        list.iter()
            .map(|a| a.email.to_lowercase())
            .collect::<Vec<_>>()
    };
    assert_eq!(emails(&first.required_attendees), [BOB]);
    assert_eq!(emails(&first.optional_attendees), [CAROL]);
    assert_eq!(emails(&first.rooms), [ROOM]);
    assert_eq!(
        first.rooms[0].response,
        ResponseStatus::Accepted,
        "the room books itself"
    );
    assert_eq!(first.my_response, ResponseStatus::Organizer);

    // Bob got the invitation, awaiting his answer, with Alice as organiser.
    app.authorizer.set_token(BOB_TOKEN);
    let bobs = december(&app).await;
    assert_eq!(bobs.len(), 6);
    assert_eq!(bobs[0].subject, "Project sync");
    assert_eq!(bobs[0].my_response, ResponseStatus::None);
    assert_eq!(
        bobs[0]
            .organizer
            .as_deref()
            .map(str::to_lowercase)
            .as_deref(),
        Some(ALICE)
    );
    // The room's calendar holds the booking.
    assert!(app.stored(ROOM, "calendar").await >= 1);
    app.stop().await;
}

#[tokio::test]
async fn an_edit_can_change_the_people_and_drop_the_rule() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let created: Appointment = app
        .post("/api/appointments")
        .json(&weekly_meeting())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut edit = weekly_meeting();
    edit["requiredAttendees"] = json!([BOB, CAROL]);
    edit["optionalAttendees"] = json!([]);
    edit["rooms"] = json!([]);
    edit["recurrence"] = serde_json::Value::Null;
    edit["reminder"] = json!("");
    let response = app
        .client
        .put(format!(
            "{}{}",
            app.address,
            item_path("appointments", &created.id)
        ))
        .bearer_auth("session-handle")
        .header("if-match", format!("\"{}\"", created.change_key))
        .json(&edit)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{:?}",
        response.text().await
    );
    let alices = december(&app).await;
    assert_eq!(alices.len(), 1, "a single meeting now");
    let meeting = &alices[0];
    assert_eq!(meeting.recurrence, None);
    assert_eq!(meeting.reminder_minutes, None);
    assert_eq!(meeting.required_attendees.len(), 2);
    assert!(meeting.rooms.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn bad_meeting_fields_are_named() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let mut bad = weekly_meeting();
    bad["requiredAttendees"] = json!(["bob"]);
    bad["recurrence"]["ends"] = json!("on");
    bad["recurrence"]["until"] = json!("2026-12-01");
    bad["reminder"] = json!("soon");
    let response = app
        .post("/api/appointments")
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error: model::ApiErrorBody = response.json().await.unwrap();
    for field in ["requiredAttendees", "recurrence.until", "reminder"] {
        assert!(error.fields.contains_key(field), "{field}: {error:?}");
    }
    bad["showAs"] = json!("away");
    let response = app
        .post("/api/appointments")
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let error: model::ApiErrorBody = response.json().await.unwrap();
    assert!(
        error.message.contains("showAs") || error.message.contains("away"),
        "{}",
        error.message
    );
    assert_eq!(app.stored(ALICE, "calendar").await, 0);
    app.stop().await;
}
