//! `ews.autodiscover`: no EWS endpoint configured, each user's EWS URL found with POX
//! Autodiscover (here the sandbox's), asked as the service account, followed through
//! redirections, kept per domain; an address Autodiscover does not know is named to the
//! administrator; `check-config --mailbox` prints the URL found.

use crate::auth_support;
use crate::service_account_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use auth_support::*;
use axum::http::request::Parts;
use proxy::config::{AutodiscoverConfig, Config, EwsAuth};
use proxy::session::{Authorizer, Caller, CallerError};
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::json;
use service_account_support::*;
use tempfile::TempDir;

/// Autodiscover requests the sandbox answered.
fn autodiscover_requests(app: &TestApp) -> u64 {
    let sandbox = app.state.sandbox.as_ref().unwrap();
    sandbox.mailbox().autodiscover_requests.get()
}

/// Service-account mode (`auth`) with no endpoint and Autodiscover at `url` (`None`: the
/// sandbox's own).
async fn spawn_discovering(dir: &TempDir, auth: EwsAuth, url: Option<String>) -> TestApp {
    spawn_adjusted(
        dir.path(),
        NO_FLOW_LIMITS,
        Arc::new(proxy::auth::clock::OffsetClock::new()),
        move |config: &mut Config| discovering(config, auth, url),
    )
    .await
}

fn discovering(config: &mut Config, auth: EwsAuth, url: Option<String>) {
    service_account_mode(config, auth, true);
    config.ews.endpoint = None;
    config.ews.autodiscover = Some(AutodiscoverConfig {
        url: url.map(|u| u.parse().unwrap()),
    });
}

#[tokio::test]
async fn each_user_works_in_their_own_mailbox_at_the_url_autodiscover_found_once() {
    let dir = TempDir::new().unwrap();
    let app = spawn_discovering(&dir, EwsAuth::Ntlm(account(PASSWORD)), None).await;
    // Alice and Bob each create an appointment and a task, then list their tasks: six EWS
    // calls for one domain.
    each_user_gets_their_own_items(&app).await;
    assert_eq!(
        autodiscover_requests(&app),
        1,
        "one lookup for sandbox.test"
    );
    let alice = app.sign_in(ORIGIN_A, ALICE).await;
    let created = post(&app, &alice, "/api/tasks", json!({"subject": "Later"})).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(autodiscover_requests(&app), 1, "the domain's URL is kept");
}

#[tokio::test]
async fn with_each_users_own_token_autodiscover_is_asked_with_that_token() {
    let dir = TempDir::new().unwrap();
    let app = spawn_adjusted(
        dir.path(),
        NO_FLOW_LIMITS,
        Arc::new(proxy::auth::clock::OffsetClock::new()),
        |config: &mut Config| {
            config.ews.autodiscover = Some(AutodiscoverConfig { url: None });
        },
    )
    .await;
    assert_eq!(app.state.config.ews.auth, EwsAuth::OAuth);
    each_user_gets_their_own_items(&app).await;
    assert_eq!(autodiscover_requests(&app), 1);
}

/// An Autodiscover server in front of the sandbox's: answers every request with
/// `redirectUrl` to `target` and counts them.
async fn redirecting_front(target: Arc<std::sync::Mutex<String>>) -> (String, Arc<AtomicUsize>) {
    let asked = Arc::new(AtomicUsize::new(0));
    let count = asked.clone();
    let router = axum::Router::new().route(
        "/autodiscover/autodiscover.xml",
        axum::routing::post(move |body: String| {
            let (count, target) = (count.clone(), target.clone());
            async move {
                assert!(body.contains("<EMailAddress>"), "{body}");
                count.fetch_add(1, Ordering::SeqCst);
                let to = target.lock().unwrap().clone();
                ews::autodiscover::server::redirect_url(&to).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/autodiscover/autodiscover.xml",
        listener.local_addr().unwrap()
    );
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (url, asked)
}

#[tokio::test]
async fn a_redirection_is_followed_and_endless_ones_are_cut_short() {
    let target = Arc::new(std::sync::Mutex::new(String::new()));
    let (front, front_asked) = redirecting_front(target.clone()).await;
    let dir = TempDir::new().unwrap();
    let app = spawn_discovering(&dir, EwsAuth::Basic(account(PASSWORD)), Some(front.clone())).await;
    *target.lock().unwrap() = format!("{}/sandbox/autodiscover/autodiscover.xml", app.base);

    let alice = app.sign_in(ORIGIN_A, ALICE).await;
    let created = post(&app, &alice, "/api/tasks", json!({"subject": "Redirected"})).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(stored(&app, ALICE, "tasks").await, 1);
    assert_eq!(front_asked.load(Ordering::SeqCst), 1);
    assert_eq!(autodiscover_requests(&app), 1, "the redirection's target");

    // The front redirecting to itself: the proxy gives up after a few hops, with a message.
    *target.lock().unwrap() = front;
    let dir = TempDir::new().unwrap();
    let front_url = target.lock().unwrap().clone();
    let looping = spawn_discovering(&dir, EwsAuth::Basic(account(PASSWORD)), Some(front_url)).await;
    let before = front_asked.load(Ordering::SeqCst);
    let message = failed_create(&looping, "redirections").await;
    assert!(
        message.contains("Autodiscover did not find the EWS URL of alice@sandbox.test")
            && message.contains("more than 4 redirections"),
        "{message}"
    );
    assert_eq!(front_asked.load(Ordering::SeqCst) - before, 5);
}

/// A sign-in that verified an address the sandbox has no mailbox for.
struct Stranger;

#[async_trait::async_trait]
impl Authorizer for Stranger {
    async fn caller(&self, _parts: &Parts) -> Result<Caller, CallerError> {
        Ok(Caller {
            user_id: "ghost".into(),
            display_name: "Ghost".into(),
            mailbox: Some("ghost@elsewhere.test".into()),
        })
    }
    async fn exchange_token(&self, _caller: &Caller) -> Result<SecretString, CallerError> {
        Ok(SecretString::from(String::new()))
    }
    async fn token_rejected(&self, _caller: &Caller) {}
}

#[tokio::test]
async fn an_address_autodiscover_does_not_know_is_named_to_the_administrator() {
    let dir = TempDir::new().unwrap();
    let static_dir = dir.path().join("static");
    std::fs::create_dir_all(&static_dir).unwrap();
    let mut config = auth_support::config(&dir.path().join("data"), &static_dir, NO_FLOW_LIMITS);
    discovering(&mut config, EwsAuth::Ntlm(account(PASSWORD)), None);
    let app = proxy::Application::build_with_authorizer(config, Some(Arc::new(Stranger)))
        .await
        .unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    let server = tokio::spawn(async move { app.run_until_stopped().await });

    let response = reqwest::Client::new()
        .post(format!("{base}/api/tasks"))
        .bearer_auth("any")
        .json(&json!({"subject": "Nowhere"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let body = json(response).await;
    assert_eq!(body["error"], "exchange_error", "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("does not know ghost@elsewhere.test")
            && message.contains("error 500: The e-mail address cannot be found.")
            && message.contains("primary SMTP address"),
        "{message}"
    );
    let sandbox = state.sandbox.as_ref().unwrap().mailbox();
    assert_eq!(sandbox.autodiscover_requests.get(), 1);
    server.abort();
}

/// `check-config --mailbox ADDRESS` with Autodiscover at this proxy's sandbox.
async fn check_config(app: &TestApp, mailbox: &str) -> (bool, String, String) {
    let url = format!("{}/sandbox/autodiscover/autodiscover.xml", app.base);
    let lines = format!("autodiscover = true\nautodiscover_url = \"{url}\"");
    check_config_ntlm(app, &lines, mailbox, PASSWORD).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_config_prints_the_url_autodiscover_found() {
    let dir = TempDir::new().unwrap();
    let app = spawn_service_account(&dir, EwsAuth::Ntlm(account(PASSWORD)), true, None).await;
    let (_, out, err) = check_config(&app, ALICE).await;
    let found = format!(
        "ok      autodiscover: {}/sandbox/ews/Exchange.asmx is the EWS URL of alice@sandbox.test",
        app.base
    );
    assert!(out.contains(&found), "{out}{err}");
    assert!(
        out.contains("ok      service account: signed in to ")
            && out.contains("read the calendar of alice@sandbox.test"),
        "{out}{err}"
    );

    let (ok, out, _) = check_config(&app, "ghost@elsewhere.example").await;
    assert!(!ok);
    assert!(
        out.contains("FAILED  autodiscover:")
            && out.contains("does not know ghost@elsewhere.example (error 500"),
        "{out}"
    );
}
