//! The JSON API end to end: HTTP -> proxy -> EWS over HTTP -> sandbox mailbox (SQLite).

use crate::common;

use common::*;
use model::{ApiErrorBody, Appointment, Page, Task};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn an_appointment_round_trips_through_the_sandbox_mailbox() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;

    let response = app
        .post("/api/appointments")
        .json(&appointment_json("Design review"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Appointment = response.json().await.unwrap();
    assert!(!created.id.is_empty() && !created.change_key.is_empty());
    assert_eq!(created.subject, "Design review");
    assert_eq!(created.location, "Room 4.12");
    assert_eq!(created.body, "Agenda: <b>budget</b> & \"risks\"");
    // 09:00 in Paris in December (UTC+1) is 08:00 UTC.
    assert_eq!(created.start.to_rfc3339(), "2026-12-01T08:00:00+00:00");
    assert_eq!(created.end.to_rfc3339(), "2026-12-01T09:30:00+00:00");

    let listed: Page<Appointment> = app
        .get(&format!("/api/appointments?{DECEMBER}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let listed = listed.items;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, created.id);
    assert_eq!(listed[0].location, "Room 4.12");
    assert_eq!(listed[0].start, created.start);
    assert_eq!(app.stored(ALICE, "calendar").await, 1);
}

#[tokio::test]
async fn the_calendar_view_returns_overlapping_items_in_start_order() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    for (subject, start, end) in [
        ("late", "2026-12-01T15:00", "2026-12-01T16:00"),
        ("overnight", "2026-11-30T23:00", "2026-12-01T01:00"),
        ("early", "2026-12-01T08:00", "2026-12-01T09:00"),
        ("next week", "2026-12-08T08:00", "2026-12-08T09:00"),
    ] {
        let draft = json!({"subject": subject, "start": start, "end": end});
        let status = app
            .post("/api/appointments")
            .json(&draft)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, StatusCode::CREATED, "{subject}");
    }
    let listed: Page<Appointment> = app
        .get(&format!("/api/appointments?{DECEMBER}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let listed = listed.items;
    let subjects: Vec<&str> = listed.iter().map(|a| a.subject.as_str()).collect();
    assert_eq!(subjects, ["overnight", "early", "late"]);
}

#[tokio::test]
async fn a_task_round_trips_through_the_sandbox_mailbox() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let draft = json!({"subject": "File the report", "dueDate": "2026-12-24", "status": "InProgress", "body": "Q4"});
    let response = app.post("/api/tasks").json(&draft).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Task = response.json().await.unwrap();
    assert_eq!(created.subject, "File the report");
    assert_eq!(created.due_date.unwrap().to_string(), "2026-12-24");
    assert_eq!(created.status.as_str(), "InProgress");
    assert_eq!(created.body, "Q4");

    let no_due = json!({"subject": "Someday"});
    assert_eq!(
        app.post("/api/tasks")
            .json(&no_due)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::CREATED
    );

    let listed: Page<Task> = app
        .get("/api/tasks")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let listed = listed.items;
    // Newest first: what was just created leads the list.
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].subject, "Someday");
    assert_eq!(listed[0].due_date, None);
    assert_eq!(listed[0].status.as_str(), "NotStarted");
    assert_eq!(listed[1].id, created.id);
    assert_eq!(listed[1].due_date, created.due_date);
}

async fn error_of(response: reqwest::Response, status: StatusCode) -> ApiErrorBody {
    assert_eq!(response.status(), status);
    assert_eq!(response.headers()["content-type"], "application/json");
    response.json().await.unwrap()
}

#[tokio::test]
async fn validation_errors_are_422_and_name_each_field() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let draft = json!({"subject": "  ", "start": "2026-12-01T09:00", "end": "2026-12-01T08:00"});
    let body = error_of(
        app.post("/api/appointments")
            .json(&draft)
            .send()
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(body.error, "validation_failed");
    assert_eq!(body.fields["subject"], "Enter a subject.");
    assert_eq!(body.fields["end"], "The end must be after the start.");

    let task = json!({"subject": "x", "status": "Done", "dueDate": "2026-02-30"});
    let body = error_of(
        app.post("/api/tasks").json(&task).send().await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        body.fields.contains_key("status") && body.fields.contains_key("dueDate"),
        "{body:?}"
    );
    assert_eq!(
        app.stored(ALICE, "calendar").await + app.stored(ALICE, "tasks").await,
        0,
        "nothing was sent"
    );
}

#[tokio::test]
async fn end_before_start_is_422_on_end() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let draft = json!({"subject": "s", "start": "2026-12-01T10:00", "end": "2026-12-01T09:59", "timeZone": "Europe/Paris"});
    let body = error_of(
        app.post("/api/appointments")
            .json(&draft)
            .send()
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(body.fields.keys().collect::<Vec<_>>(), ["end"]);
}

#[tokio::test]
async fn time_zones_are_checked_and_dst_gaps_refused() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let unknown = json!({"subject": "s", "start": "2026-12-01T09:00", "end": "2026-12-01T10:00", "timeZone": "Mars/Olympus_Mons"});
    let body = error_of(
        app.post("/api/appointments")
            .json(&unknown)
            .send()
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        body.fields["timeZone"].contains("Mars/Olympus_Mons"),
        "{body:?}"
    );

    // 2026-03-29 02:30 does not exist in Paris (clocks jump from 02:00 to 03:00).
    let gap = json!({"subject": "s", "start": "2026-03-29T02:30", "end": "2026-03-29T04:00", "timeZone": "Europe/Paris"});
    let body = error_of(
        app.post("/api/appointments")
            .json(&gap)
            .send()
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(body.fields["start"].contains("03:00"), "{body:?}");

    // Southern hemisphere: Sydney is UTC+11 in December.
    let sydney = json!({"subject": "s", "start": "2026-12-01T09:00", "end": "2026-12-01T10:00", "timeZone": "Australia/Sydney"});
    let created: Appointment = app
        .post("/api/appointments")
        .json(&sydney)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(created.start.to_rfc3339(), "2026-11-30T22:00:00+00:00");
}

#[tokio::test]
async fn malformed_json_and_unknown_fields_are_400_naming_the_problem() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let response = app
        .post("/api/appointments")
        .header("content-type", "application/json")
        .body("{\"subject\": \"unterminated")
        .send()
        .await
        .unwrap();
    let body = error_of(response, StatusCode::BAD_REQUEST).await;
    assert_eq!(body.error, "malformed_request");

    let mut draft = appointment_json("s");
    draft["colour"] = json!("red");
    let body = error_of(
        app.post("/api/appointments")
            .json(&draft)
            .send()
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(
        body.message.contains("unknown field `colour`"),
        "{}",
        body.message
    );

    let body = error_of(
        app.post("/api/tasks")
            .header("content-type", "text/plain")
            .body("{}")
            .send()
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(
        body.message.contains("application/json"),
        "{}",
        body.message
    );

    let body = error_of(
        app.get("/api/appointments?start=yesterday")
            .send()
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(body.fields.contains_key("start"), "{body:?}");
}

#[tokio::test]
async fn an_idempotency_key_creates_the_item_once() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let key = "5f0c6c1e-8a53-4c1e-9d7e-3f1a2b4c5d6e";
    let send = || {
        app.post("/api/appointments")
            .header("Idempotency-Key", key)
            .json(&appointment_json("Once"))
    };

    let first = send().send().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Appointment = first.json().await.unwrap();
    let replay = send().send().await.unwrap();
    assert_eq!(replay.status(), StatusCode::CREATED);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    let replay: Appointment = replay.json().await.unwrap();
    assert_eq!(replay, first);
    assert_eq!(app.stored(ALICE, "calendar").await, 1);

    // Concurrent duplicates (a double click) still create one item.
    let key2 = "c7a4f2d0-0000-4000-8000-000000000002";
    let both = futures_join(
        app.post("/api/tasks")
            .header("Idempotency-Key", key2)
            .json(&json!({"subject": "t"}))
            .send(),
        app.post("/api/tasks")
            .header("Idempotency-Key", key2)
            .json(&json!({"subject": "t"}))
            .send(),
    )
    .await;
    let (a, b) = (both.0.unwrap(), both.1.unwrap());
    assert_eq!(
        (a.status(), b.status()),
        (StatusCode::CREATED, StatusCode::CREATED)
    );
    let (a, b): (Task, Task) = (a.json().await.unwrap(), b.json().await.unwrap());
    assert_eq!(a.id, b.id);
    assert_eq!(app.stored(ALICE, "tasks").await, 1);

    // The same key for a different request is refused rather than answered with the wrong item.
    let other = app
        .post("/api/appointments")
        .header("Idempotency-Key", key)
        .json(&appointment_json("Other"));
    let body = error_of(other.send().await.unwrap(), StatusCode::CONFLICT).await;
    assert!(body.message.contains("Idempotency-Key"), "{}", body.message);

    let bad = app
        .post("/api/tasks")
        .header("Idempotency-Key", "has space")
        .json(&json!({"subject": "t"}));
    error_of(bad.send().await.unwrap(), StatusCode::BAD_REQUEST).await;
}

async fn futures_join<A: std::future::Future, B: std::future::Future>(
    a: A,
    b: B,
) -> (A::Output, B::Output) {
    tokio::join!(a, b)
}

#[tokio::test]
async fn without_a_session_the_api_answers_401_with_the_flows_url() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let response = app
        .client
        .post(format!("{}/api/appointments", app.address))
        .json(&appointment_json("x"))
        .send()
        .await
        .unwrap();
    let body = error_of(response, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body.error, "authorization_required");
    assert_eq!(body.details["flowsUrl"], "/api/auth/flows");
}

#[tokio::test]
async fn a_token_exchange_rejects_is_forgotten_and_reported_as_401() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    app.authorizer.set_token("revoked-token");
    let response = app
        .post("/api/appointments")
        .json(&appointment_json("x"))
        .send()
        .await
        .unwrap();
    let body = error_of(response, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body.error, "authorization_required");
    assert_eq!(
        app.authorizer
            .rejected
            .load(std::sync::atomic::Ordering::SeqCst),
        1
    );
    // The token never reaches the browser.
    assert!(
        !serde_json::to_string(&body)
            .unwrap()
            .contains("revoked-token")
    );
}

#[tokio::test]
async fn mailboxes_are_separate() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    app.post("/api/appointments")
        .json(&appointment_json("Alice's"))
        .send()
        .await
        .unwrap();
    app.authorizer.set_token(BOB_TOKEN);
    let listed: Page<Appointment> = app
        .get(&format!("/api/appointments?{DECEMBER}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let listed = listed.items;
    assert!(listed.is_empty(), "Bob sees Alice's calendar: {listed:?}");
    assert_eq!(
        (
            app.stored(ALICE, "calendar").await,
            app.stored(BOB, "calendar").await
        ),
        (1, 0)
    );
}

#[tokio::test]
async fn items_survive_a_restart() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let created: Appointment = app
        .post("/api/appointments")
        .json(&appointment_json("Persistent"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let task: Task = app
        .post("/api/tasks")
        .json(&json!({"subject": "Kept"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    app.stop().await;

    let app = harness.spawn().await;
    let listed: Page<Appointment> = app
        .get(&format!("/api/appointments?{DECEMBER}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let listed = listed.items;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, created.id);
    let tasks: Page<Task> = app
        .get("/api/tasks")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tasks = tasks.items;
    assert_eq!(
        tasks.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
        [task.id.as_str()]
    );
}

#[tokio::test]
async fn healthz_answers_ok() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let response = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn cors_allows_configured_origins_only() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let preflight = |origin: &'static str| {
        app.client
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/api/appointments", app.address),
            )
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "authorization,content-type,idempotency-key",
            )
            .send()
    };
    let allowed = preflight("http://localhost:5173").await.unwrap();
    let exposed = app
        .client
        .get(format!("{}/api/tasks", app.address))
        .header("Origin", "http://localhost:5173")
        .bearer_auth("session-handle")
        .send()
        .await
        .unwrap();
    let exposed = exposed.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        exposed.contains("retry-after") && exposed.contains("idempotent-replayed"),
        "{exposed}"
    );
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "http://localhost:5173"
    );
    let refused = preflight("https://evil.example").await.unwrap();
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}
