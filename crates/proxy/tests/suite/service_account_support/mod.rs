//! Harness for the service-account tests: the proxy in sandbox mode with its EWS client signed
//! in as a service account (the sandbox accepting it), relays that count connections (plain or
//! TLS), and helpers to act through the JSON API.
#![allow(dead_code)] // each test binary uses a different part of the harness

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::auth_support::*;
use proxy::auth::clock::OffsetClock;
use proxy::config::{Config, EwsAuth, ServiceAccount};
use reqwest::Method;
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use secrecy::SecretString;
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::net::{TcpListener, TcpStream};

pub const ACCOUNT: &str = "sandbox\\svc-forms";
pub const PASSWORD: &str = "Correct-Horse-7";
pub const ALICE: &str = "alice@sandbox.test";
pub const BOB: &str = "bob@sandbox.test";

pub fn account(password: &str) -> ServiceAccount {
    ServiceAccount {
        username: ACCOUNT.into(),
        password: SecretString::from(password.to_owned()),
    }
}

/// A TCP relay in front of the proxy's sandbox endpoint that counts the connections it
/// accepts (each is relayed over one connection of its own, so NTLM's per-connection
/// sign-in survives the relay).
pub struct CountingRelay {
    pub address: SocketAddr,
    upstream: Arc<std::sync::Mutex<Option<SocketAddr>>>,
    connections: Arc<AtomicUsize>,
    /// What the proxy sent on plain connections, in order (what a listener on the wire sees).
    sent: Arc<std::sync::Mutex<Vec<u8>>>,
}

impl CountingRelay {
    pub async fn spawn() -> Self {
        Self::spawn_with(None).await
    }

    /// As [`CountingRelay::spawn`], ending TLS with `tls` first (an https endpoint).
    pub async fn spawn_with(tls: Option<tokio_rustls::TlsAcceptor>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let upstream = Arc::new(std::sync::Mutex::new(None::<SocketAddr>));
        let connections = Arc::new(AtomicUsize::new(0));
        let sent = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (to, count, record) = (upstream.clone(), connections.clone(), sent.clone());
        tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                let target = to.lock().unwrap().expect("upstream set");
                let (tls, record) = (tls.clone(), record.clone());
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(target).await else {
                        return;
                    };
                    match tls {
                        None => recorded_copy(inbound, outbound, record).await,
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
            sent,
        }
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// The first HTTP request the proxy sent through the relay, whole (head and body).
    pub fn first_request(&self) -> Vec<u8> {
        let sent = self.sent.lock().unwrap();
        let head_end = sent.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        let head = String::from_utf8_lossy(&sent[..head_end]).to_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .map_or(0, |v| v.trim().parse().unwrap());
        sent[..head_end + length].to_vec()
    }
}

/// Relays both ways, appending what `inbound` sends to `record`.
async fn recorded_copy(
    inbound: TcpStream,
    outbound: TcpStream,
    record: Arc<std::sync::Mutex<Vec<u8>>>,
) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let (mut from_proxy, mut to_proxy) = inbound.into_split();
    let (mut from_server, mut to_server) = outbound.into_split();
    let up = async move {
        let mut buffer = vec![0u8; 16 * 1024];
        while let Ok(n @ 1..) = from_proxy.read(&mut buffer).await {
            record.lock().unwrap().extend_from_slice(&buffer[..n]);
            if to_server.write_all(&buffer[..n]).await.is_err() {
                break;
            }
        }
        let _ = to_server.shutdown().await;
    };
    let down = tokio::io::copy(&mut from_server, &mut to_proxy);
    let _ = tokio::join!(up, down);
}

/// The proxy in sandbox mode with `auth` towards EWS and the sandbox accepting `ACCOUNT` /
/// `PASSWORD`; `impersonator` grants the account ApplicationImpersonation; `endpoint`
/// replaces the proxy's own sandbox URL.
pub async fn spawn_service_account(
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

pub fn service_account_mode(config: &mut Config, auth: EwsAuth, impersonator: bool) {
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
pub async fn spawn_ntlm_behind_relay(dir: &TempDir) -> (TestApp, CountingRelay) {
    relayed(dir, CountingRelay::spawn().await, "http", |_| {}).await
}

/// The proxy with its EWS calls going through `relay` (`scheme` = how the relay is reached),
/// `adjust` applied to its configuration.
pub async fn relayed(
    dir: &TempDir,
    relay: CountingRelay,
    scheme: &str,
    adjust: impl FnOnce(&mut Config) + Send + 'static,
) -> (TestApp, CountingRelay) {
    let host = relay.address.ip().to_string();
    relayed_as(dir, relay, scheme, &host, adjust).await
}

/// As [`relayed`], the endpoint naming the relay by `host` (e.g. `localhost`, for a Kerberos
/// service principal `HTTP/localhost`).
pub async fn relayed_as(
    dir: &TempDir,
    relay: CountingRelay,
    scheme: &str,
    host: &str,
    adjust: impl FnOnce(&mut Config) + Send + 'static,
) -> (TestApp, CountingRelay) {
    let endpoint = format!(
        "{scheme}://{host}:{}/sandbox/ews/Exchange.asmx",
        relay.address.port()
    );
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
pub async fn tls_relay() -> CountingRelay {
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

pub fn test_ca() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls/ca.pem")
}

pub async fn post(app: &TestApp, handle: &str, path: &str, body: Value) -> reqwest::Response {
    app.with_session(ORIGIN_A, handle, Method::POST, path)
        .header(CONTENT_TYPE, "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

pub fn appointment(subject: &str) -> Value {
    json!({
        "subject": subject,
        "start": "2026-12-01T09:00",
        "end": "2026-12-01T10:00",
        "location": "Room 1",
        "body": "",
        "timeZone": "Europe/Paris"
    })
}

pub async fn stored(app: &TestApp, mailbox: &str, folder: &str) -> u32 {
    let sandbox = app.state.sandbox.as_ref().unwrap();
    sandbox
        .mailbox()
        .store
        .count(mailbox, folder)
        .await
        .unwrap()
}

/// Alice and Bob each create an appointment and a task; each lands in its owner's mailbox.
pub async fn each_user_gets_their_own_items(app: &TestApp) {
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

/// (NTLM, Kerberos) sign-ins the sandbox accepted.
pub fn sign_ins(app: &TestApp) -> (u64, u64) {
    let accounts = &app
        .state
        .sandbox
        .as_ref()
        .unwrap()
        .mailbox()
        .service_accounts;
    (accounts.ntlm_sign_ins(), accounts.kerberos_sign_ins())
}

/// The subjects of `handle`'s tasks, through the API.
pub async fn task_subjects(app: &TestApp, handle: &str) -> Vec<String> {
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

/// Warn lines logged while `run` runs (this test's thread only).
pub async fn warnings_during<T>(run: impl std::future::Future<Output = T>) -> (T, String) {
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
pub async fn failed_create(app: &TestApp, advice: &str) -> String {
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

/// `exchange-forms-proxy check-config --mailbox ADDRESS` with the service account signing in
/// with NTLM (`password`) and `ews_lines` in `[ews]` (where Exchange is), this proxy allowed
/// over plain http: (exit success, stdout, stderr).
pub async fn check_config_ntlm(
    app: &TestApp,
    ews_lines: &str,
    mailbox: &str,
    password: &str,
) -> (bool, String, String) {
    let file = app.data_dir.join("check.toml");
    std::fs::write(
        &file,
        format!(
            "allow_insecure_http = [\"{base}\"]\n[ews]\n{ews_lines}\n\
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
