//! Token refresh: ahead of expiry, once per user however many actions arrive together, rotated
//! refresh tokens kept, and a revoked grant turning into "authorize again".

use crate::auth_support;

use std::sync::Arc;

use auth_support::*;
use proxy::auth::clock::OffsetClock;
use reqwest::StatusCode;
use tempfile::TempDir;

/// Five actions in flight together; the server (multi-threaded runtime) handles them in parallel.
async fn five_at_once(app: &TestApp, handle: &str) -> [reqwest::Response; 5] {
    let (a, b, c, d, e) = tokio::join!(
        app.list_tasks(ORIGIN_A, handle),
        app.list_tasks(ORIGIN_A, handle),
        app.list_tasks(ORIGIN_A, handle),
        app.list_tasks(ORIGIN_A, handle),
        app.list_tasks(ORIGIN_A, handle),
    );
    [a, b, c, d, e]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn expired_tokens_are_refreshed_once_for_concurrent_actions() {
    let dir = TempDir::new().unwrap();
    let clock = Arc::new(OffsetClock::new());
    let app = spawn_in(dir.path(), "", clock.clone()).await;
    let handle = app.sign_in(ORIGIN_A, "alice").await;
    let dev = app.dev_server();
    assert_eq!(dev.refresh_count("alice"), 0);

    for round in 1..=2u64 {
        // The access token (1 h) has expired: five actions at once.
        clock.advance(chrono::Duration::hours(2));
        let answers = five_at_once(&app, &handle).await;
        for a in &answers {
            assert_eq!(a.status(), StatusCode::OK);
        }
        // One refresh for all five; the second round works only if the rotated refresh token
        // from the first was saved (the server refuses a used one and revokes the grant).
        assert_eq!(dev.refresh_count("alice"), round, "round {round}");
        assert_eq!(app.auth_service().refresh_count(), round);
    }
    // A fresh token is not refreshed again.
    let answers = five_at_once(&app, &handle).await;
    assert!(answers.iter().all(|a| a.status() == StatusCode::OK));
    assert_eq!(dev.refresh_count("alice"), 2);
}

#[tokio::test]
async fn tokens_are_refreshed_a_minute_ahead_of_expiry() {
    let dir = TempDir::new().unwrap();
    let clock = Arc::new(OffsetClock::new());
    let app = spawn_in(dir.path(), "", clock.clone()).await;
    let handle = app.sign_in(ORIGIN_A, "bob").await;
    let dev = app.dev_server();
    // 50 minutes into a 60-minute token: used as is.
    clock.advance(chrono::Duration::minutes(50));
    assert_eq!(
        app.list_tasks(ORIGIN_A, &handle).await.status(),
        StatusCode::OK
    );
    assert_eq!(dev.refresh_count("bob"), 0);
    // 59 minutes 10 seconds: less than the 60 s margin left, so it is renewed first.
    clock.advance(chrono::Duration::seconds(9 * 60 + 10));
    assert_eq!(
        app.list_tasks(ORIGIN_A, &handle).await.status(),
        StatusCode::OK
    );
    assert_eq!(dev.refresh_count("bob"), 1);
}

#[tokio::test]
async fn a_revoked_refresh_token_means_authorize_again() {
    let dir = TempDir::new().unwrap();
    let clock = Arc::new(OffsetClock::new());
    let app = spawn_in(dir.path(), "", clock.clone()).await;
    let handle = app.sign_in(ORIGIN_A, "carol").await;
    assert_eq!(
        app.create_task(ORIGIN_A, &handle, "Before revocation")
            .await
            .status(),
        StatusCode::CREATED
    );

    // The administrator withdraws the app's access at the authorization server.
    let revoked = app
        .client
        .post(app.url("/sandbox/oauth/admin/revoke-user"))
        .bearer_auth(app.operator_token())
        .form(&[("user", "carol@sandbox.test")])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::OK);
    clock.advance(chrono::Duration::hours(2));

    // The next action learns that only a new authorization helps.
    let refused = app
        .create_task(ORIGIN_A, &handle, "Needs authorization")
        .await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let body = json(refused).await;
    assert_eq!(body["error"], "authorization_required");
    assert_eq!(body["details"]["flowsUrl"], "/api/auth/flows");
    assert_eq!(
        json(app.auth_status(ORIGIN_A, Some(&handle)).await).await["authorized"],
        false
    );

    // Authorizing again brings everything back (the same user, a new session).
    let handle = app.sign_in(ORIGIN_A, "carol").await;
    assert_eq!(
        app.create_task(ORIGIN_A, &handle, "Needs authorization")
            .await
            .status(),
        StatusCode::CREATED
    );
    let tasks = json(app.list_tasks(ORIGIN_A, &handle).await).await;
    let subjects: Vec<_> = tasks["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["subject"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        subjects
            .iter()
            .filter(|s| **s == "Needs authorization")
            .count(),
        1,
        "{subjects:?}"
    );
    assert!(subjects.contains(&"Before revocation"));
}

#[tokio::test]
async fn status_reports_a_revoked_grant_before_the_next_click() {
    let dir = TempDir::new().unwrap();
    let clock = Arc::new(OffsetClock::new());
    let app = spawn_in(dir.path(), "", clock.clone()).await;
    let handle = app.sign_in(ORIGIN_A, "alice").await;
    assert_eq!(
        json(app.auth_status(ORIGIN_A, Some(&handle)).await).await["authorized"],
        true
    );
    app.dev_server().revoke_user("alice").await.unwrap();
    clock.advance(chrono::Duration::hours(2));
    // The status check tries the refresh, so the widget knows to open the popup on the click.
    assert_eq!(
        json(app.auth_status(ORIGIN_A, Some(&handle)).await).await["authorized"],
        false
    );
}

#[tokio::test]
async fn an_access_token_exchange_rejects_is_forgotten() {
    let dir = TempDir::new().unwrap();
    let app = spawn(&dir).await;
    let handle = app.sign_in(ORIGIN_A, "bob").await;
    // Revoked at the server while still within its lifetime: only Exchange (here the sandbox
    // mailbox, asking userinfo) can tell, by answering 401.
    app.dev_server().revoke_user("bob").await.unwrap();
    let refused = app.create_task(ORIGIN_A, &handle, "Rejected").await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json(refused).await["error"], "authorization_required");
    // The proxy forgot the tokens (no refresh was even tried): the status says sign in again.
    assert_eq!(app.dev_server().refresh_count("bob"), 0);
    assert_eq!(
        json(app.auth_status(ORIGIN_A, Some(&handle)).await).await["authorized"],
        false
    );
}
