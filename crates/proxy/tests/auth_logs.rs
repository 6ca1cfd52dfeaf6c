//! Secrets never reach the logs, even at the most verbose level: a whole sign-in (authorize
//! URL with state and PKCE challenge, callback with the code, session handle) and an action
//! that uses the access token run under a TRACE subscriber, and the captured output is
//! searched for each secret.

#[path = "suite/auth_support/mod.rs"]
mod auth_support;

use auth_support::*;
use reqwest::StatusCode;
use tempfile::TempDir;

#[tokio::test]
async fn no_code_state_handle_or_token_is_logged_at_trace_level() {
    let logs = Captured::default();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(logs.clone())
        .init();

    let dir = TempDir::new().unwrap();
    let app = spawn(&dir).await;
    let flow = app.start_flow(ORIGIN_A).await;
    let state = query_param(&flow.authorize_url, "state").expect("state");
    let callback = app
        .authorize(&flow.authorize_url, "alice@sandbox.test", "allow")
        .await;
    let code = query_param(&callback, "code").expect("code");
    assert_eq!(app.follow(&callback).await.status(), StatusCode::OK);
    let status = json(app.poll(ORIGIN_A, &flow.id, 5).await).await;
    let handle = status["sessionHandle"].as_str().expect("handle").to_owned();
    let created = app.create_task(ORIGIN_A, &handle, "Logged?").await;
    assert_eq!(created.status(), StatusCode::CREATED);

    let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    // The capture works: requests were traced.
    assert!(text.contains("/auth/callback"), "nothing captured:\n{text}");
    for (what, secret) in [
        ("code", &code),
        ("state", &state),
        ("session handle", &handle),
    ] {
        assert!(
            !text.contains(secret.as_str()),
            "the {what} was logged:\n{text}"
        );
    }
    // Neither direction's Authorization header (session handle in, access token out to the
    // sandbox EWS endpoint) is logged.
    assert!(
        !text.contains("Bearer "),
        "an Authorization header was logged:\n{text}"
    );
}
