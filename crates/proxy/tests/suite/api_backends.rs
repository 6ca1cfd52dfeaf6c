//! The same JSON API flows through each mailbox backend, against the sandbox's two front ends
//! over one store: EWS (SOAP) and Microsoft Graph (REST). What one backend creates, the other
//! reads back — the store is shared, so the two protocols agree on every field they both carry.

use crate::common;

use std::path::Path;

use common::*;
use model::{Appointment, Page, Task, TaskStatus};
use proxy::config::{Config, ConfigLayer};
use reqwest::StatusCode;
use serde_json::json;

async fn spawn_with_backend(harness: &Harness, backend: &str) -> TestApp {
    let options = harness.options();
    let choice =
        ConfigLayer::from_toml(&format!("backend = \"{backend}\"\n"), Path::new("b.toml")).unwrap();
    let config = Config::resolve([config_layer(&options), choice]).unwrap();
    assert_eq!(config.backend.as_str(), backend);
    let app = spawn_configured(config, options).await;
    assert_eq!(app.state.mailbox.name(), backend);
    app
}

#[tokio::test]
async fn appointments_and_tasks_round_trip_through_both_backends_over_one_mailbox() {
    let harness = Harness::new().await;
    for (backend, subject) in [("ews", "Made over EWS"), ("graph", "Made over Graph")] {
        let app = spawn_with_backend(&harness, backend).await;
        let created = app
            .post("/api/appointments")
            .json(&appointment_json(subject))
            .send()
            .await
            .unwrap();
        assert_eq!(
            created.status(),
            StatusCode::CREATED,
            "{backend}: {:?}",
            created.text().await
        );
        let task = app
            .post("/api/tasks")
            .json(&json!({"subject": subject, "dueDate": "2026-12-04", "status": "InProgress", "body": "notes"}))
            .send()
            .await
            .unwrap();
        assert_eq!(task.status(), StatusCode::CREATED, "{backend}");
        app.stop().await;
    }
    // Each backend sees both items, whichever protocol made them.
    for backend in ["ews", "graph"] {
        let app = spawn_with_backend(&harness, backend).await;
        let page: Page<Appointment> = app.get_json(&format!("/api/appointments?{DECEMBER}")).await;
        let mut subjects: Vec<&str> = page.items.iter().map(|a| a.subject.as_str()).collect();
        subjects.sort();
        assert_eq!(subjects, ["Made over EWS", "Made over Graph"], "{backend}");
        for appointment in &page.items {
            assert_eq!(
                appointment.start.to_rfc3339(),
                "2026-12-01T08:00:00+00:00",
                "{backend}"
            );
            assert_eq!(appointment.location, "Room 4.12", "{backend}");
        }
        let tasks: Page<Task> = app.get_json("/api/tasks").await;
        assert_eq!(tasks.items.len(), 2, "{backend}");
        for task in &tasks.items {
            assert_eq!(task.status, TaskStatus::InProgress, "{backend}");
            assert_eq!(
                task.due_date.map(|d| d.to_string()).as_deref(),
                Some("2026-12-04"),
                "{backend}"
            );
        }
        app.stop().await;
    }
    assert_eq!(
        (
            harness_count(&harness, "calendar").await,
            harness_count(&harness, "tasks").await
        ),
        (2, 2),
        "nothing created twice"
    );
}

/// Items in Alice's folder, read through a fresh EWS app on the same data directory.
async fn harness_count(harness: &Harness, folder: &str) -> u32 {
    let app = spawn_with_backend(harness, "ews").await;
    let count = app.stored(ALICE, folder).await;
    app.stop().await;
    count
}

fn with_version(request: reqwest::RequestBuilder, version: &str) -> reqwest::RequestBuilder {
    request.header("if-match", format!("\"{version}\""))
}

#[tokio::test]
async fn edits_conflicts_deletes_and_answers_behave_alike_on_both_backends() {
    for backend in ["ews", "graph"] {
        let harness = Harness::new().await;
        let app = spawn_with_backend(&harness, backend).await;
        // A meeting with Bob, edited from the version Alice saw; a second edit from the same
        // (now stale) version is a conflict.
        let mut draft = appointment_json("Planning");
        draft["requiredAttendees"] = json!([BOB]);
        let created: Appointment = app
            .post("/api/appointments")
            .json(&draft)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let path = item_path("appointments", &created.id);
        draft["subject"] = json!("Planning (moved)");
        let put = |body: &serde_json::Value, version: &str| {
            with_version(
                app.client
                    .put(format!("{}{path}", app.address))
                    .bearer_auth("h"),
                version,
            )
            .json(body)
        };
        let first = put(&draft, &created.change_key).send().await.unwrap();
        assert_eq!(
            first.status(),
            StatusCode::OK,
            "{backend}: {:?}",
            first.text().await
        );
        let second = put(&draft, &created.change_key).send().await.unwrap();
        assert_eq!(second.status(), StatusCode::CONFLICT, "{backend}");
        let read: Appointment = app.get_json(&path).await;
        assert_eq!(read.subject, "Planning (moved)", "{backend}");
        assert_eq!(read.required_attendees.len(), 1, "{backend}");

        // Bob declines with a note; Alice sees his answer.
        app.authorizer.set_token(BOB_TOKEN);
        let bobs: Page<Appointment> = app.get_json(&format!("/api/appointments?{DECEMBER}")).await;
        assert_eq!(bobs.items.len(), 1, "{backend}: Bob was invited");
        let bobs_copy = &bobs.items[0];
        let reply = with_version(
            app.post(&format!(
                "{}/reply",
                item_path("appointments", &bobs_copy.id)
            )),
            &bobs_copy.change_key,
        )
        .json(&json!({"reply": "decline", "message": "Away that day."}))
        .send()
        .await
        .unwrap();
        assert_eq!(
            reply.status(),
            StatusCode::NO_CONTENT,
            "{backend}: {:?}",
            reply.text().await
        );
        app.authorizer.set_token(ALICE_TOKEN);
        let read: Appointment = app.get_json(&path).await;
        assert_eq!(
            read.required_attendees[0].response,
            model::ResponseStatus::Declined,
            "{backend}"
        );

        // A task completed from the list, then deleted.
        let task: Task = app
            .post("/api/tasks")
            .json(&json!({"subject": "Send minutes", "status": "NotStarted"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let task_path = item_path("tasks", &task.id);
        let done = with_version(
            app.client
                .put(format!("{}{task_path}", app.address))
                .bearer_auth("h"),
            &task.change_key,
        )
        .json(&json!({"subject": "Send minutes", "status": "Completed"}))
        .send()
        .await
        .unwrap();
        assert_eq!(
            done.status(),
            StatusCode::OK,
            "{backend}: {:?}",
            done.text().await
        );
        let open = app.get("/api/tasks?show=open").send().await.unwrap();
        let open: Page<Task> = match open.status() {
            StatusCode::OK => open.json().await.unwrap(),
            status => panic!("{backend}: {status} {:?}", open.text().await),
        };
        assert!(
            open.items.is_empty(),
            "{backend}: completed tasks are not open"
        );
        let delete = app
            .client
            .delete(format!("{}{task_path}", app.address))
            .bearer_auth("h")
            .header("if-match", "*")
            .send()
            .await
            .unwrap();
        assert_eq!(delete.status(), StatusCode::NO_CONTENT, "{backend}");
        assert_eq!(app.stored(ALICE, "tasks").await, 0, "{backend}");
        app.stop().await;
    }
}
