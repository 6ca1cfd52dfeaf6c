//! What the IT team running the proxy relies on: readiness for the load balancer, Prometheus
//! metrics, request ids across the proxy and Exchange, access logs without secrets, and the
//! security headers on every answer.

use crate::auth_support;
use crate::common;

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::Value;
use tempfile::TempDir;

use common::faults::{Fault, Injector};
use common::{Harness, spawn_app};

async fn get(url: String) -> reqwest::Response {
    reqwest::Client::new().get(url).send().await.unwrap()
}

/// The proxy with its EWS calls passing through a fault injector in front of the sandbox.
async fn behind_injector(harness: &Harness, data: &str) -> (common::TestApp, Arc<Injector>) {
    let (injector, addr) = Injector::spawn().await;
    let mut options = harness.options();
    options.data_dir = harness.dir.path().join(data);
    options.ews_endpoint = Some(format!("http://{addr}/EWS/Exchange.asmx"));
    let app = spawn_app(options).await;
    injector.set_upstream(format!("{}/sandbox/ews/Exchange.asmx", app.address));
    (app, injector)
}

async fn metrics(address: &str) -> String {
    let response = get(format!("{address}/metrics")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    response.text().await.unwrap()
}

/// The value of the series whose line starts with `series` (name and labels).
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
}

fn create_task(app: &common::TestApp, subject: &str) -> reqwest::RequestBuilder {
    app.post("/api/tasks")
        .json(&serde_json::json!({ "subject": subject }))
}

#[tokio::test]
async fn ready_when_database_and_sandbox_answer() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let live = get(format!("{}/healthz", app.address)).await;
    assert_eq!(live.status(), StatusCode::OK);
    assert_eq!(live.text().await.unwrap(), "ok");
    let ready = get(format!("{}/readyz", app.address)).await;
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(ready.json::<Value>().await.unwrap()["status"], "ready");

    // The database goes away: not ready, and the answer says which part.
    app.state.store.close().await;
    let ready = get(format!("{}/readyz", app.address)).await;
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["error"], "not_ready");
    assert_eq!(body["details"]["database"], "unavailable");
    assert_eq!(body["details"]["upstream"], "ok");
    // Liveness is not readiness: the process still answers.
    assert_eq!(
        get(format!("{}/healthz", app.address)).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn not_ready_while_exchange_is_unreachable_without_telling_where_it_is() {
    let harness = Harness::new().await;
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let mut options = harness.options();
    options.ews_endpoint = Some(format!("http://127.0.0.1:{port}/EWS/Exchange.asmx"));
    let app = spawn_app(options).await;
    let ready = get(format!("{}/readyz", app.address)).await;
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let text = ready.text().await.unwrap();
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["details"]["upstream"], "unreachable");
    assert_eq!(body["details"]["database"], "ok");
    for leak in ["127.0.0.1", &port.to_string(), "EWS", "http"] {
        assert!(!text.contains(leak), "{leak} in {text}");
    }

    // Any HTTP answer counts as reachable (Exchange answers an anonymous GET with 401).
    let (app, _injector) = behind_injector(&harness, "data2").await;
    assert_eq!(
        get(format!("{}/readyz", app.address)).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_exchange_calls_by_outcome() {
    let harness = Harness::new().await;
    let (app, injector) = behind_injector(&harness, "data").await;
    injector.push(
        "CreateItem",
        Fault::Status {
            status: 503,
            retry_after: Some("0".into()),
        },
    );
    let created = create_task(&app, "Counted").send().await.unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let invalid = create_task(&app, "").send().await.unwrap();
    assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let text = metrics(&app.address).await;
    let p = "exchange_forms_";
    assert_eq!(
        value(
            &text,
            &format!(
                "{p}http_requests_total{{method=\"POST\",route=\"/api/tasks\",status_class=\"2xx\"}}"
            )
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        value(
            &text,
            &format!(
                "{p}http_requests_total{{method=\"POST\",route=\"/api/tasks\",status_class=\"4xx\"}}"
            )
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        value(
            &text,
            &format!(
                "{p}http_request_duration_seconds_count{{method=\"POST\",route=\"/api/tasks\",status_class=\"2xx\"}}"
            )
        ),
        Some(1.0),
        "{text}"
    );
    for (outcome, count) in [("throttled", 1.0), ("ok", 1.0)] {
        assert_eq!(
            value(
                &text,
                &format!("{p}ews_requests_total{{operation=\"CreateItem\",outcome=\"{outcome}\"}}")
            ),
            Some(count),
            "{text}"
        );
    }
    assert_eq!(value(&text, &format!("{p}ews_retries_total")), Some(1.0));
    // Gauges and the refresh counter are present even without the OAuth sign-in.
    assert_eq!(value(&text, &format!("{p}auth_open_flows")), Some(0.0));
    assert_eq!(
        value(&text, &format!("{p}auth_token_refreshes_total")),
        Some(0.0)
    );
}

#[tokio::test]
async fn metrics_follow_sign_in_flows_sessions_and_refreshes_without_ids() {
    let dir = TempDir::new().unwrap();
    let clock = Arc::new(proxy::auth::clock::OffsetClock::new());
    let app = auth_support::spawn_in(dir.path(), "", clock.clone()).await;
    let flow = app.start_flow(auth_support::ORIGIN_A).await;
    let text = metrics(&app.base).await;
    assert_eq!(
        value(&text, "exchange_forms_auth_open_flows"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(value(&text, "exchange_forms_auth_live_sessions"), Some(0.0));
    let callback = app.authorize(&flow.authorize_url, "alice", "allow").await;
    assert_eq!(app.follow(&callback).await.status(), StatusCode::OK);
    let status = auth_support::json(app.poll(auth_support::ORIGIN_A, &flow.id, 5).await).await;
    let handle = status["sessionHandle"].as_str().unwrap().to_owned();
    // The access token expires: the next action refreshes it.
    clock.advance(chrono::Duration::hours(2));
    let listed = app.list_tasks(auth_support::ORIGIN_A, &handle).await;
    assert_eq!(listed.status(), StatusCode::OK);

    let text = metrics(&app.base).await;
    assert_eq!(
        value(&text, "exchange_forms_auth_open_flows"),
        Some(0.0),
        "{text}"
    );
    assert_eq!(value(&text, "exchange_forms_auth_live_sessions"), Some(1.0));
    assert_eq!(
        value(&text, "exchange_forms_auth_token_refreshes_total"),
        Some(1.0),
        "{text}"
    );
    assert!(
        text.contains("route=\"/api/auth/flows/{flow_id}\""),
        "{text}"
    );
    assert!(!text.contains(&flow.id), "a flow id reached the metrics");
}

#[tokio::test]
async fn metrics_can_be_turned_off_or_require_a_token() {
    let harness = Harness::new().await;
    let mut options = harness.options();
    options.server_extra = "[metrics]\nenabled = false".into();
    let app = spawn_app(options).await;
    assert_eq!(
        get(format!("{}/metrics", app.address)).await.status(),
        StatusCode::NOT_FOUND
    );

    let mut options = harness.options();
    options.data_dir = harness.dir.path().join("data2");
    options.server_extra = "[metrics]\ntoken = \"scrape-0123456789abcdef\"".into();
    let app = spawn_app(options).await;
    let client = reqwest::Client::new();
    let url = format!("{}/metrics", app.address);
    for wrong in [None, Some("scrape-0123456789abcdeX"), Some("scrape")] {
        let mut request = client.get(&url);
        if let Some(token) = wrong {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{wrong:?}");
        assert!(
            !response
                .text()
                .await
                .unwrap()
                .contains("http_requests_total")
        );
    }
    let response = client
        .get(&url)
        .bearer_auth("scrape-0123456789abcdef")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("http_requests_total")
    );
}

#[tokio::test]
async fn the_request_id_is_kept_or_made_returned_and_sent_to_exchange() {
    let harness = Harness::new().await;
    let (app, injector) = behind_injector(&harness, "data").await;

    let created = create_task(&app, "Traced")
        .header("X-Request-Id", "lb-7f3a.42")
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(created.headers()["x-request-id"], "lb-7f3a.42");
    let head = injector.seen().last().unwrap().head.to_ascii_lowercase();
    assert!(head.contains("client-request-id: lb-7f3a.42\r\n"), "{head}");
    assert!(
        head.contains("return-client-request-id: true\r\n"),
        "{head}"
    );

    // A forged value (log injection) is replaced by a fresh uuid, and that one travels.
    let created = create_task(&app, "Forged")
        .header("X-Request-Id", "x\" status=200 evil")
        .send()
        .await
        .unwrap();
    let id = created.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    let head = injector.seen().last().unwrap().head.to_ascii_lowercase();
    assert!(
        head.contains(&format!("client-request-id: {id}\r\n")),
        "{head}"
    );

    // Every answer has one, errors and health checks too.
    for path in ["/healthz", "/nowhere"] {
        let response = get(format!("{}{path}", app.address)).await;
        assert!(response.headers().contains_key("x-request-id"), "{path}");
    }
}

#[tokio::test]
async fn security_headers_on_everything_without_overriding_the_pages_own() {
    let dir = TempDir::new().unwrap();
    let app = auth_support::spawn(&dir).await;
    std::fs::write(dir.path().join("static/index.html"), "<p>widget</p>").unwrap();
    let client = reqwest::Client::new();
    let fetch = |path: &str| client.get(format!("{}{path}", app.base)).send();

    let page = fetch("/").await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{csp}"
    );
    // Framing: the proxy's own pages and the configured embedding origins only.
    assert!(
        csp.contains(&format!(
            "frame-ancestors 'self' {} {}",
            auth_support::ORIGIN_A,
            auth_support::ORIGIN_B
        )),
        "{csp}"
    );
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    assert_eq!(page.headers()["referrer-policy"], "same-origin");

    // API answers and errors: nothing to load, nobody may frame them.
    for path in ["/api/auth/status", "/nowhere", "/healthz"] {
        let response = fetch(path).await.unwrap();
        let headers = response.headers();
        assert_eq!(
            headers["content-security-policy"], "default-src 'none'; frame-ancestors 'none'",
            "{path}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
    }

    // The sign-in start page keeps its stricter policies.
    let flow = app.start_flow(auth_support::ORIGIN_A).await;
    let start = app.client.get(&flow.start_url).send().await.unwrap();
    assert_eq!(start.headers()["referrer-policy"], "no-referrer");
    let csp = start.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("wasm-unsafe-eval"), "{csp}");
    assert_eq!(start.headers()["x-content-type-options"], "nosniff");
}

#[test]
fn inline_scripts_of_the_pages_are_allowed_by_hash_only() {
    let dir = TempDir::new().unwrap();
    std::fs::create_dir_all(dir.path().join("www")).unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<style>body{}</style><script type=\"module\">import('./pkg/x.js')</script>",
    )
    .unwrap();
    std::fs::write(dir.path().join("www/demo.html"), "<script>go()</script>").unwrap();
    let policy = proxy::security_headers::static_policy(dir.path(), &[]);
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    assert_eq!(policy.matches("'sha256-").count(), 3, "{policy}");
    assert!(policy.contains("frame-ancestors 'self'"), "{policy}");
}
