//! The authorization flow end to end over HTTP, against the built-in development authorization
//! server: first action needs a flow, the flow completes, later actions just work (also after
//! a restart), denial and the full-page (returnTo) fallback.

use crate::auth_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use auth_support::*;
use proxy::auth::clock::OffsetClock;
use reqwest::StatusCode;
use tempfile::TempDir;

#[tokio::test]
async fn first_action_needs_a_flow_then_actions_just_work() {
    let dir = TempDir::new().unwrap();
    let app = spawn(&dir).await;

    // Not signed in: the status says so, and an action answers 401 with where to start a flow.
    let status = json(app.auth_status(ORIGIN_A, None).await).await;
    assert_eq!(status["authorized"], false);
    let refused = app
        .from(ORIGIN_A, reqwest::Method::GET, "/api/tasks")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let body = json(refused).await;
    assert_eq!(body["error"], "authorization_required");
    assert_eq!(body["details"]["flowsUrl"], "/api/auth/flows");

    // The flow: start, sign in as Alice, allow; the callback page tells the opener and closes.
    let flow = app.start_flow(ORIGIN_A).await;
    let authorize = url::Url::parse(&flow.authorize_url).unwrap();
    let q = |k: &str| query_param(&flow.authorize_url, k);
    assert_eq!(authorize.path(), "/sandbox/oauth/authorize");
    assert_eq!(q("code_challenge_method").as_deref(), Some("S256"));
    assert_eq!(q("response_type").as_deref(), Some("code"));
    assert!(q("state").is_some_and(|s| s.len() >= 43), "256-bit state");
    assert!(q("scope").is_some_and(|s| s.split(' ').any(|x| x == "offline_access")));

    let pending = json(app.poll(ORIGIN_A, &flow.id, 0).await).await;
    assert_eq!(pending["status"], "pending");

    let callback = app
        .authorize(&flow.authorize_url, "alice@sandbox.test", "allow")
        .await;
    assert!(
        callback.starts_with(&app.url("/auth/callback?")),
        "{callback}"
    );
    let page = app.follow(&callback).await;
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("script-src 'nonce-"),
        "{csp}"
    );
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    let html = page.text().await.unwrap();
    assert!(
        html.contains("signed in — you can close this window"),
        "{html}"
    );
    assert!(
        html.contains("exchange-forms:auth") && html.contains(&flow.id),
        "{html}"
    );
    // postMessage goes to the exact embedding origin, never "*".
    assert!(html.contains(&format!("var t=\"{ORIGIN_A}\"")), "{html}");
    assert!(html.contains("window.close()"));

    // The creator collects the session handle exactly once.
    let done = json(app.poll(ORIGIN_A, &flow.id, 5).await).await;
    assert_eq!(done["status"], "done");
    assert_eq!(done["user"], "Alice Sandbox");
    let handle = done["sessionHandle"].as_str().expect("handle").to_owned();
    assert_eq!(handle.len(), 43, "256-bit handle, base64url");
    assert!(
        !html.contains(&handle),
        "the callback page never carries the handle"
    );
    let again = json(app.poll(ORIGIN_A, &flow.id, 0).await).await;
    assert_eq!(again["status"], "done");
    assert!(
        again.get("sessionHandle").is_none(),
        "handed out once: {again}"
    );

    let status = json(app.auth_status(ORIGIN_A, Some(&handle)).await).await;
    assert_eq!(
        status,
        serde_json::json!({"authorized": true, "user": "Alice Sandbox"})
    );

    // First action, then a second one: no new flow.
    let created = app.create_task(ORIGIN_A, &handle, "After sign-in").await;
    assert_eq!(
        created.status(),
        StatusCode::CREATED,
        "{}",
        created.text().await.unwrap()
    );
    let listed = app.list_tasks(ORIGIN_A, &handle).await;
    assert_eq!(listed.status(), StatusCode::OK);
    let tasks = json(listed).await;
    assert!(
        tasks["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["subject"] == "After sign-in"),
        "{tasks}"
    );
}

#[tokio::test]
async fn long_poll_wakes_as_soon_as_the_flow_completes() {
    let dir = TempDir::new().unwrap();
    let app = Arc::new(spawn(&dir).await);
    let flow = app.start_flow(ORIGIN_A).await;
    let poller = {
        let app = app.clone();
        let id = flow.id.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let body = json(app.poll(ORIGIN_A, &id, 25).await).await;
            (body, started.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let callback = app
        .authorize(&flow.authorize_url, "bob@sandbox.test", "allow")
        .await;
    app.follow(&callback).await;
    let (body, waited) = poller.await.unwrap();
    assert_eq!(body["status"], "done");
    assert!(body["sessionHandle"].is_string());
    assert!(
        waited < Duration::from_secs(15),
        "woken by completion, not the 25 s timeout: {waited:?}"
    );

    // A pending flow's long-poll returns "pending" after the requested wait.
    let other = app.start_flow(ORIGIN_A).await;
    let started = Instant::now();
    let body = json(app.poll(ORIGIN_A, &other.id, 1).await).await;
    assert_eq!(body["status"], "pending");
    assert!(started.elapsed() >= Duration::from_millis(900));
}

#[tokio::test]
async fn session_survives_a_proxy_restart() {
    let dir = TempDir::new().unwrap();
    let clock = Arc::new(OffsetClock::new());
    let (handle, key) = {
        let app = spawn_in(dir.path(), "", clock.clone()).await;
        let handle = app.sign_in(ORIGIN_A, "carol@sandbox.test").await;
        let created = app.create_task(ORIGIN_A, &handle, "Before restart").await;
        assert_eq!(created.status(), StatusCode::CREATED);
        (handle, app.key.clone())
        // Dropping the app stops the server.
    };
    let mut app = spawn_in(dir.path(), "", clock).await;
    // The same browser: its key is kept in IndexedDB across the restart.
    app.key = key;
    let status = json(app.auth_status(ORIGIN_A, Some(&handle)).await).await;
    assert_eq!(status["authorized"], true, "{status}");
    let created = app.create_task(ORIGIN_A, &handle, "After restart").await;
    assert_eq!(
        created.status(),
        StatusCode::CREATED,
        "{}",
        created.text().await.unwrap()
    );
    let tasks = json(app.list_tasks(ORIGIN_A, &handle).await).await;
    let subjects: Vec<_> = tasks["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["subject"].clone())
        .collect();
    assert!(
        subjects.contains(&"Before restart".into()) && subjects.contains(&"After restart".into())
    );
}

#[tokio::test]
async fn consent_denied_ends_the_flow_as_denied() {
    let dir = TempDir::new().unwrap();
    let app = spawn(&dir).await;
    let flow = app.start_flow(ORIGIN_A).await;
    let callback = app
        .authorize(&flow.authorize_url, "alice@sandbox.test", "deny")
        .await;
    assert_eq!(
        query_param(&callback, "error").as_deref(),
        Some("access_denied")
    );
    let page = app.follow(&callback).await;
    let html = page.text().await.unwrap();
    assert!(html.contains("Authorization was denied"), "{html}");
    assert!(
        html.contains("\"status\":\"denied\""),
        "the opener learns it too: {html}"
    );
    let body = json(app.poll(ORIGIN_A, &flow.id, 5).await).await;
    assert_eq!(body["status"], "denied");
    assert!(body.get("sessionHandle").is_none());
}

#[tokio::test]
async fn full_page_sign_in_returns_the_handle_in_the_fragment_only() {
    let dir = TempDir::new().unwrap();
    let app = spawn(&dir).await;
    let (secret, body) = app.new_flow_body(Some(&format!("{ORIGIN_A}/shop/form.html?step=2#old")));
    let response = app.start_flow_raw(ORIGIN_A, &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body = json(response).await;
    let id = body["flowId"].as_str().unwrap();
    app.remember_secret(id, &secret);
    let start = body["authorizeUrl"].as_str().unwrap();
    // The embedding page posts the secret itself (a top-level form post from its origin).
    let bound = app.bind(start, &secret, ORIGIN_A).await;
    assert_eq!(bound.status(), StatusCode::SEE_OTHER);
    let callback = app.authorize(&location(&bound), "alice", "allow").await;
    let back = app.follow(&callback).await;
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    let to = location(&back);
    let prefix = format!("{ORIGIN_A}/shop/form.html?step=2#xf_flow={id}&xf_session=");
    assert!(to.starts_with(&prefix), "{to}");
    let handle = &to[prefix.len()..];
    assert_eq!(handle.len(), 43, "a session handle: {to}");
    assert_eq!(
        app.list_tasks(ORIGIN_A, handle).await.status(),
        StatusCode::OK,
        "the handle from the fragment works"
    );
    // Polling, even with the secret, never carries a full-page sign-in's handle.
    let done = json(app.poll(ORIGIN_A, id, 5).await).await;
    assert_eq!(done["status"], "done");
    assert!(done.get("sessionHandle").is_none(), "{done}");
}

#[tokio::test]
async fn sandbox_discovery_document_describes_the_dev_server() {
    let dir = TempDir::new().unwrap();
    let app = spawn(&dir).await;
    let doc = json(
        app.client
            .get(app.url("/sandbox/oauth/.well-known/openid-configuration"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(doc["issuer"], app.url("/sandbox/oauth"));
    assert_eq!(doc["token_endpoint"], app.url("/sandbox/oauth/token"));
    assert_eq!(
        doc["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
}
