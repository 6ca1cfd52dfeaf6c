//! Two real proxy processes (the built binary) on one PostgreSQL database behave as one:
//! a sign-in flow started on A completes on B while A's long-poll learns of it at once, and
//! actions hitting both processes when the access token expires refresh it once.
//!
//! Process A runs the development sign-in server; B uses it as its authorization server, and
//! A's registered redirect URI is B's callback, so every sign-in comes back to B.

use crate::auth_support;
use crate::pg_support;

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use auth_support::{
    CLIENT_SECRET, ORIGIN_A, bind_in, browser, dpop_proof, flow_secret, json, location, new_key,
    request_id,
};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, ORIGIN};
use reqwest::{Method, StatusCode};
use tempfile::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_exchange-forms-proxy");
/// Access tokens live 63 s and are refreshed 60 s ahead: usable for 3 s after each refresh.
const ACCESS_TOKEN_TTL_SECS: u64 = 63;
const USABLE_FOR: Duration = Duration::from_secs(ACCESS_TOKEN_TTL_SECS - 60);
const ACTIONS_PER_PROCESS: usize = 12;

/// A running proxy process, killed when the test ends (also on failure).
struct Proxy {
    child: Child,
    base: String,
    /// The URL both processes are known by (as behind a load balancer): proofs name it.
    public: String,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Proxy {
    async fn start(dir: &Path, port: u16, public: &str, config: &str, token_key: &str) -> Proxy {
        std::fs::create_dir_all(dir).unwrap();
        let file = dir.join("proxy.toml");
        std::fs::write(&file, config).unwrap();
        let mut child = Command::new(BIN)
            .arg("serve")
            .arg("--config")
            .arg(&file)
            .args(["--sandbox", "--port", &port.to_string(), "--data-dir"])
            .arg(dir.join("data"))
            .arg("--static-dir")
            .arg(dir)
            .env("XF_TOKEN_KEY", token_key)
            .env_remove("XF_DATABASE_URL")
            .env_remove("XF_EWS_ENDPOINT")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(dir.join("stderr.log")).unwrap())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let line = tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            BufReader::new(stdout).read_line(&mut line).unwrap();
            line
        });
        let line = tokio::time::timeout(Duration::from_secs(60), line)
            .await
            .expect("the proxy starts within a minute")
            .unwrap();
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .trim_end_matches('/')
            .to_owned();
        Proxy {
            child,
            base,
            public: public.to_owned(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// The widget in one browser: its key signs proofs for whichever process it talks to.
struct Widget {
    client: reqwest::Client,
    key: p256::ecdsa::SigningKey,
}

impl Widget {
    fn request(
        &self,
        proxy: &Proxy,
        method: Method,
        path: &str,
        handle: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let iat = chrono::Utc::now().timestamp();
        let htu = format!("{}{path}", proxy.public);
        let proof = dpop_proof(&self.key, &method, &htu, iat, handle);
        let mut request = self
            .client
            .request(method, proxy.url(path))
            .header(ORIGIN, ORIGIN_A)
            .header("DPoP", proof);
        if let Some(handle) = handle {
            request = request.header(AUTHORIZATION, format!("DPoP {handle}"));
        }
        request
    }

    async fn authorized(&self, proxy: &Proxy, handle: &str) -> bool {
        let status = self
            .request(proxy, Method::GET, "/api/auth/status", Some(handle))
            .send()
            .await
            .expect("status");
        assert_eq!(status.status(), StatusCode::OK);
        json(status).await["authorized"] == true
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Rotations of the user's refresh token the sign-in server saw (A's own database).
async fn refresh_tokens_issued(a_dir: &Path) -> i64 {
    let pool = proxy::db::open(&a_dir.join("data/dev-auth.sqlite"))
        .await
        .unwrap();
    sqlx::query_scalar("SELECT COUNT(*) FROM dev_tokens WHERE kind = 'refresh'")
        .fetch_one(&pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_on_one_database_act_as_one() {
    let Some(database) = pg_support::fresh_database().await else {
        return;
    };
    let dir = TempDir::new().unwrap();
    let token_key = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 32]>())
    };
    let (a_port, b_port) = (free_port(), free_port());
    let public = format!("http://127.0.0.1:{a_port}");
    let common = format!(
        "bind = \"127.0.0.1\"\npublic_url = \"{public}/\"\nallowed_origins = [\"{ORIGIN_A}\"]\n\
         database_url = \"{database}\"\n"
    );
    let a = Proxy::start(
        &dir.path().join("a"),
        a_port,
        &public,
        &format!(
            "{common}[auth]\nclient_secret = \"{CLIENT_SECRET}\"\n\
             redirect_uri = \"http://127.0.0.1:{b_port}/auth/callback\"\n\
             [auth.dev_server]\naccess_token_ttl_secs = {ACCESS_TOKEN_TTL_SECS}\n"
        ),
        &token_key,
    )
    .await;
    let b = Proxy::start(
        &dir.path().join("b"),
        b_port,
        &public,
        &format!(
            "{common}[auth]\nissuer = \"{}/sandbox/oauth\"\nclient_id = \"exchange-forms-sandbox\"\n\
             client_secret = \"{CLIENT_SECRET}\"\nscopes = \"openid email profile offline_access ews\"\n\
             redirect_uri = \"http://127.0.0.1:{b_port}/auth/callback\"\n",
            a.base
        ),
        &token_key,
    )
    .await;
    let widget = Widget {
        client: browser(),
        key: new_key(),
    };

    // The flow starts on A, and A's long-poll waits for it.
    let (secret, hash) = flow_secret();
    let started = widget
        .request(&a, Method::POST, "/api/auth/flows", None)
        .header(CONTENT_TYPE, "application/json")
        .body(serde_json::json!({ "secretHash": hash }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), StatusCode::CREATED);
    let started = json(started).await;
    let flow_id = started["flowId"].as_str().unwrap().to_owned();
    let bound = bind_in(
        &widget.client,
        started["authorizeUrl"].as_str().unwrap(),
        &secret,
        &a.base,
    )
    .await;
    assert_eq!(bound.status(), StatusCode::SEE_OTHER);
    let authorize_url = location(&bound);
    let poll = widget
        .client
        .get(a.url(&format!("/api/auth/flows/{flow_id}?wait=20")))
        .header(ORIGIN, ORIGIN_A)
        .header("Flow-Secret", &secret)
        .send();
    let poll = tokio::spawn(poll);

    // The user signs in at A's sign-in server, which sends the browser back to B.
    let page = widget.client.get(&authorize_url).send().await.unwrap();
    let html = page.text().await.unwrap();
    let consent = widget
        .client
        .post(a.url("/sandbox/oauth/signin"))
        .form(&[("request", request_id(&html).as_str()), ("user", "alice")])
        .send()
        .await
        .unwrap();
    let html = consent.text().await.unwrap();
    let decided = widget
        .client
        .post(a.url("/sandbox/oauth/consent"))
        .form(&[
            ("request", request_id(&html).as_str()),
            ("decision", "allow"),
        ])
        .send()
        .await
        .unwrap();
    let callback = location(&decided);
    assert!(callback.starts_with(&b.url("/auth/callback")), "{callback}");
    let finished = widget.client.get(&callback).send().await.unwrap();
    assert_eq!(finished.status(), StatusCode::OK, "B completes the flow");
    let completed_at = Instant::now();

    // A's waiting long-poll hears of it from B (not from its own deadline 20 s on).
    let polled = tokio::time::timeout(Duration::from_secs(10), poll)
        .await
        .expect("A's long-poll answers once B completed the flow")
        .unwrap()
        .unwrap();
    assert!(
        completed_at.elapsed() < Duration::from_secs(5),
        "woken by the other process, not by the poll's deadline"
    );
    let polled = json(polled).await;
    assert_eq!(polled["status"], "done", "{polled}");
    let handle = polled["sessionHandle"].as_str().unwrap().to_owned();
    assert!(widget.authorized(&a, &handle).await);
    assert!(widget.authorized(&b, &handle).await);
    assert_eq!(refresh_tokens_issued(&dir.path().join("a")).await, 1);

    // A proof A accepted, replayed to B (the balancer's other process), is refused there.
    let used_on_a = widget.request(&a, Method::GET, "/api/auth/status", Some(&handle));
    let replayed = used_on_a.try_clone().unwrap();
    let first = used_on_a.send().await.unwrap();
    assert_eq!(json(first).await["authorized"], true);
    let replayed = replayed.build().unwrap();
    let mut to_b = reqwest::Request::new(Method::GET, b.url("/api/auth/status").parse().unwrap());
    *to_b.headers_mut() = replayed.headers().clone();
    let again = widget.client.execute(to_b).await.unwrap();
    assert_eq!(
        json(again).await["authorized"],
        false,
        "a proof is accepted once across processes"
    );

    // The access token goes stale; then many actions hit both processes at once (proofs
    // signed beforehand, all sent together).
    tokio::time::sleep(USABLE_FOR + Duration::from_millis(300)).await;
    let requests: Vec<reqwest::RequestBuilder> = (0..ACTIONS_PER_PROCESS * 2)
        .map(|i| {
            let proxy = if i % 2 == 0 { &a } else { &b };
            widget.request(proxy, Method::GET, "/api/auth/status", Some(&handle))
        })
        .collect();
    let together = std::sync::Arc::new(tokio::sync::Barrier::new(requests.len()));
    let mut actions = tokio::task::JoinSet::new();
    for request in requests {
        let together = together.clone();
        actions.spawn(async move {
            together.wait().await;
            let answer = request.send().await.expect("status");
            assert_eq!(answer.status(), StatusCode::OK);
            json(answer).await["authorized"] == true
        });
    }
    while let Some(authorized) = actions.join_next().await {
        assert!(authorized.unwrap(), "every action finds a usable token");
    }
    // One refresh, one new refresh token: the old one was presented once (a second use
    // would have made the sign-in server revoke the whole grant).
    assert_eq!(refresh_tokens_issued(&dir.path().join("a")).await, 2);
    assert!(widget.authorized(&a, &handle).await);
    assert!(widget.authorized(&b, &handle).await);
}
