//! Test harness: the proxy on port 0 in sandbox mode, a tiny OIDC userinfo endpoint standing in
//! for the authorization server, and a fixed-caller authorizer.
#![allow(dead_code)] // each test binary uses a different part of the harness

pub mod faults;
/// SOAP client helpers for the sandbox mailbox, shared with the sandbox crate's own tests.
#[path = "../../../../sandbox/tests/suite/common/mailbox.rs"]
pub mod mailbox;
/// The stand-in authorization server's userinfo endpoint and its users, shared with the
/// sandbox crate's own tests.
#[path = "../../../../sandbox/tests/suite/common/userinfo.rs"]
pub mod userinfo;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::http::header;
use axum::http::request::Parts;
use proxy::config::{Config, ConfigLayer};
use proxy::session::{Authorizer, Caller, CallerError};
use proxy::{AppState, Application};
use secrecy::SecretString;
pub use userinfo::*;

/// A caller with a fixed Exchange token (what the auth module provides for real).
pub struct TestAuthorizer {
    pub caller: Caller,
    pub token: Mutex<String>,
    pub rejected: AtomicUsize,
}

impl TestAuthorizer {
    pub fn new(user: &str, token: &str) -> Arc<Self> {
        Arc::new(Self {
            caller: Caller {
                user_id: user.to_owned(),
                display_name: user.to_owned(),
                mailbox: Some(user.to_owned()),
            },
            token: Mutex::new(token.to_owned()),
            rejected: AtomicUsize::new(0),
        })
    }

    pub fn set_token(&self, token: &str) {
        *self.token.lock().unwrap() = token.to_owned();
    }
}

#[async_trait::async_trait]
impl Authorizer for TestAuthorizer {
    async fn caller(&self, parts: &Parts) -> Result<Caller, CallerError> {
        // Mirrors the real contract: no session handle, no caller.
        match parts.headers.get(header::AUTHORIZATION) {
            Some(_) => Ok(self.caller.clone()),
            None => Err(CallerError::AuthorizationRequired {
                reason: "no session".into(),
            }),
        }
    }

    async fn exchange_token(&self, _caller: &Caller) -> Result<SecretString, CallerError> {
        Ok(SecretString::from(self.token.lock().unwrap().clone()))
    }

    async fn token_rejected(&self, _caller: &Caller) {
        self.rejected.fetch_add(1, Ordering::SeqCst);
    }
}

/// A static directory shaped like the repository root.
pub fn static_dir(root: &Path) -> PathBuf {
    let dir = root.join("static");
    std::fs::create_dir_all(dir.join("www")).unwrap();
    std::fs::create_dir_all(dir.join("pkg")).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>exchange-forms</title>",
    )
    .unwrap();
    std::fs::write(dir.join("www/exchange-forms.css"), "form{}").unwrap();
    std::fs::write(dir.join("www/exchange-form.js"), "export {}").unwrap();
    std::fs::write(
        dir.join("pkg/exchange_forms.js"),
        "export default function init(){}",
    )
    .unwrap();
    std::fs::write(dir.join("pkg/exchange_forms_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(dir.join("Cargo.toml"), "[package]").unwrap();
    dir
}

pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub state: AppState,
    pub client: reqwest::Client,
    pub authorizer: Arc<TestAuthorizer>,
    pub data_dir: PathBuf,
    pub server: tokio::task::JoinHandle<()>,
}

pub struct Options {
    pub data_dir: PathBuf,
    pub static_dir: PathBuf,
    pub userinfo: SocketAddr,
    /// `None`: the proxy's own sandbox; else e.g. a fault-injecting upstream.
    pub ews_endpoint: Option<String>,
    pub retry_budget_seconds: u64,
    pub timeout_seconds: u64,
    pub authorizer: Arc<TestAuthorizer>,
    /// Extra TOML lines for the `[ews]` section.
    pub ews_extra: String,
    /// Extra TOML lines for the `[sandbox]` section.
    pub sandbox_extra: String,
    /// Extra TOML lines for the `[server]` section.
    pub server_extra: String,
}

impl Harness {
    pub fn options(&self) -> Options {
        Options {
            data_dir: self.dir.path().join("data"),
            static_dir: static_dir(self.dir.path()),
            userinfo: self.userinfo,
            ews_endpoint: None,
            retry_budget_seconds: 30,
            timeout_seconds: 5,
            authorizer: TestAuthorizer::new(ALICE, ALICE_TOKEN),
            ews_extra: String::new(),
            sandbox_extra: String::new(),
            server_extra: String::new(),
        }
    }

    pub async fn spawn(&self) -> TestApp {
        spawn_app(self.options()).await
    }
}

pub fn config(options: &Options) -> Config {
    Config::resolve([config_layer(options)]).unwrap()
}

/// The harness's settings as a configuration file would give them (tests stack more layers).
pub fn config_layer(options: &Options) -> ConfigLayer {
    let text = format!(
        r#"
bind = "127.0.0.1"
port = 0
data_dir = "{data}"
static_dir = "{static_dir}"
[server]
{server_extra}
[sandbox]
enabled = true
userinfo_url = "http://{userinfo}/userinfo"
{sandbox_extra}
[ews]
timeout_seconds = {timeout}
retry_budget_seconds = {budget}
max_retries = 6
{endpoint}
{extra}
"#,
        data = options.data_dir.display(),
        static_dir = options.static_dir.display(),
        userinfo = options.userinfo,
        timeout = options.timeout_seconds,
        budget = options.retry_budget_seconds,
        extra = options.ews_extra,
        sandbox_extra = options.sandbox_extra,
        server_extra = options.server_extra,
        endpoint = options
            .ews_endpoint
            .as_ref()
            .map(|e| format!("endpoint = \"{e}\""))
            .unwrap_or_default(),
    );
    ConfigLayer::from_toml(&text, Path::new("test.toml")).unwrap()
}

/// zero2prod's spawn_app: the real server on a free port, in the background.
pub async fn spawn_app(options: Options) -> TestApp {
    let config = config(&options);
    spawn_configured(config, options).await
}

/// As [`spawn_app`], with a configuration the test resolved itself.
pub async fn spawn_configured(config: Config, options: Options) -> TestApp {
    let authorizer = options.authorizer.clone();
    let application = Application::build_with_authorizer(config, Some(authorizer.clone()))
        .await
        .unwrap();
    let port = application.port();
    let state = application.state().clone();
    let server = tokio::spawn(async move {
        let _ = application.run_until_stopped().await;
    });
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        state,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        authorizer,
        data_dir: options.data_dir,
        server,
    }
}

impl TestApp {
    /// A request as the widget sends it (with a session handle).
    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.client
            .post(format!("{}{path}", self.address))
            .bearer_auth("session-handle")
    }

    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.client
            .get(format!("{}{path}", self.address))
            .bearer_auth("session-handle")
    }

    /// `GET path` with a session handle, read as JSON (panics on anything else).
    pub async fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        self.get(path).send().await.unwrap().json().await.unwrap()
    }

    /// `POST /api/appointments` of [`appointment_json`].
    pub async fn create_appointment(&self, subject: &str) -> reqwest::Response {
        self.post("/api/appointments")
            .json(&appointment_json(subject))
            .send()
            .await
            .unwrap()
    }

    pub async fn stop(self) {
        self.server.abort();
        let _ = self.server.await;
    }

    /// Items in a sandbox mailbox folder, straight from SQLite.
    pub async fn stored(&self, mailbox: &str, folder: &str) -> u32 {
        self.state
            .sandbox
            .as_ref()
            .unwrap()
            .mailbox()
            .store
            .count(mailbox, folder)
            .await
            .unwrap()
    }
}

/// `/api/{kind}/{id}` with the id percent-encoded, as the widget sends it.
pub fn item_path(kind: &str, id: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    format!("/api/{kind}/{}", encoded.replace('+', "%20"))
}

pub fn appointment_json(subject: &str) -> serde_json::Value {
    serde_json::json!({
        "subject": subject,
        "start": "2026-12-01T09:00",
        "end": "2026-12-01T10:30",
        "location": "Room 4.12",
        "body": "Agenda: <b>budget</b> & \"risks\"",
        "timeZone": "Europe/Paris"
    })
}

/// A confidential client on the `microsoft_ews` preset, as environment variables.
pub const MICROSOFT_EWS_SIGN_IN: &[(&str, &str)] = &[
    ("XF_AUTH_PRESET", "microsoft_ews"),
    ("XF_AUTH_TENANT", "contoso.onmicrosoft.com"),
    ("XF_AUTH_CLIENT_ID", "00000000-0000-0000-0000-000000000000"),
    ("XF_AUTH_CLIENT_SECRET", "secret"),
    (
        "XF_TOKEN_KEY",
        "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=",
    ),
];

pub const DECEMBER: &str = "start=2026-12-01T00:00:00Z&end=2026-12-02T00:00:00Z";

/// `exchange-forms-proxy serve --port 0` with a fresh data directory under `dir`, then `args`
/// and `env`; no configuration file, endpoint, sandbox or backend from the test's environment.
pub fn serve_command(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_exchange-forms-proxy"));
    command
        .args(["serve", "--port", "0", "--data-dir"])
        .arg(dir.join("data"))
        .arg("--static-dir")
        .arg(dir)
        .args(args)
        .env_remove("XF_EWS_ENDPOINT")
        .env_remove("XF_CONFIG")
        .env_remove("XF_SANDBOX")
        .env_remove("XF_BACKEND")
        .envs(env.iter().copied());
    command
}

/// Runs [`serve_command`], expecting it to refuse to start: returns
/// its stderr, and fails the test if it is still running after 20 s.
pub fn serve_refused(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let mut child = serve_command(dir, args, env)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(20) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the proxy started although its configuration should have been refused");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    assert!(!output.status.success());
    String::from_utf8_lossy(&output.stderr).into_owned()
}
