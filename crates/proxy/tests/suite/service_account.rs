//! Service-account mode end to end, through the JSON API: users sign in with the development
//! sign-in server, the proxy signs in to the sandbox EWS endpoint as one service account (NTLM
//! or Basic) and impersonates each signed-in user, by the address their sign-in verified; no
//! request can make it act for another mailbox.

use crate::auth_support;
use crate::service_account_support;

use auth_support::*;
use proxy::config::EwsAuth;
use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, StatusCode};
use serde_json::json;
use service_account_support::*;
use tempfile::TempDir;

#[tokio::test]
async fn ntlm_acts_for_each_signed_in_user_over_one_authenticated_connection() {
    let dir = TempDir::new().unwrap();
    let (app, relay) = spawn_ntlm_behind_relay(&dir).await;

    each_user_gets_their_own_items(&app).await;
    // Four creates and two listings, one after the other: one connection, signed in once.
    assert_eq!(relay.connections(), 1);
    let sandbox = app.state.sandbox.as_ref().unwrap();
    assert_eq!(sandbox.mailbox().service_accounts.ntlm_sign_ins(), 1);
}

#[tokio::test]
async fn a_connection_the_server_signed_out_is_replaced_by_a_new_signed_in_one() {
    let dir = TempDir::new().unwrap();
    let (app, relay) = spawn_ntlm_behind_relay(&dir).await;
    let alice = app.sign_in(ORIGIN_A, ALICE).await;
    let first = post(&app, &alice, "/api/tasks", json!({"subject": "Before"})).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let sandbox = app.state.sandbox.as_ref().unwrap();
    sandbox.mailbox().service_accounts.sign_out_all();
    // The reused connection gets 401; the request goes again on a new, signed-in connection.
    let second = post(&app, &alice, "/api/tasks", json!({"subject": "After"})).await;
    assert_eq!(second.status(), StatusCode::CREATED);
    assert_eq!(stored(&app, ALICE, "tasks").await, 2);
    assert_eq!(relay.connections(), 2);
    assert_eq!(sandbox.mailbox().service_accounts.ntlm_sign_ins(), 2);
}

#[tokio::test]
async fn basic_acts_for_each_signed_in_user() {
    let dir = TempDir::new().unwrap();
    let app = spawn_service_account(&dir, EwsAuth::Basic(account(PASSWORD)), true, None).await;
    each_user_gets_their_own_items(&app).await;
    // Readiness reaches Exchange through the service account's own connections.
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    let sandbox = app.state.sandbox.as_ref().unwrap();
    assert_eq!(sandbox.mailbox().service_accounts.ntlm_sign_ins(), 0);
}

#[tokio::test]
async fn concurrent_requests_each_get_a_signed_in_connection() {
    let dir = TempDir::new().unwrap();
    let (app, relay) = spawn_ntlm_behind_relay(&dir).await;
    let alice = app.sign_in(ORIGIN_A, ALICE).await;
    let task = |n: u32| {
        post(
            &app,
            &alice,
            "/api/tasks",
            json!({ "subject": format!("t{n}") }),
        )
    };
    let created = tokio::join!(task(1), task(2), task(3), task(4));
    for response in [created.0, created.1, created.2, created.3] {
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    assert_eq!(stored(&app, ALICE, "tasks").await, 4);
    // Every connection opened was signed in once, and kept for later requests.
    let sandbox = app.state.sandbox.as_ref().unwrap();
    let (connections, sign_ins) = (
        relay.connections(),
        sandbox.mailbox().service_accounts.ntlm_sign_ins(),
    );
    assert_eq!(connections as u64, sign_ins);
    assert!((1..=4).contains(&connections), "{connections}");
    assert_eq!(task_subjects(&app, &alice).await.len(), 4);
    assert_eq!(
        relay.connections(),
        connections,
        "a listing reuses a connection"
    );
}

#[tokio::test]
async fn a_request_cannot_name_another_mailbox() {
    let dir = TempDir::new().unwrap();
    let app = spawn_service_account(&dir, EwsAuth::Ntlm(account(PASSWORD)), true, None).await;
    let alice = app.sign_in(ORIGIN_A, ALICE).await;
    let bob = app.sign_in(ORIGIN_A, BOB).await;

    // Alice names Bob's mailbox in every header and query parameter a client could think of.
    let path = format!("/api/tasks?mailbox={BOB}&impersonate={BOB}&anchorMailbox={BOB}");
    let response = app
        .with_session(ORIGIN_A, &alice, Method::POST, &path)
        .header(CONTENT_TYPE, "application/json")
        .header("X-AnchorMailbox", BOB)
        .header("X-Impersonate", BOB)
        .header("X-Mailbox", BOB)
        .body(json!({"subject": "Named Bob"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    // ... or in the body: an unknown field is refused outright.
    let response = post(
        &app,
        &alice,
        "/api/tasks",
        json!({"subject": "Body names Bob", "mailbox": BOB, "impersonation": BOB}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    // An altered session handle, and Bob's handle with a proof made by another key.
    let mut altered = alice.clone();
    let last = if altered.ends_with('A') { "B" } else { "A" };
    altered.replace_range(altered.len() - 1.., last);
    let response = post(&app, &altered, "/api/tasks", json!({"subject": "Altered"})).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let thief = new_key();
    let proof = dpop_proof(
        &thief,
        &Method::POST,
        &app.url("/api/tasks"),
        chrono::Utc::now().timestamp(),
        Some(&bob),
    );
    let response = app
        .from(ORIGIN_A, Method::POST, "/api/tasks")
        .header("Authorization", format!("DPoP {bob}"))
        .header("DPoP", proof)
        .header(CONTENT_TYPE, "application/json")
        .body(json!({"subject": "Stolen handle"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    // Only Alice's own create happened, in her own mailbox.
    assert_eq!(stored(&app, BOB, "tasks").await, 0);
    assert_eq!(task_subjects(&app, &alice).await, ["Named Bob"]);
    assert!(task_subjects(&app, &bob).await.is_empty());
}
