//! The sandbox's development sign-in server, run by the proxy: its operator endpoint and its
//! memory of pending sign-ins resist abuse. Each test performs the attack over HTTP.

use crate::auth_support;

use std::sync::Arc;

use proxy::auth::clock::OffsetClock;
use reqwest::StatusCode;
use sandbox::dev_auth::{CODE_TTL_SECS, MAX_PENDING_REQUESTS, MAX_UNUSED_CODES, REQUEST_TTL_SECS};
use tempfile::TempDir;

const REVOKE_USER: &str = "/sandbox/oauth/admin/revoke-user";

#[tokio::test]
async fn revoke_user_requires_operator_token() {
    use auth_support::{CLIENT_ID, CLIENT_SECRET, ORIGIN_A, json, spawn_in};
    let dir = TempDir::new().unwrap();
    let clock = Arc::new(OffsetClock::new());
    let app = spawn_in(dir.path(), "", clock.clone()).await;
    let handle = app.sign_in(ORIGIN_A, "carol").await;
    let operator_token = app.operator_token();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let file = app.data_dir.join("sandbox-admin.token");
        let mode = std::fs::metadata(file).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "only the operator's account reads the token"
        );
    }

    // Anyone else tries to cut Carol off: anonymous, a guessed token, a token one character
    // off, the proxy's own client credentials, and a user's session handle.
    let mut near_miss = operator_token.clone().into_bytes();
    near_miss[0] = if near_miss[0] == b'A' { b'B' } else { b'A' };
    let near_miss = String::from_utf8(near_miss).unwrap();
    let attempts = [
        None,
        Some("Bearer guessed-operator-token".to_owned()),
        Some(format!("Bearer {near_miss}")),
        Some(format!("Bearer {operator_token}x")),
        Some(format!("Basic {}", base64_basic(CLIENT_ID, CLIENT_SECRET))),
        Some(format!("Bearer {handle}")),
    ];
    for authorization in attempts {
        let mut request = app
            .client
            .post(app.url(REVOKE_USER))
            .form(&[("user", "carol@sandbox.test")]);
        if let Some(value) = &authorization {
            request = request.header("authorization", value);
        }
        let refused = request.send().await.unwrap();
        assert_eq!(
            refused.status(),
            StatusCode::UNAUTHORIZED,
            "{authorization:?}"
        );
        assert!(
            refused.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer")
        );
        assert_eq!(json(refused).await["error"], "invalid_token");
    }
    // Carol's grant survived: once her access token has expired, the refresh still works.
    clock.advance(chrono::Duration::hours(2));
    assert_eq!(
        app.create_task(ORIGIN_A, &handle, "Still authorized")
            .await
            .status(),
        StatusCode::CREATED
    );
    assert_eq!(app.dev_server().refresh_count("carol"), 1);

    // The operator can.
    let revoked = app
        .client
        .post(app.url(REVOKE_USER))
        .bearer_auth(&operator_token)
        .form(&[("user", "carol@sandbox.test")])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::OK);
    assert!(json(revoked).await["revoked"].as_u64().unwrap() >= 1);
    clock.advance(chrono::Duration::hours(2));
    assert_eq!(
        app.create_task(ORIGIN_A, &handle, "Cut off").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

fn base64_basic(id: &str, secret: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
}

#[tokio::test]
async fn pending_authorizations_are_bounded_and_purged() {
    use auth_support::{ORIGIN_A, json, location, query_param, spawn_in};
    let dir = TempDir::new().unwrap();
    let clock = Arc::new(OffsetClock::new());
    let app = spawn_in(dir.path(), "", clock.clone()).await;
    let dev = app.dev_server();

    // Anyone can open the sign-in page of a started flow again and again, never finishing.
    let flow = app.start_flow(ORIGIN_A).await;
    for _ in 0..MAX_PENDING_REQUESTS {
        let page = app.client.get(&flow.authorize_url).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
    }
    for _ in 0..10 {
        let refused = app.client.get(&flow.authorize_url).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::SEE_OTHER);
        let back = location(&refused);
        assert_eq!(
            query_param(&back, "error").as_deref(),
            Some("temporarily_unavailable"),
            "{back}"
        );
    }
    assert_eq!(
        dev.memory_sizes().0,
        MAX_PENDING_REQUESTS,
        "memory stays bounded"
    );
    // The flow learns why: the callback carries the error and the flow fails with it.
    let refused = app.client.get(&flow.authorize_url).send().await.unwrap();
    app.follow(&location(&refused)).await;
    let status = json(app.poll(ORIGIN_A, &flow.id, 5).await).await;
    assert_eq!(status["status"], "failed", "{status}");
    assert!(
        status["reason"]
            .as_str()
            .unwrap()
            .contains("temporarily_unavailable"),
        "{status}"
    );

    // Abandoned requests expire and make room: a user signs in again.
    clock.advance(chrono::Duration::seconds(REQUEST_TTL_SECS + 1));
    app.sign_in(ORIGIN_A, "alice").await;
    assert_eq!(dev.memory_sizes().0, 0, "expired requests are purged");

    // Codes: consent again and again without ever exchanging the code.
    let flow = app.start_flow(ORIGIN_A).await;
    for _ in 0..MAX_UNUSED_CODES {
        let back = app.authorize(&flow.authorize_url, "bob", "allow").await;
        assert!(query_param(&back, "code").is_some(), "{back}");
    }
    let back = app.authorize(&flow.authorize_url, "bob", "allow").await;
    assert_eq!(
        query_param(&back, "error").as_deref(),
        Some("temporarily_unavailable"),
        "{back}"
    );
    assert_eq!(query_param(&back, "code"), None);
    assert_eq!(
        dev.memory_sizes().1,
        MAX_UNUSED_CODES,
        "memory stays bounded"
    );
    // Unused codes expire a minute later and are purged when the next one is issued.
    clock.advance(chrono::Duration::seconds(CODE_TTL_SECS + 1));
    let back = app.authorize(&flow.authorize_url, "bob", "allow").await;
    assert!(query_param(&back, "code").is_some(), "{back}");
    assert_eq!(dev.memory_sizes().1, 1, "expired codes are purged");
}
