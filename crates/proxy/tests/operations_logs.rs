//! The access log: one JSON line per request at info level with method, route template,
//! status, latency and request id, and never a code, state, session handle, flow id, token or
//! request body. Its own test binary: the subscriber is process-wide.

#[path = "suite/auth_support/mod.rs"]
mod auth_support;

use auth_support::Captured;
use reqwest::StatusCode;
use serde_json::Value;
use tempfile::TempDir;

#[tokio::test]
async fn one_access_line_per_request_without_secrets() {
    let logs = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .with_writer(logs.clone())
        .json()
        .flatten_event(true)
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let dir = TempDir::new().unwrap();
    let app = auth_support::spawn(&dir).await;
    let flow = app.start_flow(auth_support::ORIGIN_A).await;
    let state = auth_support::query_param(&flow.authorize_url, "state").unwrap();
    let callback = app.authorize(&flow.authorize_url, "alice", "allow").await;
    let code = auth_support::query_param(&callback, "code").unwrap();
    assert_eq!(app.follow(&callback).await.status(), StatusCode::OK);
    let status = auth_support::json(app.poll(auth_support::ORIGIN_A, &flow.id, 5).await).await;
    let handle = status["sessionHandle"].as_str().unwrap().to_owned();
    let created = app
        .create_task(auth_support::ORIGIN_A, &handle, "Secret subject 7731")
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let request_id = created.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();

    let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    let access: Vec<Value> = text
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["target"] == "access")
        .collect();
    let create_line = access
        .iter()
        .find(|line| line["request_id"] == request_id.as_str())
        .unwrap_or_else(|| panic!("no access line for the create:\n{text}"));
    assert_eq!(create_line["level"], "INFO");
    assert_eq!(create_line["method"], "POST");
    assert_eq!(create_line["route"], "/api/tasks");
    assert_eq!(create_line["status"], 201);
    assert!(create_line["latency_ms"].as_f64().unwrap() > 0.0);
    assert!(
        access
            .iter()
            .any(|line| line["route"] == "/auth/callback" && line["method"] == "GET"),
        "{text}"
    );
    for (what, secret) in [
        ("code", code.as_str()),
        ("state", state.as_str()),
        ("session handle", handle.as_str()),
        ("flow id", flow.id.as_str()),
        ("request body", "Secret subject 7731"),
    ] {
        assert!(!text.contains(secret), "the {what} was logged:\n{text}");
    }
    assert!(!text.contains("Bearer "), "a token was logged:\n{text}");
}
