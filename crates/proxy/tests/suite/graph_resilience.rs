//! The JSON API with `backend = "graph"` against a misbehaving Graph: throttling is waited out
//! within the retry budget, and a create whose outcome was lost (timeout, gateway error, a
//! caller that gave up and replays its Idempotency-Key) never makes a second event or task.

use crate::common;
use crate::graph_support;

use std::time::{Duration, Instant};

use common::*;
use graph_support::fake::FakeGraph;
use graph_support::{
    Fault, GraphUpstream, Operation, create_task, error_of, setup, spawn_graph_app,
};
use model::{Appointment, Page, Task};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out() {
    let (_harness, graph, app) = setup(50).await;
    let throttled = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/graph_fixtures/throttling-429.response.json"),
    )
    .unwrap();
    graph.push(
        Operation::CreateEvent,
        Fault::Status {
            status: 429,
            retry_after: Some("1".into()),
            body: Some(throttled),
        },
    );
    graph.push(
        Operation::CalendarView,
        Fault::Status {
            status: 503,
            retry_after: Some("0".into()),
            body: None,
        },
    );
    let started = Instant::now();
    let response = app.create_appointment("After 429").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "did not wait as told"
    );
    // A 429 was not run: sent again without a lookup.
    assert_eq!(
        graph.operations(),
        [Operation::CreateEvent, Operation::CreateEvent]
    );
    assert_eq!(graph.events(), 1);
    let listed: Page<Appointment> = app.get_json(&format!("/api/appointments?{DECEMBER}")).await;
    assert_eq!(listed.items.len(), 1, "the 503'd read was retried");
}

#[tokio::test]
async fn throttling_longer_than_the_budget_answers_busy_at_once() {
    let harness = Harness::new().await;
    let graph = FakeGraph::spawn(50).await;
    let app = spawn_graph_app(&harness, graph.as_ref(), |o| o.retry_budget_seconds = 5).await;
    graph.push(
        Operation::CreateEvent,
        Fault::Status {
            status: 429,
            retry_after: Some("120".into()),
            body: None,
        },
    );
    let started = Instant::now();
    let (status, body) = error_of(app.create_appointment("Busy").await).await;
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body.error, "exchange_busy");
    assert_eq!(body.details["retryAfterSeconds"], 120);
    assert_eq!(graph.events(), 0);
}

#[tokio::test]
async fn a_create_whose_answer_was_lost_is_found_not_repeated() {
    let harness = Harness::new().await;
    let graph = FakeGraph::spawn(50).await;
    let app = spawn_graph_app(&harness, graph.as_ref(), |o| o.timeout_seconds = 1).await;
    // The event is created, but the answer never arrives in time.
    graph.push(
        Operation::CreateEvent,
        Fault::RunThenStall(Duration::from_secs(3)),
    );
    let response = app.create_appointment("Lost answer").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Appointment = response.json().await.unwrap();
    assert_eq!(graph.events(), 1, "exactly one event exists");
    assert_eq!(
        graph.operations(),
        [Operation::CreateEvent, Operation::FindEvent]
    );
    // A gateway's 502 after the event was made: the same.
    graph.push(Operation::CreateEvent, Fault::RunThenGatewayError(502));
    assert_eq!(
        app.create_appointment("Behind a gateway").await.status(),
        StatusCode::CREATED
    );
    assert_eq!(graph.events(), 2);
    let listed: Page<Appointment> = app.get_json(&format!("/api/appointments?{DECEMBER}")).await;
    assert_eq!(listed.items.len(), 2);
    assert!(listed.items.iter().any(|a| a.id == created.id));
}

#[tokio::test]
async fn a_replayed_idempotency_key_looks_before_creating() {
    let harness = Harness::new().await;
    let graph = FakeGraph::spawn(50).await;
    // Budget and timeout of a second: the first call gives up after the lost answer.
    let app = spawn_graph_app(&harness, graph.as_ref(), |o| {
        o.timeout_seconds = 1;
        o.retry_budget_seconds = 1;
    })
    .await;
    let send = |path: &'static str, body: serde_json::Value| {
        app.post(path)
            .header("Idempotency-Key", format!("key-{path}"))
            .json(&body)
            .send()
    };
    let task = json!({"subject": "Once", "dueDate": "", "status": "NotStarted", "body": ""});
    graph.push(
        Operation::CreateEvent,
        Fault::RunThenStall(Duration::from_secs(3)),
    );
    graph.push(
        Operation::CreateTask,
        Fault::RunThenStall(Duration::from_secs(3)),
    );
    let (first, _) = error_of(
        send("/api/appointments", appointment_json("Once"))
            .await
            .unwrap(),
    )
    .await;
    let (first_task, _) = error_of(send("/api/tasks", task.clone()).await.unwrap()).await;
    assert_eq!(
        (first, first_task),
        (StatusCode::BAD_GATEWAY, StatusCode::BAD_GATEWAY)
    );
    assert_eq!(
        (graph.events(), graph.tasks()),
        (1, 1),
        "both were made, unbeknownst to the caller"
    );

    // The widget replays with the same key: the proxy finds what the first call made.
    let again = send("/api/appointments", appointment_json("Once"))
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    let again_task = send("/api/tasks", task).await.unwrap();
    assert_eq!(again_task.status(), StatusCode::CREATED);
    assert_eq!(
        (graph.events(), graph.tasks()),
        (1, 1),
        "nothing was made twice"
    );
    assert_eq!(graph.count(Operation::CreateEvent), 1);
    assert_eq!(graph.count(Operation::CreateTask), 1);
    assert_eq!(graph.count(Operation::FindEvent), 1);
    assert_eq!(graph.count(Operation::FindTask), 1);
}

#[tokio::test]
async fn a_task_whose_answer_was_lost_is_found_not_repeated() {
    let (_harness, graph, app) = setup(50).await;
    graph.push(Operation::CreateTask, Fault::RunThenGatewayError(504));
    let response = create_task(
        &app,
        json!({"subject": "Lost task", "dueDate": "", "status": "InProgress", "body": ""}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let task: Task = response.json().await.unwrap();
    assert_eq!(
        (task.subject.as_str(), task.status),
        ("Lost task", model::TaskStatus::InProgress)
    );
    assert_eq!(graph.tasks(), 1, "exactly one task exists");
    assert_eq!(
        graph.operations(),
        [
            Operation::ListLists,
            Operation::CreateTask,
            Operation::FindTask
        ]
    );
}
