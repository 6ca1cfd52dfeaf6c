//! The EWS client against a misbehaving Exchange (issue 3): throttling is waited out within
//! the budget, and a CreateItem whose outcome was lost never creates a second item.

use crate::common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::faults::{Fault, Injector, assert_schema_valid};
use common::*;
use model::{ApiErrorBody, Appointment, Task};
use reqwest::StatusCode;
use serde_json::json;

/// The proxy with its EWS client pointed at a fault injector in front of its own sandbox.
async fn app_behind_injector(
    harness: &Harness,
    budget_seconds: u64,
    timeout_seconds: u64,
) -> (TestApp, Arc<Injector>) {
    app_behind_injector_with(harness, budget_seconds, timeout_seconds, |_| {}).await
}

async fn app_behind_injector_with(
    harness: &Harness,
    budget_seconds: u64,
    timeout_seconds: u64,
    tweak: impl FnOnce(&mut Options),
) -> (TestApp, Arc<Injector>) {
    let (injector, addr) = Injector::spawn().await;
    let mut options = harness.options();
    options.ews_endpoint = Some(format!("http://{addr}/EWS/Exchange.asmx"));
    options.retry_budget_seconds = budget_seconds;
    options.timeout_seconds = timeout_seconds;
    tweak(&mut options);
    let app = spawn_app(options).await;
    injector.set_upstream(format!("{}/sandbox/ews/Exchange.asmx", app.address));
    (app, injector)
}

async fn create(app: &TestApp, subject: &str) -> reqwest::Response {
    app.post("/api/appointments")
        .json(&appointment_json(subject))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn http_503_with_retry_after_is_waited_out() {
    let harness = Harness::new().await;
    let (app, injector) = app_behind_injector(&harness, 30, 5).await;
    injector.push(
        "CreateItem",
        Fault::Status {
            status: 503,
            retry_after: Some("1".into()),
        },
    );
    let started = Instant::now();
    let response = create(&app, "After 503").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "did not wait as told"
    );
    assert_eq!(injector.operations(), ["CreateItem", "CreateItem"]);
    assert_eq!(app.stored(ALICE, "calendar").await, 1);
}

#[tokio::test]
async fn server_busy_back_off_is_honoured_for_faults_and_messages() {
    let harness = Harness::new().await;
    let (app, injector) = app_behind_injector(&harness, 30, 5).await;
    injector.push("CreateItem", Fault::ServerBusyHttp500 { back_off_ms: 300 });
    injector.push("CreateItem", Fault::ServerBusyMessage { back_off_ms: 200 });
    injector.push(
        "FindItem",
        Fault::Status {
            status: 429,
            retry_after: Some("0".into()),
        },
    );
    let started = Instant::now();
    let created: Appointment = create(&app, "After busy").await.json().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(500));
    // Throttled requests were not run, so no duplicate check was needed.
    assert_eq!(
        injector.operations(),
        ["CreateItem", "CreateItem", "CreateItem"]
    );
    let listed: model::Page<Appointment> = app
        .get(&format!("/api/appointments?{DECEMBER}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let listed = listed.items;
    assert_eq!(
        listed.iter().map(|a| &a.id).collect::<Vec<_>>(),
        [&created.id]
    );
    assert_eq!(
        injector
            .operations()
            .iter()
            .filter(|o| *o == "FindItem")
            .count(),
        2,
        "the 429'd read was retried"
    );
}

#[tokio::test]
async fn a_create_whose_answer_was_lost_is_found_not_repeated() {
    let harness = Harness::new().await;
    let (app, injector) = app_behind_injector(&harness, 30, 5).await;
    injector.push("CreateItem", Fault::ForwardThenDrop);
    let response = create(&app, "Dropped answer").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Appointment = response.json().await.unwrap();
    assert_eq!(
        app.stored(ALICE, "calendar").await,
        1,
        "exactly one item exists"
    );
    // The lookup went by the client request id stamped on the item; no second CreateItem.
    assert_eq!(injector.operations(), ["CreateItem", "FindItem"]);
    let listed: model::Page<Appointment> = app
        .get(&format!("/api/appointments?{DECEMBER}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let listed = listed.items;
    assert_eq!(listed[0].id, created.id);
    assert_eq!(listed[0].change_key, created.change_key);
}

#[tokio::test]
async fn a_create_that_timed_out_or_hit_a_bad_gateway_is_not_duplicated() {
    let harness = Harness::new().await;
    let (app, injector) = app_behind_injector(&harness, 30, 1).await;
    injector.push(
        "CreateItem",
        Fault::ForwardThenStall(Duration::from_secs(3)),
    );
    assert_eq!(
        create(&app, "Timed out").await.status(),
        StatusCode::CREATED
    );
    injector.push("CreateItem", Fault::ForwardThenBadGateway);
    let task = app
        .post("/api/tasks")
        .json(&json!({"subject": "Behind a gateway"}))
        .send()
        .await
        .unwrap();
    assert_eq!(task.status(), StatusCode::CREATED);
    assert_eq!(
        (
            app.stored(ALICE, "calendar").await,
            app.stored(ALICE, "tasks").await
        ),
        (1, 1)
    );
    assert_eq!(
        injector
            .operations()
            .iter()
            .filter(|o| *o == "CreateItem")
            .count(),
        2
    );
}

#[tokio::test]
async fn a_create_that_never_reached_exchange_is_created_once() {
    let harness = Harness::new().await;
    let (app, injector) = app_behind_injector(&harness, 30, 5).await;
    injector.push("CreateItem", Fault::DropBeforeForwarding);
    assert_eq!(
        create(&app, "Second try").await.status(),
        StatusCode::CREATED
    );
    assert_eq!(app.stored(ALICE, "calendar").await, 1);
}

#[tokio::test]
async fn throttling_beyond_the_budget_is_a_clear_503() {
    let harness = Harness::new().await;
    let (app, injector) = app_behind_injector(&harness, 30, 5).await;
    injector.push(
        "CreateItem",
        Fault::ServerBusyHttp500 {
            back_off_ms: 60_000,
        },
    );
    let started = Instant::now();
    let response = create(&app, "Too busy").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], "60");
    let body: ApiErrorBody = response.json().await.unwrap();
    assert_eq!(body.error, "exchange_busy");
    assert_eq!(body.message, "Exchange is busy, retry in 60 s.");
    assert_eq!(body.details["retryAfterSeconds"], 60);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "gave up at once instead of waiting 60 s"
    );
    assert_eq!(app.stored(ALICE, "calendar").await, 0);

    // Repeated short throttling: waits until the budget is spent, then reports.
    let (app, injector) = app_behind_injector(&harness, 5, 5).await;
    for _ in 0..5 {
        injector.push(
            "FindItem",
            Fault::Status {
                status: 429,
                retry_after: Some("2".into()),
            },
        );
    }
    let response = app
        .get(&format!("/api/appointments?{DECEMBER}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: ApiErrorBody = response.json().await.unwrap();
    assert_eq!(body.details["retryAfterSeconds"], 2);
    assert_eq!(
        injector.operations().len(),
        3,
        "first try + two retries of 2 s; a third wait would end after the 5 s budget"
    );
}

#[tokio::test]
async fn an_idempotency_key_replay_after_a_lost_answer_finds_the_item() {
    let harness = Harness::new().await;
    // No retry budget: the lost answer surfaces as an error, as after a proxy crash.
    let (app, injector) = app_behind_injector(&harness, 0, 5).await;
    injector.push("CreateItem", Fault::ForwardThenDrop);
    let key = "0d5e8c52-7f7a-4a63-9b0e-1c2d3e4f5a6b";
    let send = || {
        app.post("/api/tasks")
            .header("Idempotency-Key", key)
            .json(&json!({"subject": "Exactly once"}))
    };
    let first = send().send().await.unwrap();
    assert_eq!(first.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(
        app.stored(ALICE, "tasks").await,
        1,
        "the first attempt did create it"
    );

    let replay = send().send().await.unwrap();
    assert_eq!(replay.status(), StatusCode::CREATED);
    let task: Task = replay.json().await.unwrap();
    assert_eq!(
        app.stored(ALICE, "tasks").await,
        1,
        "the replay found it instead of creating another"
    );
    assert_eq!(injector.operations(), ["CreateItem", "FindItem"]);
    let listed: model::Page<Task> = app
        .get("/api/tasks")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let listed = listed.items;
    assert_eq!(listed[0].id, task.id);
}

#[tokio::test]
async fn every_request_the_client_sends_is_schema_valid_and_hostile_text_round_trips() {
    let harness = Harness::new().await;
    let (app, injector) = app_behind_injector(&harness, 30, 5).await;
    let hostile = "</t:Subject><t:Foo>]]> & <![CDATA[x]]> \"é✓\"";
    let mut draft = appointment_json(hostile);
    draft["location"] = json!("<Room & 'Board'>");
    draft["body"] = json!("line 1\nline 2 ]]> <script>");
    injector.push("CreateItem", Fault::ForwardThenDrop); // also exercises the lookup request
    let created: Appointment = app
        .post("/api/appointments")
        .json(&draft)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(created.subject, hostile);
    let listed: model::Page<Appointment> = app
        .get(&format!("/api/appointments?{DECEMBER}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let listed = listed.items;
    assert_eq!(listed[0].subject, hostile);
    assert_eq!(listed[0].location, "<Room & 'Board'>");
    let task =
        json!({"subject": hostile, "dueDate": "2026-12-24", "status": "Deferred", "body": "]]>"});
    let created: Task = app
        .post("/api/tasks")
        .json(&task)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tasks: model::Page<Task> = app
        .get("/api/tasks")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tasks = tasks.items;
    assert_eq!(tasks[0].subject, hostile);
    assert_eq!(tasks[0].id, created.id);

    let seen = injector.seen();
    assert_eq!(
        seen.iter()
            .map(|s| s.operation.as_str())
            .collect::<Vec<_>>(),
        [
            "CreateItem",
            "FindItem",
            "FindItem",
            "CreateItem",
            "FindItem"
        ]
    );
    for (index, request) in seen.iter().enumerate() {
        assert_schema_valid(
            &format!("request {index} ({})", request.operation),
            &request.body,
        );
    }
}

#[tokio::test]
async fn service_account_mode_impersonates_the_callers_verified_mailbox() {
    let harness = Harness::new().await;
    // The caller's sign-in verified dana@sandbox.test; the proxy signs in as the service
    // account (Basic: its credentials travel with each request, through the injector).
    let (app, injector) = app_behind_injector_with(&harness, 30, 5, |options| {
        options.authorizer = common::TestAuthorizer::new("dana@sandbox.test", ALICE_TOKEN);
        options.ews_extra = "auth = \"basic\"\nserver_version = \"Exchange2013\"\n\
             [ews.service_account]\nusername = \"svc@sandbox.test\"\npassword = \"pw-basic-1\"\n"
            .into();
        options.sandbox_extra = "impersonators = [\"svc@sandbox.test\"]\n\
             [[sandbox.service_accounts]]\nusername = \"svc@sandbox.test\"\npassword = \"pw-basic-1\"\n"
            .into();
    })
    .await;
    let response = app.get("/api/tasks").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let seen = injector.seen();
    let request = &seen[0];
    let head = request.head.to_ascii_lowercase();
    assert!(
        head.contains("x-anchormailbox: dana@sandbox.test"),
        "{}",
        request.head
    );
    assert!(head.contains("authorization: basic "), "{}", request.head);
    // The user's own token never travels in this mode.
    assert!(!request.head.contains(ALICE_TOKEN), "{}", request.head);
    assert!(
        request.body.contains("ExchangeImpersonation"),
        "{}",
        request.body
    );
    assert!(
        request.body.contains(">dana@sandbox.test</"),
        "{}",
        request.body
    );
    assert!(
        request.body.contains("Version=\"Exchange2013\""),
        "{}",
        request.body
    );
    assert_schema_valid("impersonated FindItem", &request.body);
}

#[tokio::test]
async fn an_internal_server_error_after_the_create_is_checked_before_retrying() {
    let harness = Harness::new().await;
    let (app, injector) = app_behind_injector(&harness, 30, 5).await;
    injector.push("CreateItem", Fault::ForwardThenTransientError);
    injector.push("FindItem", Fault::ServerBusyHttp500 { back_off_ms: 100 });
    let response = create(&app, "Transient").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(app.stored(ALICE, "calendar").await, 1);
    // The lookup was throttled once, retried, and found the item: no second CreateItem.
    assert_eq!(
        injector.operations(),
        ["CreateItem", "FindItem", "FindItem"]
    );
}
