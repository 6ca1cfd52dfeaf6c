//! Every way the authorization flow can be attacked or go wrong is refused, and each test
//! proves it: state mismatch, replayed code, PKCE verifier mismatch, a callback for an expired
//! flow, a session handle from another origin, open redirects, CORS, sign-out, and the
//! database holding no plaintext token.

use crate::auth_support;

use std::path::Path;
use std::sync::Arc;

use auth_support::*;
use base64::Engine as _;
use proxy::auth::clock::OffsetClock;
use proxy::auth::crypto::{Cipher, Purpose, TokenKey};
use reqwest::{Method, StatusCode};
use secrecy::ExposeSecret;
use sqlx::Row as _;
use tempfile::TempDir;

/// Calls the dev server's token endpoint directly, as an attacker holding a code would.
async fn token_request(
    app: &TestApp,
    secret: &str,
    form: &[(&str, &str)],
) -> (StatusCode, serde_json::Value) {
    let response = app
        .client
        .post(app.url("/sandbox/oauth/token"))
        .basic_auth(CLIENT_ID, Some(secret))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, json(response).await)
}

fn replace_param(url: &str, name: &str, value: &str) -> String {
    let mut u = url::Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = u
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == name {
                value.to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    u.query_pairs_mut().clear().extend_pairs(pairs);
    u.to_string()
}

#[tokio::test]
async fn a_state_mismatch_is_refused() {
    let dir = TempDir::new().unwrap();
    let app = spawn(&dir).await;
    let flow = app.start_flow(ORIGIN_A).await;
    let callback = app.authorize(&flow.authorize_url, "alice", "allow").await;

    // An attacker's callback: valid code, forged state.
    let forged = replace_param(
        &callback,
        "state",
        "forged-state-forged-state-forged-state-abcd",
    );
    let page = app.follow(&forged).await;
    assert_eq!(page.status(), StatusCode::BAD_REQUEST);
    let html = page.text().await.unwrap();
    assert!(html.contains("not valid or was already used"), "{html}");
    assert!(
        !html.contains("postMessage"),
        "nobody is told anything: {html}"
    );
    // No state at all.
    let no_state = app.follow(&app.url("/auth/callback?code=abc")).await;
    assert_eq!(no_state.status(), StatusCode::BAD_REQUEST);
    // The flow was not touched: still pending, and the genuine answer still completes it.
    assert_eq!(
        json(app.poll(ORIGIN_A, &flow.id, 0).await).await["status"],
        "pending"
    );
    assert_eq!(app.follow(&callback).await.status(), StatusCode::OK);
    assert_eq!(
        json(app.poll(ORIGIN_A, &flow.id, 5).await).await["status"],
        "done"
    );
}

#[tokio::test]
async fn a_replayed_callback_or_code_is_refused() {
    let dir = TempDir::new().unwrap();
    let app = spawn(&dir).await;
    let flow = app.start_flow(ORIGIN_A).await;
    let callback = app.authorize(&flow.authorize_url, "alice", "allow").await;
    assert_eq!(app.follow(&callback).await.status(), StatusCode::OK);
    let first = json(app.poll(ORIGIN_A, &flow.id, 5).await).await;
    assert_eq!(first["status"], "done");

    // The same redirect again: the state is single-use.
    let replay = app.follow(&callback).await;
    assert_eq!(replay.status(), StatusCode::BAD_REQUEST);
    assert!(replay.text().await.unwrap().contains("already used"));
    // The code itself, straight at the token endpoint: single-use too.
    let code = query_param(&callback, "code").unwrap();
    let redirect_uri = app.url("/auth/callback");
    let verifier = "v".repeat(43);
    let (status, body) = token_request(
        &app,
        CLIENT_SECRET,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &redirect_uri),
            ("code_verifier", &verifier),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("already used"),
        "{body}"
    );
    // The flow's outcome is unchanged.
    assert_eq!(
        json(app.poll(ORIGIN_A, &flow.id, 0).await).await["status"],
        "done"
    );
}

#[tokio::test]
async fn a_pkce_verifier_mismatch_is_refused() {
    let dir = TempDir::new().unwrap();
    let app = spawn(&dir).await;
    let redirect_uri = app.url("/auth/callback");

    // The dev server will not even start an authorization without PKCE S256.
    let no_pkce = app
        .client
        .get(app.url("/sandbox/oauth/authorize"))
        .query(&[
            ("client_id", CLIENT_ID),
            ("redirect_uri", redirect_uri.as_str()),
            ("response_type", "code"),
            ("state", "s"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(no_pkce.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        query_param(&location(&no_pkce), "error").as_deref(),
        Some("invalid_request")
    );
    // …nor redirect anywhere but the registered redirect URI.
    let elsewhere = app
        .client
        .get(app.url("/sandbox/oauth/authorize"))
        .query(&[
            ("client_id", CLIENT_ID),
            ("redirect_uri", "https://evil.example/cb"),
            ("response_type", "code"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), StatusCode::BAD_REQUEST);
    assert!(elsewhere.headers().get("location").is_none());

    // An intercepted code is useless without the verifier the proxy keeps.
    let flow = app.start_flow(ORIGIN_A).await;
    let callback = app.authorize(&flow.authorize_url, "alice", "allow").await;
    let code = query_param(&callback, "code").unwrap();
    let wrong_verifier = "W".repeat(64);
    let (status, body) = token_request(
        &app,
        CLIENT_SECRET,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &redirect_uri),
            ("code_verifier", &wrong_verifier),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    assert!(
        body["error_description"].as_str().unwrap().contains("PKCE"),
        "{body}"
    );
    // The attempt burnt the code: the proxy's own exchange now fails and says so.
    let page = app.follow(&callback).await;
    assert!(page.text().await.unwrap().contains("Signing in failed"));
    let failed = json(app.poll(ORIGIN_A, &flow.id, 5).await).await;
    assert_eq!(failed["status"], "failed");
    assert!(
        failed["reason"]
            .as_str()
            .unwrap()
            .contains("refused the code"),
        "{failed}"
    );
    assert!(failed.get("sessionHandle").is_none());

    // A missing verifier, and a wrong client secret, are refused as well.
    let flow = app.start_flow(ORIGIN_A).await;
    let callback = app.authorize(&flow.authorize_url, "alice", "allow").await;
    let code = query_param(&callback, "code").unwrap();
    let (status, body) = token_request(
        &app,
        "not-the-secret",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &redirect_uri),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
    let (status, body) = token_request(
        &app,
        CLIENT_SECRET,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &redirect_uri),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
}

#[tokio::test]
async fn a_callback_for_an_expired_flow_is_refused() {
    let dir = TempDir::new().unwrap();
    let clock = Arc::new(OffsetClock::new());
    let app = spawn_in(dir.path(), "", clock.clone()).await;
    let flow = app.start_flow(ORIGIN_A).await;
    let callback = app.authorize(&flow.authorize_url, "alice", "allow").await;
    // The user comes back after more than the 10 minutes a flow lives.
    clock.advance(chrono::Duration::minutes(11));
    let page = app.follow(&callback).await;
    let html = page.text().await.unwrap();
    assert!(html.contains("expired"), "{html}");
    assert!(html.contains("\"status\":\"expired\""), "{html}");
    let body = json(app.poll(ORIGIN_A, &flow.id, 0).await).await;
    assert_eq!(body["status"], "expired");
    assert!(body.get("sessionHandle").is_none());
    let sessions: i64 = sqlx::query("SELECT COUNT(*) AS n FROM auth_sessions")
        .fetch_one(&app.db().await)
        .await
        .unwrap()
        .get("n");
    assert_eq!(sessions, 0, "no session was created");

    // A flow nobody finished reads as expired once its time is up.
    let idle = app.start_flow(ORIGIN_A).await;
    clock.advance(chrono::Duration::minutes(11));
    assert_eq!(
        json(app.poll(ORIGIN_A, &idle.id, 0).await).await["status"],
        "expired"
    );
}

#[tokio::test]
async fn a_session_handle_only_works_from_the_origin_it_was_issued_to() {
    let dir = TempDir::new().unwrap();
    let app = spawn(&dir).await;

    // Another (even allowed) origin cannot collect a flow's handle; its creator still can.
    let flow = app.start_flow(ORIGIN_A).await;
    let callback = app.authorize(&flow.authorize_url, "alice", "allow").await;
    app.follow(&callback).await;
    let stolen = app.poll(ORIGIN_B, &flow.id, 0).await;
    assert_eq!(stolen.status(), StatusCode::FORBIDDEN);
    let done = json(app.poll(ORIGIN_A, &flow.id, 0).await).await;
    let handle = done["sessionHandle"]
        .as_str()
        .expect("the creator still gets it")
        .to_owned();

    assert_eq!(
        app.list_tasks(ORIGIN_A, &handle).await.status(),
        StatusCode::OK
    );
    for origin in [ORIGIN_B, EVIL, "null"] {
        let response = app.list_tasks(origin, &handle).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{origin}");
        assert_eq!(json(response).await["error"], "forbidden");
        assert_eq!(
            app.auth_status(origin, Some(&handle)).await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.create_task(origin, &handle, "x").await.status(),
            StatusCode::FORBIDDEN
        );
    }
    // No Origin at all (a script outside any browser page) is refused too: without a proof
    // of the session's key first of all, and with one, for want of the origin.
    let bare = app
        .client
        .get(app.url("/api/tasks"))
        .bearer_auth(&handle)
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), StatusCode::UNAUTHORIZED);
    let signed = app
        .client
        .get(app.url("/api/tasks"))
        .header("Authorization", format!("DPoP {handle}"))
        .header("DPoP", app.proof(&Method::GET, "/api/tasks", Some(&handle)))
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), StatusCode::FORBIDDEN);

    // Garbage or unknown handles are "not signed in", not errors.
    for bogus in ["x", &"A".repeat(43), "../../etc/passwd"] {
        let response = app.list_tasks(ORIGIN_A, bogus).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{bogus}");
        assert_eq!(json(response).await["error"], "authorization_required");
    }
}

#[tokio::test]
async fn flows_and_cors_answer_only_allowed_origins() {
    let dir = TempDir::new().unwrap();
    let app = spawn(&dir).await;
    assert_eq!(
        app.start_flow_raw(EVIL, "{}").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.start_flow_raw("http://localhost:9999", "{}")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let no_origin = app
        .client
        .post(app.url("/api/auth/flows"))
        .header("DPoP", app.proof(&Method::POST, "/api/auth/flows", None))
        .send()
        .await
        .unwrap();
    assert_eq!(no_origin.status(), StatusCode::FORBIDDEN);

    let preflight = |origin: &'static str| {
        app.client
            .request(Method::OPTIONS, app.url("/api/auth/flows"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,content-type,idempotency-key",
            )
            .send()
    };
    let evil = preflight(EVIL).await.unwrap();
    assert!(evil.headers().get("access-control-allow-origin").is_none());
    let good = preflight(ORIGIN_A).await.unwrap();
    assert_eq!(good.headers()["access-control-allow-origin"], ORIGIN_A);
    let allowed = good.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for h in ["authorization", "content-type", "idempotency-key"] {
        assert!(allowed.contains(h), "{allowed}");
    }
    assert!(
        good.headers()
            .get("access-control-allow-credentials")
            .is_none(),
        "no cookies involved"
    );
}

#[tokio::test]
async fn open_redirects_through_return_to_are_refused() {
    let dir = TempDir::new().unwrap();
    let app = spawn_in(dir.path(), NO_FLOW_LIMITS, Arc::new(OffsetClock::new())).await;
    for target in [
        "https://evil.example/",
        "http://localhost:5173.evil.example/",
        "http://localhost:5173@evil.example/",
        "http://user:pass@localhost:5173/",
        "http://localhost:5174/other-allowed-origin",
        "//evil.example/x",
        "/relative/path",
        "javascript:alert(document.domain)",
        "data:text/html,<script>alert(1)</script>",
        "https://localhost:5173/",
    ] {
        let (_, hash) = flow_secret();
        let body = serde_json::json!({ "returnTo": target, "secretHash": hash }).to_string();
        let response = app.start_flow_raw(ORIGIN_A, &body).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{target}"
        );
        let body = json(response).await;
        assert_eq!(body["error"], "validation_failed");
        assert!(body["fields"]["returnTo"].is_string(), "{body}");
    }
    let unknown_field = app
        .start_flow_raw(ORIGIN_A, r#"{"redirectTo":"https://evil.example"}"#)
        .await;
    assert_eq!(unknown_field.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn sign_out_revokes_the_session() {
    let dir = TempDir::new().unwrap();
    let app = spawn(&dir).await;
    let handle = app.sign_in(ORIGIN_A, "alice").await;
    assert_eq!(
        app.list_tasks(ORIGIN_A, &handle).await.status(),
        StatusCode::OK
    );

    let out = app
        .with_session(ORIGIN_A, &handle, Method::POST, "/api/auth/signout")
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        json(app.auth_status(ORIGIN_A, Some(&handle)).await).await["authorized"],
        false
    );
    let after = app.list_tasks(ORIGIN_A, &handle).await;
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json(after).await["error"], "authorization_required");
    // The last session gone, the tokens go too.
    let tokens: i64 = sqlx::query("SELECT COUNT(*) AS n FROM auth_tokens")
        .fetch_one(&app.db().await)
        .await
        .unwrap()
        .get("n");
    assert_eq!(tokens, 0);
    // Signing out again is harmless.
    let again = app
        .with_session(ORIGIN_A, &handle, Method::POST, "/api/auth/signout")
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_signed_out_session_is_refused_at_once_while_another_of_the_user_goes_on() {
    let dir = TempDir::new().unwrap();
    let app = spawn(&dir).await;
    let laptop = app.sign_in(ORIGIN_A, "alice").await;
    let phone = app.sign_in(ORIGIN_A, "alice").await;
    // Both in use (the proxy has just looked each session up).
    for handle in [&laptop, &phone] {
        assert_eq!(
            app.list_tasks(ORIGIN_A, handle).await.status(),
            StatusCode::OK
        );
    }
    let out = app
        .with_session(ORIGIN_A, &laptop, Method::POST, "/api/auth/signout")
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    // The user's tokens stay (the phone is still signed in), so only the session's own
    // revocation can refuse the laptop's handle, and it must from the very next request.
    let after = app.list_tasks(ORIGIN_A, &laptop).await;
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json(after).await["error"], "authorization_required");
    assert_eq!(
        app.list_tasks(ORIGIN_A, &phone).await.status(),
        StatusCode::OK
    );
}

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn the_database_holds_no_plaintext_token() {
    let dir = TempDir::new().unwrap();
    let clock = Arc::new(OffsetClock::new());
    let app = spawn_in(dir.path(), "", clock.clone()).await;
    let handle = app.sign_in(ORIGIN_A, "alice").await;
    // One refresh, so a rotated refresh token has been written as well.
    clock.advance(chrono::Duration::hours(2));
    assert_eq!(
        app.list_tasks(ORIGIN_A, &handle).await.status(),
        StatusCode::OK
    );
    assert_eq!(app.dev_server().refresh_count("alice"), 1);

    // Recover the plaintext tokens the way only the key holder can: key file + AEAD.
    let key_text = std::fs::read_to_string(app.data_dir.join("token.key")).unwrap();
    let key = TokenKey::from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(key_text.trim())
            .unwrap(),
    )
    .unwrap();
    let cipher = Cipher::new(&key);
    let row = sqlx::query("SELECT user_id, access_ct, refresh_ct FROM auth_tokens")
        .fetch_one(&app.db().await)
        .await
        .unwrap();
    let user: String = row.get("user_id");
    let access = cipher
        .open(
            Purpose::AccessToken,
            &user,
            &row.get::<Vec<u8>, _>("access_ct"),
        )
        .unwrap();
    let refresh = cipher
        .open(
            Purpose::RefreshToken,
            &user,
            &row.get::<Vec<u8>, _>("refresh_ct"),
        )
        .unwrap();
    // They are the live tokens: the authorization server accepts the access token.
    let info = app
        .client
        .get(app.url("/sandbox/oauth/userinfo"))
        .bearer_auth(access.expose_secret())
        .send()
        .await
        .unwrap();
    assert_eq!(info.status(), StatusCode::OK);
    assert!(
        cipher
            .open(
                Purpose::AccessToken,
                "bob",
                &row.get::<Vec<u8>, _>("access_ct")
            )
            .is_err()
    );

    let secrets = [
        access.expose_secret(),
        refresh.expose_secret(),
        handle.as_str(),
    ];
    let files = files_under(&app.data_dir);
    assert!(files.iter().any(|f| f.ends_with("proxy.sqlite")));
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        for secret in secrets {
            assert!(
                !contains(&bytes, secret),
                "{} holds a plaintext secret",
                file.display()
            );
        }
    }
    // And a logical dump (what a backup would contain), when the sqlite3 tool is at hand.
    match std::process::Command::new("sqlite3")
        .arg(app.data_dir.join("proxy.sqlite"))
        .arg(".dump")
        .output()
    {
        Ok(out) if out.status.success() => {
            let dump = String::from_utf8_lossy(&out.stdout);
            assert!(
                dump.contains("CREATE TABLE auth_tokens"),
                "the dump covers the token table"
            );
            for secret in secrets {
                assert!(
                    !dump.contains(secret),
                    "sqlite3 .dump shows a plaintext secret"
                );
            }
        }
        _ => eprintln!("sqlite3 not available: file bytes checked only"),
    }
}

#[tokio::test]
async fn a_token_key_other_than_the_stored_tokens_key_is_refused_at_start() {
    use proxy::Application;
    let dir = TempDir::new().unwrap();
    let b64 = |byte: u8| base64::engine::general_purpose::STANDARD.encode([byte; 32]);
    let config = |key: &str| {
        production_config(
            &dir.path().join("data"),
            &format!(
                "allowed_origins = [\"{ORIGIN_A}\"]\nallow_insecure_http = [\"http://127.0.0.1:9\"]"
            ),
            "http://127.0.0.1:9/EWS/Exchange.asmx",
            &format!(
                "authorize_url = \"http://127.0.0.1:9/authorize\"\n\
                 token_url = \"http://127.0.0.1:9/token\"\ntoken_key = \"{key}\""
            ),
        )
        .unwrap()
    };
    let first = Application::build(config(&b64(1)))
        .await
        .expect("first start records the key check");
    drop(first);
    let err = match Application::build(config(&b64(2))).await {
        Ok(_) => panic!("a different key must not start"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("not the key the stored tokens were encrypted with"),
        "{err}"
    );
    assert!(
        Application::build(config(&b64(1))).await.is_ok(),
        "the right key starts again"
    );
    assert!(
        Application::build(config("dG9vIHNob3J0")).await.is_err(),
        "a key must be 32 bytes"
    );
}

#[tokio::test]
async fn sandbox_with_a_new_key_file_asks_users_to_sign_in_again() {
    let dir = TempDir::new().unwrap();
    let handle = {
        let app = spawn(&dir).await;
        app.sign_in(ORIGIN_A, "alice").await
    };
    let key_file = dir.path().join("data/token.key");
    std::fs::remove_file(&key_file).unwrap();
    let app = spawn(&dir).await;
    assert!(key_file.exists(), "a new key was generated");
    assert_eq!(
        json(app.auth_status(ORIGIN_A, Some(&handle)).await).await["authorized"],
        false
    );
    let action = app.list_tasks(ORIGIN_A, &handle).await;
    assert_eq!(action.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json(action).await["error"], "authorization_required");
    let handle = app.sign_in(ORIGIN_A, "alice").await;
    assert_eq!(
        app.list_tasks(ORIGIN_A, &handle).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn sessions_end_after_their_maximum_age() {
    let dir = TempDir::new().unwrap();
    let clock = Arc::new(OffsetClock::new());
    let app = spawn_in(dir.path(), "session_max_age_days = 30", clock.clone()).await;
    let handle = app.sign_in(ORIGIN_A, "bob").await;
    clock.advance(chrono::Duration::days(29));
    assert_eq!(
        app.list_tasks(ORIGIN_A, &handle).await.status(),
        StatusCode::OK
    );
    clock.advance(chrono::Duration::days(2));
    let expired = app.list_tasks(ORIGIN_A, &handle).await;
    assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json(expired).await["error"], "authorization_required");
    assert_eq!(
        json(app.auth_status(ORIGIN_A, Some(&handle)).await).await["authorized"],
        false
    );
}

#[tokio::test]
async fn bearer_credentials_are_read_alike_by_the_api_the_sandbox_and_the_sign_in_server() {
    use proxy::session::{Authorizer as _, Caller};
    let dir = TempDir::new().unwrap();
    let app = spawn(&dir).await;
    let handle = app.sign_in(ORIGIN_A, "alice").await;
    let alice = Caller {
        user_id: "alice".into(),
        display_name: "Alice".into(),
        mailbox: None,
    };
    let access = app.auth_service().exchange_token(&alice).await.unwrap();
    let access = access.expose_secret().to_owned();
    // One set of rules (RFC 6750): the scheme in any case, then the credential.
    let spellings = |credential: &str| {
        [
            (format!("Bearer {credential}"), true),
            (format!("bearer {credential}"), true),
            (format!("BEARER  {credential}"), true),
            (format!("Basic {credential}"), false),
            (format!("Bearer{credential}"), false),
            (credential.to_owned(), false),
            ("Bearer ".to_owned(), false),
        ]
    };
    for (authorization, accepted) in spellings(&handle) {
        // The session is bound to the browser's key: each request is signed as the widget does.
        let proof = app.proof(&Method::GET, "/api/auth/status", Some(&handle));
        let status = app
            .client
            .get(app.url("/api/auth/status"))
            .header("origin", ORIGIN_A)
            .header("dpop", proof)
            .header("authorization", &authorization)
            .send()
            .await
            .unwrap();
        assert_eq!(
            json(status).await["authorized"],
            accepted,
            "session handle as {authorization:?}"
        );
    }
    for (authorization, accepted) in spellings(&access) {
        let userinfo = app
            .client
            .get(app.url("/sandbox/oauth/userinfo"))
            .header("authorization", &authorization)
            .send()
            .await
            .unwrap();
        assert_eq!(
            userinfo.status() == StatusCode::OK,
            accepted,
            "userinfo with {authorization:?}"
        );
        // The sandbox mailbox checks the token before it reads the (here malformed) request.
        let ews = app
            .client
            .post(app.url("/sandbox/ews/Exchange.asmx"))
            .header("authorization", &authorization)
            .body("<x/>")
            .send()
            .await
            .unwrap();
        assert_eq!(
            ews.status() != StatusCode::UNAUTHORIZED,
            accepted,
            "sandbox EWS with {authorization:?}"
        );
    }
}
