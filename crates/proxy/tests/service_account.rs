//! Service-account mode end to end, through the JSON API: users sign in with the development
//! sign-in server, the proxy signs in to the sandbox EWS endpoint as one service account (NTLM
//! or Basic) and impersonates each signed-in user, by the address their sign-in verified.

mod auth_support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use auth_support::*;
use proxy::auth::clock::OffsetClock;
use proxy::config::{Config, EwsAuth, ServiceAccount};
use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, StatusCode};
use secrecy::SecretString;
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::net::{TcpListener, TcpStream};

const ACCOUNT: &str = "sandbox\\svc-forms";
const PASSWORD: &str = "Correct-Horse-7";
const ALICE: &str = "alice@sandbox.test";
const BOB: &str = "bob@sandbox.test";

fn account(password: &str) -> ServiceAccount {
    ServiceAccount {
        username: ACCOUNT.into(),
        password: SecretString::from(password.to_owned()),
    }
}

/// A TCP relay in front of the proxy's sandbox endpoint that counts the connections it
/// accepts (each is relayed over one connection of its own, so NTLM's per-connection
/// sign-in survives the relay).
struct CountingRelay {
    address: SocketAddr,
    upstream: Arc<std::sync::Mutex<Option<SocketAddr>>>,
    connections: Arc<AtomicUsize>,
}

impl CountingRelay {
    async fn spawn() -> Self {
        Self::spawn_with(None).await
    }

    /// As [`CountingRelay::spawn`], ending TLS with `tls` first (an https endpoint).
    async fn spawn_with(tls: Option<tokio_rustls::TlsAcceptor>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let upstream = Arc::new(std::sync::Mutex::new(None::<SocketAddr>));
        let connections = Arc::new(AtomicUsize::new(0));
        let (to, count) = (upstream.clone(), connections.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                let target = to.lock().unwrap().expect("upstream set");
                let tls = tls.clone();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(target).await else {
                        return;
                    };
                    match tls {
                        None => {
                            let _ =
                                tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                        }
                        Some(acceptor) => {
                            if let Ok(mut inbound) = acceptor.accept(inbound).await {
                                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound)
                                    .await;
                            }
                        }
                    }
                });
            }
        });
        Self {
            address,
            upstream,
            connections,
        }
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// The proxy in sandbox mode with `auth` towards EWS and the sandbox accepting `ACCOUNT` /
/// `PASSWORD`; `impersonator` grants the account ApplicationImpersonation; `endpoint`
/// replaces the proxy's own sandbox URL.
async fn spawn_service_account(
    dir: &TempDir,
    auth: EwsAuth,
    impersonator: bool,
    endpoint: Option<String>,
) -> TestApp {
    spawn_adjusted(
        dir.path(),
        NO_FLOW_LIMITS,
        Arc::new(OffsetClock::new()),
        move |config: &mut Config| {
            service_account_mode(config, auth, impersonator);
            config.ews.endpoint = endpoint.map(|e| e.parse().unwrap());
        },
    )
    .await
}

fn service_account_mode(config: &mut Config, auth: EwsAuth, impersonator: bool) {
    config.ews.auth = auth;
    config.ews.max_retries = 0;
    config.sandbox.service_accounts = vec![account(PASSWORD)];
    config.sandbox.impersonators = if impersonator {
        vec![ACCOUNT.into()]
    } else {
        Vec::new()
    };
}

/// NTLM through a [`CountingRelay`] to the proxy's own sandbox endpoint.
async fn spawn_ntlm_behind_relay(dir: &TempDir) -> (TestApp, CountingRelay) {
    relayed(dir, CountingRelay::spawn().await, "http", |_| {}).await
}

/// The proxy with its EWS calls going through `relay` (`scheme` = how the relay is reached),
/// `adjust` applied to its configuration.
async fn relayed(
    dir: &TempDir,
    relay: CountingRelay,
    scheme: &str,
    adjust: impl FnOnce(&mut Config) + Send + 'static,
) -> (TestApp, CountingRelay) {
    let endpoint = format!("{scheme}://{}/sandbox/ews/Exchange.asmx", relay.address);
    let app = spawn_adjusted(
        dir.path(),
        NO_FLOW_LIMITS,
        Arc::new(OffsetClock::new()),
        move |config: &mut Config| {
            service_account_mode(config, EwsAuth::Ntlm(account(PASSWORD)), true);
            config.ews.endpoint = Some(endpoint.parse().unwrap());
            adjust(config);
        },
    )
    .await;
    let port: u16 = app.base.rsplit(':').next().unwrap().parse().unwrap();
    *relay.upstream.lock().unwrap() = Some(SocketAddr::from(([127, 0, 0, 1], port)));
    (app, relay)
}

/// A TLS relay with the test server certificate of `tests/fixtures/tls` (issued by a CA that
/// is not public).
async fn tls_relay() -> CountingRelay {
    use tokio_rustls::rustls;
    use tokio_rustls::rustls::pki_types::pem::PemObject as _;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls");
    let chain = CertificateDer::pem_file_iter(dir.join("server.pem"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(dir.join("server.key")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .unwrap();
    CountingRelay::spawn_with(Some(tokio_rustls::TlsAcceptor::from(Arc::new(config)))).await
}

fn test_ca() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls/ca.pem")
}

async fn post(app: &TestApp, handle: &str, path: &str, body: Value) -> reqwest::Response {
    app.with_session(ORIGIN_A, handle, Method::POST, path)
        .header(CONTENT_TYPE, "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

fn appointment(subject: &str) -> Value {
    json!({
        "subject": subject,
        "start": "2026-12-01T09:00",
        "end": "2026-12-01T10:00",
        "location": "Room 1",
        "body": "",
        "timeZone": "Europe/Paris"
    })
}

async fn stored(app: &TestApp, mailbox: &str, folder: &str) -> u32 {
    let sandbox = app.state.sandbox.as_ref().unwrap();
    sandbox.store.count(mailbox, folder).await.unwrap()
}

/// The subjects of `handle`'s tasks, through the API.
async fn task_subjects(app: &TestApp, handle: &str) -> Vec<String> {
    let response = app.list_tasks(ORIGIN_A, handle).await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = json(response).await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["subject"].as_str().unwrap().to_owned())
        .collect()
}

/// Alice and Bob each create an appointment and a task; each lands in its owner's mailbox.
async fn each_user_gets_their_own_items(app: &TestApp) {
    let alice = app.sign_in(ORIGIN_A, ALICE).await;
    let bob = app.sign_in(ORIGIN_A, BOB).await;
    for (handle, who) in [(&alice, "Alice"), (&bob, "Bob")] {
        let created = post(app, handle, "/api/appointments", appointment(who)).await;
        assert_eq!(
            created.status(),
            StatusCode::CREATED,
            "{}",
            json(created).await
        );
        let created = post(app, handle, "/api/tasks", json!({"subject": who})).await;
        assert_eq!(created.status(), StatusCode::CREATED);
    }
    for mailbox in [ALICE, BOB] {
        assert_eq!(stored(app, mailbox, "calendar").await, 1, "{mailbox}");
        assert_eq!(stored(app, mailbox, "tasks").await, 1, "{mailbox}");
    }
    // The service account itself has no items: every request acted for a user.
    assert_eq!(stored(app, ACCOUNT, "tasks").await, 0);
    assert_eq!(task_subjects(app, &alice).await, ["Alice"]);
    assert_eq!(task_subjects(app, &bob).await, ["Bob"]);
}

#[tokio::test]
async fn ntlm_acts_for_each_signed_in_user_over_one_authenticated_connection() {
    let dir = TempDir::new().unwrap();
    let (app, relay) = spawn_ntlm_behind_relay(&dir).await;

    each_user_gets_their_own_items(&app).await;
    // Four creates and two listings, one after the other: one connection, signed in once.
    assert_eq!(relay.connections(), 1);
    let sandbox = app.state.sandbox.as_ref().unwrap();
    assert_eq!(sandbox.service_accounts.ntlm_sign_ins(), 1);
}

#[tokio::test]
async fn a_connection_the_server_signed_out_is_replaced_by_a_new_signed_in_one() {
    let dir = TempDir::new().unwrap();
    let (app, relay) = spawn_ntlm_behind_relay(&dir).await;
    let alice = app.sign_in(ORIGIN_A, ALICE).await;
    let first = post(&app, &alice, "/api/tasks", json!({"subject": "Before"})).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let sandbox = app.state.sandbox.as_ref().unwrap();
    sandbox.service_accounts.sign_out_all();
    // The reused connection gets 401; the request goes again on a new, signed-in connection.
    let second = post(&app, &alice, "/api/tasks", json!({"subject": "After"})).await;
    assert_eq!(second.status(), StatusCode::CREATED);
    assert_eq!(stored(&app, ALICE, "tasks").await, 2);
    assert_eq!(relay.connections(), 2);
    assert_eq!(sandbox.service_accounts.ntlm_sign_ins(), 2);
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
    assert_eq!(sandbox.service_accounts.ntlm_sign_ins(), 0);
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
        sandbox.service_accounts.ntlm_sign_ins(),
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

/// Warn lines logged while `run` runs (this test's thread only).
async fn warnings_during<T>(run: impl std::future::Future<Output = T>) -> (T, String) {
    let logs = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_ansi(false)
        .with_writer(logs.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    let output = run.await;
    drop(guard);
    let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    (output, text)
}

/// Creates a task as Alice, which must fail with 502 exchange_error and log `advice` once at
/// warn; returns the message the API answered.
async fn failed_create(app: &TestApp, advice: &str) -> String {
    let alice = app.sign_in(ORIGIN_A, ALICE).await;
    let (response, logs) =
        warnings_during(post(app, &alice, "/api/tasks", json!({"subject": "x"}))).await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let body = json(response).await;
    assert_eq!(body["error"], "exchange_error", "{body}");
    assert_eq!(logs.matches(advice).count(), 1, "{logs}");
    assert!(logs.contains(" WARN "), "{logs}");
    for secret in ["Wrong-Horse-8", PASSWORD] {
        assert!(!logs.contains(secret), "the password was logged: {logs}");
    }
    // The user's sign-in is not thrown away for the proxy's own problem.
    let status = json(app.auth_status(ORIGIN_A, Some(&alice)).await).await;
    assert_eq!(status["authorized"], true, "{status}");
    assert_eq!(stored(app, ALICE, "tasks").await, 0);
    body["message"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_wrong_service_account_password_names_what_to_check_and_is_never_logged() {
    for auth in [
        EwsAuth::Ntlm(account("Wrong-Horse-8")),
        EwsAuth::Basic(account("Wrong-Horse-8")),
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
    let file = app.data_dir.join("check.toml");
    std::fs::write(
        &file,
        format!(
            "allow_insecure_http = [\"{base}\"]\n[ews]\nendpoint = \"{base}/sandbox/ews/Exchange.asmx\"\n\
             auth = \"ntlm\"\n[ews.service_account]\nusername = \"SANDBOX\\\\svc-forms\"\n",
            base = app.base
        ),
    )
    .unwrap();
    let (mailbox, password) = (mailbox.to_owned(), password.to_owned());
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_exchange-forms-proxy"))
            .args(["check-config", "--config"])
            .arg(&file)
            .args(["--mailbox", &mailbox])
            .env("XF_EWS_SERVICE_ACCOUNT_PASSWORD", &password)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_config_signs_in_and_reads_the_named_mailbox() {
    let dir = TempDir::new().unwrap();
    let app = spawn_service_account(&dir, EwsAuth::Ntlm(account(PASSWORD)), true, None).await;
    let (ok, out, err) = check_config(&app, ALICE, PASSWORD).await;
    assert!(ok, "{out}{err}");
    assert!(
        out.starts_with("ok: signed in to ")
            && out.contains(
                "as SANDBOX\\svc-forms (ntlm) and read the calendar of alice@sandbox.test"
            ),
        "{out}"
    );

    let (ok, out, err) = check_config(&app, "ghost@elsewhere.example", PASSWORD).await;
    assert!(!ok && out.is_empty(), "{out}");
    assert!(err.contains("ErrorNonExistentMailbox"), "{err}");

    let (ok, _, err) = check_config(&app, ALICE, "Wrong-Horse-8").await;
    assert!(!ok);
    assert!(
        err.contains("refused the service account") && !err.contains("Wrong-Horse-8"),
        "{err}"
    );
}
