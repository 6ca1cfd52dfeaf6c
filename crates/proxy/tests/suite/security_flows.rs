//! Attacks on the sign-in flow, each performed as an attacker would with plain HTTP (any
//! header forged) against a real proxy in sandbox mode, with a second cookie jar standing in
//! for the victim's browser. Each test fails if its hole reopens.

use crate::auth_support;

use std::sync::Arc;

use auth_support::*;
use proxy::auth::clock::OffsetClock;
use reqwest::StatusCode;
use tempfile::TempDir;

/// The attacker starts a popup flow (forged `Origin` of an allowed embedding page) and keeps
/// its secret; what the victim's browser is sent to is the proxy's start page.
async fn attacker_starts_popup_flow(app: &TestApp) -> (String, String, String) {
    app.start_unbound(ORIGIN_A).await
}

/// The victim's browser walks the authorization server from `authorize_url` and lands on the
/// proxy's callback; returns the callback's answer.
async fn victim_completes(
    app: &TestApp,
    victim: &reqwest::Client,
    authorize_url: &str,
) -> reqwest::Response {
    let callback = app
        .authorize_in(victim, authorize_url, "victim@sandbox.test", "allow")
        .await;
    victim.get(&callback).send().await.expect("callback")
}

#[tokio::test]
async fn a_popup_flow_started_by_one_party_and_completed_by_another_yields_no_handle() {
    let dir = TempDir::new().unwrap();
    let app = spawn(&dir).await;
    let victim = browser();
    let (flow_id, start_url, secret) = attacker_starts_popup_flow(&app).await;
    assert!(
        start_url.starts_with(&app.url("/auth/start/")),
        "authorizeUrl is the proxy's start page, not the authorization server: {start_url}"
    );

    // 1. The victim opens the link on its own: a plain page, no way to the sign-in server.
    let page = victim.get(&start_url).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers().get("location").is_none());
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Open this sign-in from the form you were using"),
        "{html}"
    );
    assert!(
        !html.contains("/sandbox/oauth/authorize"),
        "no link to the authorization server"
    );
    assert!(!html.contains("state="), "no OAuth state on the page");

    // 2. The attacker binds the flow itself (forging the proxy's own Origin) and sends the
    //    victim the authorization server's URL instead.
    let bound = app.bind(&start_url, &secret, &app.base).await;
    assert_eq!(bound.status(), StatusCode::SEE_OTHER);
    let authorize_url = location(&bound);

    // 3. The victim signs in and allows; the callback lands in the victim's browser, which
    //    has no binding cookie for this flow.
    let answer = victim_completes(&app, &victim, &authorize_url).await;
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    let html = answer.text().await.unwrap();
    assert!(html.contains("started in another browser"), "{html}");

    // 4. The attacker polls with the secret: no handle, ever.
    let polled = json(app.poll(ORIGIN_A, &flow_id, 2).await).await;
    assert_eq!(polled["status"], "failed", "{polled}");
    assert!(polled.get("sessionHandle").is_none(), "{polled}");
    assert_eq!(app.rows("auth_sessions").await, 0, "no session was created");
    assert_eq!(app.rows("auth_tokens").await, 0, "no code was exchanged");
}

#[tokio::test]
async fn a_full_page_flow_started_by_one_party_and_completed_by_another_yields_no_handle() {
    let dir = TempDir::new().unwrap();
    let app = spawn(&dir).await;
    let victim = browser();
    let return_to = format!("{ORIGIN_A}/form.html");
    let (secret, body) = app.new_flow_body(Some(&return_to));
    let started = json(app.start_flow_raw(ORIGIN_A, &body).await).await;
    let flow_id = started["flowId"].as_str().unwrap().to_owned();
    let start_url = started["authorizeUrl"].as_str().unwrap().to_owned();
    app.remember_secret(&flow_id, &secret);

    // The link alone goes nowhere.
    let html = victim
        .get(&start_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Open this sign-in from the form you were using"),
        "{html}"
    );

    // A page on the attacker's site makes the victim's browser post the secret: the browser
    // sends the attacker's Origin, which is refused, and no cookie is set.
    let forced = bind_in(&victim, &start_url, &secret, EVIL).await;
    assert_eq!(forced.status(), StatusCode::FORBIDDEN);
    assert!(forced.headers().get("set-cookie").is_none());

    // The attacker binds from its own client (forging the embedding origin) and sends the
    // victim to the authorization server.
    let bound = app.bind(&start_url, &secret, ORIGIN_A).await;
    assert_eq!(bound.status(), StatusCode::SEE_OTHER);
    let answer = victim_completes(&app, &victim, &location(&bound)).await;
    assert_eq!(
        answer.status(),
        StatusCode::BAD_REQUEST,
        "no redirect carrying a handle"
    );
    assert!(answer.headers().get("location").is_none());

    let polled = json(app.poll(ORIGIN_A, &flow_id, 2).await).await;
    assert!(polled.get("sessionHandle").is_none(), "{polled}");
    assert_eq!(app.rows("auth_sessions").await, 0);
    assert_eq!(app.rows("auth_tokens").await, 0);
}

#[tokio::test]
async fn a_popup_flow_cannot_be_bound_from_the_embedding_page_or_a_foreign_page() {
    let dir = TempDir::new().unwrap();
    let app = spawn(&dir).await;
    let (_, start_url, secret) = app.start_unbound(ORIGIN_A).await;
    // Only the proxy's own start page posts a popup flow's secret.
    for origin in [EVIL, ORIGIN_A, ORIGIN_B] {
        let refused = app.bind(&start_url, &secret, origin).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{origin}");
        assert!(refused.headers().get("set-cookie").is_none(), "{origin}");
    }
    // A wrong secret from the right page is refused too.
    let (wrong, _) = flow_secret();
    assert_eq!(
        app.bind(&start_url, &wrong, &app.base).await.status(),
        StatusCode::FORBIDDEN
    );
    // The real one works once; a second binding (say, a copied link) does not.
    let bound = app.bind(&start_url, &secret, &app.base).await;
    assert_eq!(bound.status(), StatusCode::SEE_OTHER);
    let cookie = bound.headers()["set-cookie"].to_str().unwrap().to_owned();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/auth/callback"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert_eq!(
        app.bind(&start_url, &secret, &app.base).await.status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn polling_without_the_flow_secret_gets_no_handle() {
    let dir = TempDir::new().unwrap();
    let app = spawn(&dir).await;
    let flow = app.start_flow(ORIGIN_A).await;
    let callback = app.authorize(&flow.authorize_url, "alice", "allow").await;
    assert_eq!(app.follow(&callback).await.status(), StatusCode::OK);

    // Someone who learnt the flow id (from a URL, a log, a shoulder) polls first.
    let (wrong, _) = flow_secret();
    for secret in [None, Some(wrong.as_str()), Some("")] {
        let stolen = app.poll_with_secret(ORIGIN_A, &flow.id, 0, secret).await;
        assert_eq!(stolen.status(), StatusCode::NOT_FOUND, "{secret:?}");
        assert!(!json(stolen).await.to_string().contains("sessionHandle"));
    }
    // The widget that started it still gets its handle.
    let done = json(app.poll(ORIGIN_A, &flow.id, 0).await).await;
    assert!(done["sessionHandle"].is_string(), "{done}");
}

#[tokio::test]
async fn flow_creation_is_rate_limited_with_a_json_429() {
    let dir = TempDir::new().unwrap();
    let app = spawn_in(
        dir.path(),
        "[auth.flow_limits]\nper_address_per_minute = 6\nper_origin_per_minute = 0\n",
        Arc::new(OffsetClock::new()),
    )
    .await;
    // A burst of one (a sixth of 6 per minute), then refused.
    let (_, body) = app.new_flow_body(None);
    assert_eq!(
        app.start_flow_raw(ORIGIN_A, &body).await.status(),
        StatusCode::CREATED
    );
    let refused = app.start_flow_raw(ORIGIN_A, &body).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=11).contains(&wait), "{wait}");
    let body = json(refused).await;
    assert_eq!(body["error"], "too_many_requests");
    assert_eq!(body["details"]["retryAfterSeconds"], wait);
    // Forging another origin does not help: the limit is per client address too.
    assert_eq!(
        app.start_flow_raw(ORIGIN_B, &app.new_flow_body(None).1)
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn one_origin_cannot_start_flows_without_bound_whatever_the_address() {
    let dir = TempDir::new().unwrap();
    let app = spawn_in(
        dir.path(),
        "[auth.flow_limits]\nper_address_per_minute = 0\nper_origin_per_minute = 12\n",
        Arc::new(OffsetClock::new()),
    )
    .await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(
            app.start_flow_raw(ORIGIN_A, &app.new_flow_body(None).1)
                .await
                .status(),
        );
    }
    assert_eq!(
        statuses,
        [
            StatusCode::CREATED,
            StatusCode::CREATED,
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    // Another embedding origin has its own budget.
    assert_eq!(
        app.start_flow_raw(ORIGIN_B, &app.new_flow_body(None).1)
            .await
            .status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn the_flow_table_is_bounded() {
    let dir = TempDir::new().unwrap();
    let app = spawn_in(
        dir.path(),
        "[auth.flow_limits]\nper_address_per_minute = 0\nper_origin_per_minute = 0\nmax_open = 3\n",
        Arc::new(OffsetClock::new()),
    )
    .await;
    for _ in 0..3 {
        app.start_unbound(ORIGIN_A).await;
    }
    let full = app
        .start_flow_raw(ORIGIN_A, &app.new_flow_body(None).1)
        .await;
    assert_eq!(full.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(json(full).await["error"], "too_many_requests");
    assert_eq!(
        app.rows("auth_flows").await,
        3,
        "nothing was written past the bound"
    );

    // Once the open flows expire and the sweeper runs, there is room again.
    app.clock.advance(chrono::Duration::minutes(11));
    app.auth_service().sweep_flows().await.unwrap();
    assert_eq!(
        app.start_flow_raw(ORIGIN_A, &app.new_flow_body(None).1)
            .await
            .status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn ending_one_flow_wakes_only_its_own_long_polls() {
    let dir = TempDir::new().unwrap();
    let app = Arc::new(spawn(&dir).await);
    let mut idle = Vec::new();
    for _ in 0..5 {
        idle.push(app.start_unbound(ORIGIN_A).await.0);
    }
    let waiting: Vec<_> = idle
        .iter()
        .map(|id| {
            let app = app.clone();
            let id = id.clone();
            tokio::spawn(async move { app.poll(ORIGIN_A, &id, 3).await.status() })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let before = app.auth_service().poll_wakeups();

    let flow = app.start_flow(ORIGIN_A).await;
    let callback = app.authorize(&flow.authorize_url, "alice", "allow").await;
    app.follow(&callback).await;
    let done = json(app.poll(ORIGIN_A, &flow.id, 2).await).await;
    assert_eq!(done["status"], "done");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        app.auth_service().poll_wakeups(),
        before,
        "the five waiting polls of other flows did not wake"
    );
    for w in waiting {
        assert_eq!(w.await.unwrap(), StatusCode::OK);
    }
}
