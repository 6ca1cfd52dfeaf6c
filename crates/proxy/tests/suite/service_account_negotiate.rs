//! `ews.auth = "negotiate"` without Kerberos: no KDC can give a ticket, so the proxy signs in
//! with NTLM inside SPNEGO (RFC 4559 `Authorization: Negotiate`), as Windows clients do, and
//! acts for each signed-in user through impersonation. `kerberos` never falls back. Kerberos
//! itself, against a real KDC, is in `service_account_kerberos.rs`; a wrong password under
//! Negotiate, in `service_account_errors.rs`.

use crate::auth_support;
use crate::service_account_support;

use auth_support::*;
use proxy::config::{EwsAuth, Kdc};
use reqwest::StatusCode;
use serde_json::json;
use service_account_support::*;
use tempfile::TempDir;

fn negotiate(password: &str, kdc: Option<Kdc>) -> EwsAuth {
    EwsAuth::Negotiate {
        account: account(password),
        kdc,
    }
}

/// A KDC address nothing listens on.
async fn closed_kdc() -> Kdc {
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    Kdc {
        host: "127.0.0.1".into(),
        port,
    }
}

#[tokio::test]
async fn negotiate_without_a_kdc_signs_in_with_ntlm_inside_spnego() {
    let dir = TempDir::new().unwrap();
    let (app, relay) = relayed(&dir, CountingRelay::spawn().await, "http", |config| {
        config.ews.auth = negotiate(PASSWORD, None);
    })
    .await;
    each_user_gets_their_own_items(&app).await;
    // One connection, signed in once with NTLM, reused for every call.
    assert_eq!(relay.connections(), 1);
    assert_eq!(sign_ins(&app), (1, 0));
}

#[tokio::test]
async fn an_unreachable_kdc_falls_back_to_ntlm_and_says_why_in_the_log() {
    let dir = TempDir::new().unwrap();
    let kdc = closed_kdc().await;
    let app = spawn_service_account(&dir, negotiate(PASSWORD, Some(kdc)), true, None).await;
    let alice = app.sign_in(ORIGIN_A, ALICE).await;
    let (created, logs) =
        warnings_during(post(&app, &alice, "/api/tasks", json!({"subject": "x"}))).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert!(
        logs.contains("No Kerberos ticket for HTTP/127.0.0.1")
            && logs.contains("could not be reached")
            && logs.contains("NTLM inside Negotiate instead"),
        "{logs}"
    );
    assert!(!logs.contains(PASSWORD), "{logs}");
    assert_eq!(stored(&app, ALICE, "tasks").await, 1);
    // A new connection (the server forgot the first one's sign-in) does not wait for the KDC
    // again: NTLM straight away, nothing more logged.
    app.state
        .sandbox
        .as_ref()
        .unwrap()
        .mailbox()
        .service_accounts
        .sign_out_all();
    let (created, logs) =
        warnings_during(post(&app, &alice, "/api/tasks", json!({"subject": "y"}))).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert!(!logs.contains("No Kerberos ticket"), "{logs}");
    assert_eq!(sign_ins(&app), (2, 0));
}

#[tokio::test]
async fn kerberos_only_never_falls_back_and_names_the_kdc_problem() {
    let dir = TempDir::new().unwrap();
    let auth = EwsAuth::Kerberos {
        account: account(PASSWORD),
        kdc: Some(closed_kdc().await),
    };
    let app = spawn_service_account(&dir, auth, true, None).await;
    let message = failed_create(&app, "No Kerberos ticket").await;
    assert!(
        message.starts_with("No Kerberos ticket for HTTP/127.0.0.1: the KDC could not be reached")
            && message.contains("ews.kdc"),
        "{message}"
    );
    assert_eq!(sign_ins(&app), (0, 0));
}
