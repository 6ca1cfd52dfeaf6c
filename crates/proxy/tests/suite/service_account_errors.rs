//! What an administrator sees when the service-account set-up is wrong (password, impersonation
//! right, unreachable server, TLS certificate), and `check-config`, which finds the same
//! problems before users do.

use crate::auth_support;
use crate::service_account_support;

use auth_support::*;
use proxy::config::EwsAuth;
use reqwest::StatusCode;
use serde_json::json;
use service_account_support::*;
use tempfile::TempDir;
use tokio::net::TcpListener;

#[tokio::test]
async fn a_wrong_service_account_password_names_what_to_check_and_is_never_logged() {
    for auth in [
        EwsAuth::Ntlm(account("Wrong-Horse-8")),
        EwsAuth::Basic(account("Wrong-Horse-8")),
        // No KDC for the realm: NTLM inside SPNEGO.
        EwsAuth::Negotiate {
            account: account("Wrong-Horse-8"),
            kdc: None,
        },
    ] {
        let dir = TempDir::new().unwrap();
        let app = spawn_service_account(&dir, auth, true, None).await;
        let message = failed_create(&app, "refused the service account").await;
        assert!(
            message.contains("refused the service account 'sandbox\\svc-forms'")
                && message.contains("XF_EWS_SERVICE_ACCOUNT_PASSWORD")
                && !message.contains("Wrong-Horse-8"),
            "{message}"
        );
    }
}

#[tokio::test]
async fn a_missing_impersonation_right_names_the_role_to_grant() {
    let dir = TempDir::new().unwrap();
    let app = spawn_service_account(&dir, EwsAuth::Ntlm(account(PASSWORD)), false, None).await;
    let message = failed_create(&app, "ApplicationImpersonation role").await;
    assert!(
        message.contains("ErrorImpersonateUserDenied")
            && message.contains("ApplicationImpersonation role"),
        "{message}"
    );
}

#[tokio::test]
async fn an_unreachable_server_says_exchange_could_not_be_reached() {
    // A port nobody listens on.
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}/EWS/Exchange.asmx", closed.local_addr().unwrap());
    drop(closed);
    let dir = TempDir::new().unwrap();
    let app =
        spawn_service_account(&dir, EwsAuth::Ntlm(account(PASSWORD)), true, Some(endpoint)).await;
    let message = failed_create(&app, "Exchange could not be reached").await;
    assert_eq!(
        message,
        "Exchange could not be reached. Try again in a moment."
    );
}

#[tokio::test]
async fn ntlm_over_https_trusts_an_internal_ca_named_in_ews_ca_file() {
    let dir = TempDir::new().unwrap();
    let (app, relay) = relayed(&dir, tls_relay().await, "https", |config| {
        config.ews.ca_file = Some(test_ca());
    })
    .await;
    let alice = app.sign_in(ORIGIN_A, ALICE).await;
    for subject in ["One", "Two"] {
        let created = post(&app, &alice, "/api/tasks", json!({ "subject": subject })).await;
        assert_eq!(created.status(), StatusCode::CREATED);
    }
    assert_eq!(stored(&app, ALICE, "tasks").await, 2);
    assert_eq!(relay.connections(), 1);
}

#[tokio::test]
async fn an_untrusted_certificate_names_what_to_check() {
    let dir = TempDir::new().unwrap();
    let (app, _relay) = relayed(&dir, tls_relay().await, "https", |_| {}).await;
    let message = failed_create(&app, "TLS certificate was not accepted").await;
    assert!(
        message.contains("TLS certificate was not accepted") && message.contains("ews.ca_file"),
        "{message}"
    );
}

/// `exchange-forms-proxy check-config --mailbox ADDRESS` with a config file naming this
/// proxy's sandbox as the Exchange server: (exit success, stdout, stderr).
async fn check_config(app: &TestApp, mailbox: &str, password: &str) -> (bool, String, String) {
    let endpoint = format!("endpoint = \"{}/sandbox/ews/Exchange.asmx\"", app.base);
    check_config_ntlm(app, &endpoint, mailbox, password).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_config_signs_in_and_reads_the_named_mailbox() {
    let dir = TempDir::new().unwrap();
    let app = spawn_service_account(&dir, EwsAuth::Ntlm(account(PASSWORD)), true, None).await;
    // The configuration names no sign-in server, so that check fails; the service account's
    // line is what this test reads.
    let (_, out, err) = check_config(&app, ALICE, PASSWORD).await;
    assert!(
        out.contains("ok      service account: signed in to ")
            && out.contains(
                "as SANDBOX\\svc-forms (ntlm) and read the calendar of alice@sandbox.test"
            ),
        "{out}{err}"
    );

    let (ok, out, _) = check_config(&app, "ghost@elsewhere.example", PASSWORD).await;
    assert!(!ok);
    assert!(
        out.contains("FAILED  service account:") && out.contains("ErrorNonExistentMailbox"),
        "{out}"
    );

    let (ok, out, err) = check_config(&app, ALICE, "Wrong-Horse-8").await;
    assert!(!ok);
    assert!(
        out.contains("FAILED  service account:")
            && out.contains("refused the service account")
            && !out.contains("Wrong-Horse-8")
            && !err.contains("Wrong-Horse-8"),
        "{out}"
    );
}
