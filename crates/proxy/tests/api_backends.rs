//! The same JSON API flows through each mailbox backend, against the sandbox's two front ends
//! over one store: EWS (SOAP) and Microsoft Graph (REST). What one backend creates, the other
//! reads back — the store is shared, so the two protocols agree on every field they both carry.

mod common;

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
        let page: Page<Appointment> = app
            .get(&format!("/api/appointments?{DECEMBER}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
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
        let tasks: Page<Task> = app
            .get("/api/tasks")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
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
