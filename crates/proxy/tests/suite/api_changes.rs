//! Changing what exists through the JSON API: reading one item, editing it with its version
//! (a concurrent change is a conflict the user resolves), deleting, cancelling a meeting and
//! answering an invitation — HTTP -> proxy -> EWS -> sandbox mailbox.

use crate::common;

use common::mailbox::{create, december_view, get, meeting};
use common::*;
use ews::types::{Attendee, ResponseType, SendMeetingInvitations};
use model::{ApiErrorBody, Appointment, Page, Task, TaskStatus};
use reqwest::StatusCode;
use serde_json::json;

fn put(app: &TestApp, path: &str, if_match: Option<&str>) -> reqwest::RequestBuilder {
    let request = app
        .client
        .put(format!("{}{path}", app.address))
        .bearer_auth("session-handle");
    match if_match {
        Some(tag) => request.header("if-match", tag),
        None => request,
    }
}

fn delete(app: &TestApp, path: &str, if_match: &str) -> reqwest::RequestBuilder {
    app.client
        .delete(format!("{}{path}", app.address))
        .bearer_auth("session-handle")
        .header("if-match", if_match)
}

/// The JSON answer of a request that must succeed.
async fn fetch<T: serde::de::DeserializeOwned>(request: reqwest::RequestBuilder) -> T {
    let response = request.send().await.unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.unwrap()
}

async fn error_of(response: reqwest::Response) -> (StatusCode, ApiErrorBody) {
    (response.status(), response.json().await.unwrap())
}

#[tokio::test]
async fn an_edit_needs_the_current_version_and_a_stale_one_is_a_conflict_to_resolve() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let created: Appointment = fetch(
        app.post("/api/appointments")
            .json(&appointment_json("Design review")),
    )
    .await;
    let path = item_path("appointments", &created.id);

    let read = app.get(&path).send().await.unwrap();
    assert_eq!(read.status(), StatusCode::OK);
    assert_eq!(
        read.headers()["etag"].to_str().unwrap(),
        format!("\"{}\"", created.change_key)
    );
    let read: Appointment = read.json().await.unwrap();
    assert_eq!(read.subject, "Design review");
    assert_eq!(read.body, "Agenda: <b>budget</b> & \"risks\"");

    // Moved by an hour and renamed, from the version the user saw.
    let mut edit = appointment_json("Design review (moved)");
    edit["start"] = json!("2026-12-01T10:00");
    edit["end"] = json!("2026-12-01T11:30");
    edit["location"] = json!("");
    let seen = format!("\"{}\"", created.change_key);
    let response = put(&app, &path, Some(&seen))
        .json(&edit)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let updated: Appointment = response.json().await.unwrap();
    assert_eq!(updated.subject, "Design review (moved)");
    assert_eq!(updated.start.to_rfc3339(), "2026-12-01T09:00:00+00:00");
    assert_ne!(updated.change_key, created.change_key);
    assert_eq!(etag, format!("\"{}\"", updated.change_key));
    let listed: Page<Appointment> = fetch(app.get(&format!("/api/appointments?{DECEMBER}"))).await;
    assert_eq!(listed.items.len(), 1, "edited in place, not copied");
    assert_eq!(listed.items[0].subject, "Design review (moved)");
    assert_eq!(listed.items[0].location, "", "a cleared field is cleared");

    // Someone else's tab still holds the first version: its save is refused, nothing lost.
    let mut other = appointment_json("Design review (other tab)");
    other["body"] = json!("kept");
    let (status, error) = error_of(
        put(&app, &path, Some(&seen))
            .json(&other)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error.error, "conflict");
    assert!(
        error.message.contains("changed since you opened it"),
        "{}",
        error.message
    );
    let now: Appointment = fetch(app.get(&path)).await;
    assert_eq!(now.subject, "Design review (moved)");

    // The user chose to overwrite.
    let response = put(&app, &path, Some("*"))
        .json(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let now: Appointment = fetch(app.get(&path)).await;
    assert_eq!(
        (now.subject.as_str(), now.body.as_str()),
        ("Design review (other tab)", "kept")
    );

    // No version at all, or a garbled one: refused before Exchange is asked.
    let (status, error) = error_of(put(&app, &path, None).json(&other).send().await.unwrap()).await;
    assert_eq!(
        (status, error.error.as_str()),
        (StatusCode::PRECONDITION_REQUIRED, "precondition_required")
    );
    let (status, error) = error_of(
        put(&app, &path, Some("no-quotes"))
            .json(&other)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, error.error.as_str()),
        (StatusCode::BAD_REQUEST, "malformed_request")
    );
    // An invalid edit names its field, as a create does.
    let mut invalid = other.clone();
    invalid["end"] = json!("2026-12-01T08:00");
    let (status, error) = error_of(
        put(&app, &path, Some("*"))
            .json(&invalid)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error.fields.contains_key("end"), "{error:?}");
    app.stop().await;
}

#[tokio::test]
async fn deleting_checks_the_version_and_the_item_is_gone_afterwards() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let created: Appointment = fetch(
        app.post("/api/appointments")
            .json(&appointment_json("Dentist")),
    )
    .await;
    let path = item_path("appointments", &created.id);
    let renamed = put(&app, &path, Some("*"))
        .json(&appointment_json("Dentist (renamed elsewhere)"))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.status(), StatusCode::OK);

    let stale = format!("\"{}\"", created.change_key);
    let (status, _) = error_of(delete(&app, &path, &stale).send().await.unwrap()).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a changed item is not deleted unseen"
    );
    assert_eq!(app.stored(ALICE, "calendar").await, 1);

    let response = delete(&app, &path, "*").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.stored(ALICE, "calendar").await, 0);
    let (status, error) = error_of(app.get(&path).send().await.unwrap()).await;
    assert_eq!(
        (status, error.error.as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    app.stop().await;
}

#[tokio::test]
async fn a_task_is_completed_edited_and_deleted_from_the_list() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let task: Task = fetch(app
        .post("/api/tasks")
        .json(&json!({"subject": "File expenses", "dueDate": "2026-12-04", "status": "InProgress", "body": "receipts"}))).await;
    let path = item_path("tasks", &task.id);
    // "Mark complete" sends the task as listed with the new status and its version.
    let complete = json!({"subject": task.subject, "dueDate": "2026-12-04", "status": "Completed", "body": task.body});
    let response = put(&app, &path, Some(&format!("\"{}\"", task.change_key)))
        .json(&complete)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let done: Task = response.json().await.unwrap();
    assert_eq!(done.status, TaskStatus::Completed);
    let listed: Page<Task> = fetch(app.get("/api/tasks")).await;
    assert_eq!(listed.items.len(), 1);
    assert_eq!(listed.items[0].status, TaskStatus::Completed);
    assert_eq!(listed.items[0].due_date, task.due_date);
    let read: Task = fetch(app.get(&path)).await;
    assert_eq!(
        (read.status, read.body.as_str()),
        (TaskStatus::Completed, "receipts")
    );

    // The version from before completing is stale now.
    let (status, _) = error_of(
        put(&app, &path, Some(&format!("\"{}\"", task.change_key)))
            .json(&complete)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let response = delete(&app, &path, &format!("\"{}\"", done.change_key))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.stored(ALICE, "tasks").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn an_invitee_declines_with_a_message_and_the_organiser_cancels() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let mut invite = meeting("Quarterly planning");
    invite.required_attendees = vec![Attendee::new(BOB)];
    let organizers = create(
        &app,
        ALICE_TOKEN,
        invite,
        SendMeetingInvitations::SendToAllAndSaveCopy,
    )
    .await;

    // Bob, through the API, reads his copy and declines it with a note.
    app.authorizer.set_token(BOB_TOKEN);
    let bobs: Page<Appointment> = fetch(app.get(&format!("/api/appointments?{DECEMBER}"))).await;
    assert_eq!(bobs.items.len(), 1);
    let bobs_copy = &bobs.items[0];
    let bobs_path = item_path("appointments", &bobs_copy.id);
    let reply = |tag: Option<String>, body: serde_json::Value| {
        let request = app.post(&format!("{bobs_path}/reply")).json(&body);
        match tag {
            Some(tag) => request.header("if-match", tag),
            None => request,
        }
    };
    let (status, error) = error_of(
        reply(Some("*".into()), json!({"reply": "maybe"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error.fields.contains_key("reply"));
    let (status, _) = error_of(
        reply(None, json!({"reply": "decline"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::PRECONDITION_REQUIRED);
    let response = reply(
        Some(format!("\"{}\"", bobs_copy.change_key)),
        json!({"reply": "decline", "message": "On leave that week."}),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::NO_CONTENT,
        "{:?}",
        response.text().await
    );
    assert!(
        december_view(&app, BOB_TOKEN).await.is_empty(),
        "a declined meeting leaves Bob's calendar"
    );
    let organizer_copy = get(&app, ALICE_TOKEN, &organizers).await.unwrap();
    let bob = organizer_copy
        .required_attendees
        .iter()
        .find(|a| a.mailbox.email_address.as_deref() == Some(BOB))
        .unwrap();
    assert_eq!(bob.response_type, Some(ResponseType::Decline));

    // Alice cannot answer her own meeting, Bob cannot cancel it; Alice cancels with a note.
    app.authorizer.set_token(ALICE_TOKEN);
    let alices_path = item_path("appointments", &organizers.id);
    let own = app
        .post(&format!("{alices_path}/reply"))
        .header("if-match", "*")
        .json(&json!({"reply": "accept"}))
        .send()
        .await
        .unwrap();
    let (status, error) = error_of(own).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        error.message.contains("You organise this meeting"),
        "{}",
        error.message
    );
    let cancel = app
        .post(&format!("{alices_path}/cancel"))
        .header("if-match", "*")
        .json(&json!({"message": "Moved to January."}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        cancel.status(),
        StatusCode::NO_CONTENT,
        "{:?}",
        cancel.text().await
    );
    assert_eq!(app.stored(ALICE, "calendar").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn tasks_keep_their_details_and_list_by_status_and_due_date() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    for (subject, due, status) in [
        ("Later", "2026-12-20", "NotStarted"),
        ("Done", "2026-12-02", "Completed"),
        ("Soon", "2026-12-05", "InProgress"),
    ] {
        let response = app
            .post("/api/tasks")
            .json(&json!({
                "subject": subject, "dueDate": due, "status": status,
                "startDate": "2026-12-01", "percentComplete": "30", "importance": "high",
                "categories": ["Finance"], "reminderAt": "2026-12-01T08:00:00Z"
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED, "{subject}");
    }
    let open: Page<Task> = fetch(app.get("/api/tasks?show=open&sort=due")).await;
    let subjects: Vec<&str> = open.items.iter().map(|t| t.subject.as_str()).collect();
    assert_eq!(subjects, ["Soon", "Later"]);
    let soon = &open.items[0];
    assert_eq!(soon.percent_complete, 30);
    assert_eq!(
        soon.start_date.map(|d| d.to_string()).as_deref(),
        Some("2026-12-01")
    );
    assert_eq!(soon.importance, model::Importance::High);
    assert_eq!(soon.categories, ["Finance"]);
    assert_eq!(
        soon.reminder.map(|r| r.to_rfc3339()).as_deref(),
        Some("2026-12-01T08:00:00+00:00")
    );
    // Progress on a task not started made it in progress; completion made it 100%.
    assert_eq!(open.items[1].status, TaskStatus::InProgress);
    let done: Page<Task> = fetch(app.get("/api/tasks?show=completed")).await;
    assert_eq!(done.items.len(), 1);
    assert_eq!(
        (
            done.items[0].subject.as_str(),
            done.items[0].percent_complete
        ),
        ("Done", 100)
    );
    let bad = app.get("/api/tasks?show=someday").send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    app.stop().await;
}
