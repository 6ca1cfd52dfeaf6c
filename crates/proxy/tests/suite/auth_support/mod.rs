//! Harness for the authorization tests: the real proxy (sandbox mode, built-in development
//! authorization server) on port 0, a clock the tests can move, and a browser stand-in that
//! walks the sign-in and consent pages with plain HTTP form posts (redirects not followed, so
//! every hop is visible).
#![allow(dead_code)] // each test binary uses a different part of the harness

use std::path::{Path, PathBuf};
use std::sync::Arc;

use proxy::auth::clock::OffsetClock;
use proxy::config::{Config, ConfigLayer};
use proxy::{AppState, Application};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, LOCATION, ORIGIN};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::Value;
use tempfile::TempDir;

/// The embedding page's origin (allowed in the test configuration).
pub const ORIGIN_A: &str = "http://localhost:5173";
/// Another allowed origin (a handle issued to A must not work from B).
pub const ORIGIN_B: &str = "http://localhost:5174";
/// Not allowed anywhere.
pub const EVIL: &str = "https://evil.example";
/// Known to the dev server too, so tests can call its token endpoint directly.
pub const CLIENT_ID: &str = "exchange-forms-sandbox";
pub const CLIENT_SECRET: &str = "test-client-secret-0123456789";

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    /// The browser: follows no redirect, keeps cookies (the flow's binding cookie).
    pub client: reqwest::Client,
    /// The browser's non-exportable key (the widget's WebCrypto key): signs DPoP proofs.
    pub key: p256::ecdsa::SigningKey,
    /// Secrets of the flows this browser started, by flow id (the widget keeps them too).
    secrets: std::sync::Mutex<std::collections::HashMap<String, String>>,
    pub clock: Arc<OffsetClock>,
    pub data_dir: PathBuf,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

pub fn config(data_dir: &Path, static_dir: &Path, extra_auth: &str) -> Config {
    config_with_origins(data_dir, static_dir, &[ORIGIN_A, ORIGIN_B], extra_auth)
}

/// As [`config`], with `origins` as `allowed_origins`.
pub fn config_with_origins(
    data_dir: &Path,
    static_dir: &Path,
    origins: &[&str],
    extra_auth: &str,
) -> Config {
    let origins = serde_json::to_string(origins).expect("origins as a TOML array");
    let text = format!(
        r#"
bind = "127.0.0.1"
port = 0
data_dir = "{data}"
static_dir = "{static_dir}"
allowed_origins = {origins}
[sandbox]
enabled = true
[auth]
client_secret = "{CLIENT_SECRET}"
{extra_auth}
"#,
        data = data_dir.display(),
        static_dir = static_dir.display(),
    );
    let layer =
        ConfigLayer::from_toml(&text, Path::new("auth-test.toml")).expect("test config parses");
    Config::resolve([layer]).expect("test config resolves")
}

/// Production mode (no sandbox) with its data under `data_dir`: `top` adds top-level keys,
/// `auth` lines of `[auth]` (which has a client and scopes already). With explicit endpoints
/// nothing is contacted at start. Errors are the resolution's message.
pub fn production_config(
    data_dir: &Path,
    top: &str,
    ews_endpoint: &str,
    auth: &str,
) -> Result<Config, String> {
    let text = format!(
        r#"
bind = "127.0.0.1"
port = 0
data_dir = "{data}"
static_dir = "{data}"
{top}
[sandbox]
enabled = false
[ews]
endpoint = "{ews_endpoint}"
[auth]
client_id = "forms"
client_secret = "s"
scopes = "openid offline_access"
{auth}
"#,
        data = data_dir.display(),
    );
    let layer = ConfigLayer::from_toml(&text, Path::new("prod.toml")).expect("test config parses");
    Config::resolve([layer]).map_err(|e| e.to_string())
}

/// A proxy in sandbox mode with its data under `dir` (reuse `dir` to "restart" it).
pub async fn spawn_in(dir: &Path, extra_auth: &str, clock: Arc<OffsetClock>) -> TestApp {
    spawn_with(dir, &[ORIGIN_A, ORIGIN_B], extra_auth, clock, |_| {}).await
}

/// As [`spawn_in`], with `origins` as `allowed_origins`.
pub async fn spawn_in_with_origins(
    dir: &Path,
    origins: &[&str],
    extra_auth: &str,
    clock: Arc<OffsetClock>,
) -> TestApp {
    spawn_with(dir, origins, extra_auth, clock, |_| {}).await
}

/// As [`spawn_in`], with the configuration changed by `adjust` first (e.g. its `public_url`).
pub async fn spawn_adjusted(
    dir: &Path,
    extra_auth: &str,
    clock: Arc<OffsetClock>,
    adjust: impl FnOnce(&mut Config),
) -> TestApp {
    spawn_with(dir, &[ORIGIN_A, ORIGIN_B], extra_auth, clock, adjust).await
}

async fn spawn_with(
    dir: &Path,
    origins: &[&str],
    extra_auth: &str,
    clock: Arc<OffsetClock>,
    adjust: impl FnOnce(&mut Config),
) -> TestApp {
    let data_dir = dir.join("data");
    let static_dir = dir.join("static");
    std::fs::create_dir_all(&static_dir).expect("static dir");
    let mut config = config_with_origins(&data_dir, &static_dir, origins, extra_auth);
    adjust(&mut config);
    let application = Application::build_with_auth_clock(config, clock.clone())
        .await
        .expect("proxy starts");
    let base = format!("http://127.0.0.1:{}", application.port());
    let state = application.state().clone();
    let server = tokio::spawn(async move {
        let _ = application.run_until_stopped().await;
    });
    TestApp {
        base,
        state,
        client: browser(),
        key: new_key(),
        secrets: Default::default(),
        clock,
        data_dir,
        server,
    }
}

/// `[auth]` lines for tests that sign in many users from one address and origin.
pub const NO_FLOW_LIMITS: &str =
    "[auth.flow_limits]\nper_address_per_minute = 0\nper_origin_per_minute = 0\n";

/// An HTTP client that acts as one browser: its own cookie jar, no redirects followed.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("client")
}

/// A fresh P-256 key, as the widget makes one.
pub fn new_key() -> p256::ecdsa::SigningKey {
    p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng)
}

/// A DPoP proof (RFC 9449) as the widget signs one: for `method` and `url`, dated `iat`, and
/// naming the session `handle` presented with it, if any.
pub fn dpop_proof(
    key: &p256::ecdsa::SigningKey,
    method: &Method,
    url: &str,
    iat: i64,
    handle: Option<&str>,
) -> String {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    use p256::ecdsa::signature::Signer as _;
    use sha2::Digest as _;
    let point = key.verifying_key().to_encoded_point(false);
    let (Some(x), Some(y)) = (point.x(), point.y()) else {
        panic!("an uncompressed point has coordinates");
    };
    let header = serde_json::json!({
        "typ": "dpop+jwt",
        "alg": "ES256",
        "jwk": {"kty": "EC", "crv": "P-256", "x": B64.encode(x), "y": B64.encode(y)},
    });
    let htu = url.split(['?', '#']).next().unwrap_or(url);
    let mut claims = serde_json::json!({
        "htm": method.as_str(),
        "htu": htu,
        "iat": iat,
        "jti": uuid::Uuid::new_v4().to_string(),
    });
    if let Some(handle) = handle {
        claims["ath"] = serde_json::json!(B64.encode(sha2::Sha256::digest(handle.as_bytes())));
    }
    let input = format!(
        "{}.{}",
        B64.encode(header.to_string()),
        B64.encode(claims.to_string())
    );
    let signature: p256::ecdsa::Signature = key.sign(input.as_bytes());
    format!("{input}.{}", B64.encode(signature.to_bytes()))
}

/// A fresh flow secret and the base64url SHA-256 the widget sends of it.
pub fn flow_secret() -> (String, String) {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use sha2::Digest as _;
    let secret = URL_SAFE_NO_PAD.encode(uuid::Uuid::new_v4().as_bytes().repeat(2));
    let hash = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(secret.as_bytes()));
    (secret, hash)
}

pub async fn spawn(dir: &TempDir) -> TestApp {
    spawn_in(dir.path(), "", Arc::new(OffsetClock::new())).await
}

pub async fn json(response: Response) -> Value {
    let bytes = response.bytes().await.expect("body");
    serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)))
}

/// `name="request" value="…"` of the dev server's forms.
pub fn request_id(html: &str) -> String {
    let marker = "name=\"request\" value=\"";
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no request field in: {html}"))
        + marker.len();
    let end = html[start..].find('"').expect("closing quote") + start;
    html[start..end].to_owned()
}

pub fn location(response: &Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no Location on a {} answer", response.status()))
        .to_owned()
}

/// A started flow, bound to the harness's browser as the widget's popup binds it.
pub struct Flow {
    pub id: String,
    /// The proxy's start page the widget opens.
    pub start_url: String,
    /// The authorization server's URL the start page redirected to after binding.
    pub authorize_url: String,
    pub secret: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request as the widget on `origin` sends it.
    pub fn from(&self, origin: &str, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .header(ORIGIN, origin)
    }

    /// A proof by this browser's key, dated by the proxy's clock.
    pub fn proof(&self, method: &Method, path: &str, handle: Option<&str>) -> String {
        use proxy::auth::clock::Clock as _;
        let iat = self.clock.now().timestamp();
        dpop_proof(&self.key, method, &self.url(path), iat, handle)
    }

    /// A request with this browser's session: `Authorization: DPoP <handle>` and a fresh proof.
    pub fn with_session(
        &self,
        origin: &str,
        handle: &str,
        method: Method,
        path: &str,
    ) -> RequestBuilder {
        let proof = self.proof(&method, path, Some(handle));
        self.from(origin, method, path)
            .header(AUTHORIZATION, format!("DPoP {handle}"))
            .header("DPoP", proof)
    }

    /// `POST /api/auth/flows` with a proof of this browser's key (the session will be bound to it).
    pub async fn start_flow_raw(&self, origin: &str, body: &str) -> Response {
        let proof = self.proof(&Method::POST, "/api/auth/flows", None);
        self.from(origin, Method::POST, "/api/auth/flows")
            .header("DPoP", proof)
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_owned())
            .send()
            .await
            .expect("start flow")
    }

    /// The body of `POST /api/auth/flows` for a new secret (remembered for polling).
    pub fn new_flow_body(&self, return_to: Option<&str>) -> (String, String) {
        let (secret, hash) = flow_secret();
        let mut body = serde_json::json!({ "secretHash": hash });
        if let Some(r) = return_to {
            body["returnTo"] = serde_json::json!(r);
        }
        (secret, body.to_string())
    }

    /// Starts a popup flow from `origin` without binding it: `(id, start page, secret)`.
    pub async fn start_unbound(&self, origin: &str) -> (String, String, String) {
        let (secret, body) = self.new_flow_body(None);
        let response = self.start_flow_raw(origin, &body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let body = json(response).await;
        let id = body["flowId"].as_str().expect("flowId").to_owned();
        self.remember_secret(&id, &secret);
        let start = body["authorizeUrl"]
            .as_str()
            .expect("authorizeUrl")
            .to_owned();
        (id, start, secret)
    }

    pub fn remember_secret(&self, flow_id: &str, secret: &str) {
        self.secrets
            .lock()
            .expect("secrets")
            .insert(flow_id.to_owned(), secret.to_owned());
    }

    /// Posts the secret to the start page as the popup does (from the proxy's own origin).
    pub async fn bind(&self, start_url: &str, secret: &str, origin: &str) -> Response {
        bind_in(&self.client, start_url, secret, origin).await
    }

    /// Rows in a table of the proxy's database.
    pub async fn rows(&self, table: &str) -> i64 {
        use sqlx::Row as _;
        sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
            .fetch_one(&self.db().await)
            .await
            .expect("count")
            .get("n")
    }

    /// The proxy's SQLite database, opened beside the proxy (as an operator would).
    pub async fn db(&self) -> sqlx::SqlitePool {
        proxy::db::open(&self.data_dir.join("proxy.sqlite"))
            .await
            .expect("the proxy's database opens")
    }
}

/// Posts a flow secret to a start page from `client` with the given `Origin`.
pub async fn bind_in(
    client: &reqwest::Client,
    start_url: &str,
    secret: &str,
    origin: &str,
) -> Response {
    {
        client
            .post(start_url)
            .header(ORIGIN, origin)
            .form(&[("secret", secret)])
            .send()
            .await
            .expect("bind")
    }
}

impl TestApp {
    /// A popup flow from `origin`, bound to this browser, ready for the authorization server.
    pub async fn start_flow(&self, origin: &str) -> Flow {
        let (id, start_url, secret) = self.start_unbound(origin).await;
        let bound = self.bind(&start_url, &secret, &self.base).await;
        assert_eq!(
            bound.status(),
            StatusCode::SEE_OTHER,
            "the start page binds"
        );
        Flow {
            id,
            start_url,
            authorize_url: location(&bound),
            secret,
        }
    }

    /// Walks the dev server's pages as a browser would: sign-in page, pick `user`, consent
    /// page, press `decision` ("allow" / "deny"). Returns the redirect back to the proxy.
    pub async fn authorize(&self, authorize_url: &str, user: &str, decision: &str) -> String {
        self.authorize_in(&self.client, authorize_url, user, decision)
            .await
    }

    /// [`TestApp::authorize`] in another browser (`client`).
    pub async fn authorize_in(
        &self,
        client: &reqwest::Client,
        authorize_url: &str,
        user: &str,
        decision: &str,
    ) -> String {
        let page = client
            .get(authorize_url)
            .send()
            .await
            .expect("authorize page");
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.expect("html");
        assert!(
            html.contains("name=\"user\""),
            "sign-in page lists users: {html}"
        );
        let consent = client
            .post(self.url("/sandbox/oauth/signin"))
            .form(&[("request", request_id(&html).as_str()), ("user", user)])
            .send()
            .await
            .expect("sign in");
        assert_eq!(consent.status(), StatusCode::OK);
        let html = consent.text().await.expect("html");
        assert!(
            html.contains(">Allow</button>") && html.contains(">Deny</button>"),
            "{html}"
        );
        let decided = client
            .post(self.url("/sandbox/oauth/consent"))
            .form(&[
                ("request", request_id(&html).as_str()),
                ("decision", decision),
            ])
            .send()
            .await
            .expect("consent");
        assert_eq!(decided.status(), StatusCode::SEE_OTHER);
        location(&decided)
    }

    pub async fn follow(&self, url: &str) -> Response {
        self.client.get(url).send().await.expect("callback")
    }

    /// Polls as the widget that started the flow does (with its secret).
    pub async fn poll(&self, origin: &str, flow_id: &str, wait: u64) -> Response {
        let secret = self.secrets.lock().expect("secrets").get(flow_id).cloned();
        self.poll_with_secret(origin, flow_id, wait, secret.as_deref())
            .await
    }

    pub async fn poll_with_secret(
        &self,
        origin: &str,
        flow_id: &str,
        wait: u64,
        secret: Option<&str>,
    ) -> Response {
        let mut request = self.from(
            origin,
            Method::GET,
            &format!("/api/auth/flows/{flow_id}?wait={wait}"),
        );
        if let Some(secret) = secret {
            request = request.header("Flow-Secret", secret);
        }
        request.send().await.expect("poll")
    }

    /// The whole popup flow for `user` from `origin`; returns the session handle.
    pub async fn sign_in(&self, origin: &str, user: &str) -> String {
        let flow = self.start_flow(origin).await;
        let callback = self.authorize(&flow.authorize_url, user, "allow").await;
        let page = self.follow(&callback).await;
        assert_eq!(page.status(), StatusCode::OK);
        let status = json(self.poll(origin, &flow.id, 5).await).await;
        assert_eq!(status["status"], "done", "{status}");
        status["sessionHandle"]
            .as_str()
            .expect("session handle")
            .to_owned()
    }

    pub async fn auth_status(&self, origin: &str, handle: Option<&str>) -> Response {
        let request = match handle {
            Some(h) => self.with_session(origin, h, Method::GET, "/api/auth/status"),
            None => self.from(origin, Method::GET, "/api/auth/status"),
        };
        request.send().await.expect("status")
    }

    pub async fn create_task(&self, origin: &str, handle: &str, subject: &str) -> Response {
        self.with_session(origin, handle, Method::POST, "/api/tasks")
            .header(CONTENT_TYPE, "application/json")
            .body(serde_json::json!({"subject": subject}).to_string())
            .send()
            .await
            .expect("create task")
    }

    pub async fn list_tasks(&self, origin: &str, handle: &str) -> Response {
        self.with_session(origin, handle, Method::GET, "/api/tasks")
            .send()
            .await
            .expect("list tasks")
    }

    /// The operator token the development authorization server wrote into the data directory
    /// at start (its admin endpoints require it).
    pub fn operator_token(&self) -> String {
        std::fs::read_to_string(self.data_dir.join("sandbox-admin.token"))
            .expect("the operator token file")
    }

    /// The development authorization server.
    pub fn dev_server(&self) -> Arc<sandbox::dev_auth::DevAuthServer> {
        self.state
            .auth
            .as_ref()
            .and_then(|a| a.dev_server.clone())
            .expect("sandbox mode runs the dev authorization server")
    }

    pub fn auth_service(&self) -> Arc<proxy::auth::AuthService> {
        self.state
            .auth
            .as_ref()
            .map(|a| a.service.clone())
            .expect("auth runs")
    }
}

/// The query parameter `name` of a URL.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// A log writer tests read back (install it as the subscriber's writer).
#[derive(Clone, Default)]
pub struct Captured(pub Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}
