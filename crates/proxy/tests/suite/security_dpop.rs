//! A session handle copied out of the page (an injected script, an extension, a shared
//! computer) is useless without the widget's non-exportable key: each attack replays the
//! handle through the real JSON API the way such a thief could, and must get 401.

use crate::auth_support;

use auth_support::*;
use proxy::auth::clock::Clock as _;
use reqwest::{Method, StatusCode};
use tempfile::TempDir;

const TASKS: &str = "/api/tasks";

async fn signed_in(dir: &TempDir) -> (TestApp, String) {
    let app = spawn(dir).await;
    let handle = app.sign_in(ORIGIN_A, "alice@sandbox.test").await;
    assert_eq!(
        app.list_tasks(ORIGIN_A, &handle).await.status(),
        StatusCode::OK,
        "the browser holding the key may use its session"
    );
    (app, handle)
}

/// `GET /api/tasks` with the stolen handle and whatever proof the thief can make.
async fn replay(app: &TestApp, handle: &str, proof: Option<String>) -> reqwest::Response {
    let mut request = app
        .from(ORIGIN_A, Method::GET, TASKS)
        .header("Authorization", format!("DPoP {handle}"));
    if let Some(proof) = proof {
        request = request.header("DPoP", proof);
    }
    request.send().await.expect("request")
}

async fn assert_refused(response: reqwest::Response, what: &str) {
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{what}");
    let body = json(response).await;
    assert_eq!(body["error"], "authorization_required", "{what}: {body}");
}

#[tokio::test]
async fn a_stolen_handle_without_a_proof_is_refused() {
    let dir = TempDir::new().unwrap();
    let (app, handle) = signed_in(&dir).await;
    assert_refused(replay(&app, &handle, None).await, "no proof").await;
    let as_bearer = app
        .from(ORIGIN_A, Method::GET, TASKS)
        .bearer_auth(&handle)
        .send()
        .await
        .unwrap();
    assert_refused(as_bearer, "as a bearer token").await;
}

#[tokio::test]
async fn a_stolen_handle_with_the_thiefs_own_key_is_refused() {
    let dir = TempDir::new().unwrap();
    let (app, handle) = signed_in(&dir).await;
    let thief = new_key();
    let iat = app.clock.now().timestamp();
    let proof = dpop_proof(&thief, &Method::GET, &app.url(TASKS), iat, Some(&handle));
    assert_refused(replay(&app, &handle, Some(proof)).await, "another key").await;
}

#[tokio::test]
async fn a_replayed_proof_is_refused() {
    let dir = TempDir::new().unwrap();
    let (app, handle) = signed_in(&dir).await;
    // A proof the page sent (and the thief captured) works once: for the page.
    let captured = app.proof(&Method::GET, TASKS, Some(&handle));
    assert_eq!(
        replay(&app, &handle, Some(captured.clone())).await.status(),
        StatusCode::OK
    );
    assert_refused(replay(&app, &handle, Some(captured)).await, "replayed").await;
}

#[tokio::test]
async fn a_proof_for_another_request_is_refused() {
    let dir = TempDir::new().unwrap();
    let (app, handle) = signed_in(&dir).await;
    // Captured from a list request, replayed to create something.
    let for_list = app.proof(&Method::GET, TASKS, Some(&handle));
    let created = app
        .from(ORIGIN_A, Method::POST, TASKS)
        .header("Authorization", format!("DPoP {handle}"))
        .header("DPoP", for_list)
        .header("Content-Type", "application/json")
        .body(r#"{"subject":"planted"}"#)
        .send()
        .await
        .unwrap();
    assert_refused(created, "other method").await;
    let for_appointments = app.proof(&Method::GET, "/api/appointments", Some(&handle));
    assert_refused(
        replay(&app, &handle, Some(for_appointments)).await,
        "other URL",
    )
    .await;
    // A proof made for another handle (the thief's own session) does not carry this one.
    let other = app.proof(&Method::GET, TASKS, Some(&"B".repeat(43)));
    assert_refused(replay(&app, &handle, Some(other)).await, "other handle").await;
}

#[tokio::test]
async fn an_old_proof_is_refused() {
    let dir = TempDir::new().unwrap();
    let (app, handle) = signed_in(&dir).await;
    let iat = app.clock.now().timestamp() - 300;
    let stale = dpop_proof(&app.key, &Method::GET, &app.url(TASKS), iat, Some(&handle));
    assert_refused(replay(&app, &handle, Some(stale)).await, "five minutes old").await;
}

#[tokio::test]
async fn a_flow_cannot_start_without_a_proof_of_a_key() {
    let dir = TempDir::new().unwrap();
    let app = spawn(&dir).await;
    let (_, body) = app.new_flow_body(None);
    let unsigned = app
        .from(ORIGIN_A, Method::POST, "/api/auth/flows")
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_refused(unsigned, "flow start without a proof").await;
}

#[tokio::test]
async fn a_proof_for_the_proxy_under_its_loopback_name_is_accepted_and_no_other_host() {
    let dir = TempDir::new().unwrap();
    let (app, handle) = signed_in(&dir).await;
    let port = app.base.rsplit(':').next().unwrap().to_owned();
    let iat = app.clock.now().timestamp();
    let send = |htu_host: &str| {
        let url = format!("http://localhost:{port}{TASKS}");
        let htu = format!("http://{htu_host}:{port}{TASKS}");
        let proof = dpop_proof(&app.key, &Method::GET, &htu, iat, Some(&handle));
        app.client
            .get(url)
            .header("Origin", ORIGIN_A)
            .header("Authorization", format!("DPoP {handle}"))
            .header("DPoP", proof)
            .send()
    };
    // The page reached the proxy as localhost (its public URL says 127.0.0.1): same proxy.
    assert_eq!(send("localhost").await.unwrap().status(), StatusCode::OK);
    // A proof made for another server is still refused.
    assert_refused(send("evil.example").await.unwrap(), "another host").await;
}
