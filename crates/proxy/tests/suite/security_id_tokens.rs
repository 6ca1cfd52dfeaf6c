//! Forged ID tokens (OpenID Connect Core §3.1.3.7). A real proxy in sandbox mode signs in
//! against its development sign-in server, which signs ID tokens (ES256) and publishes its
//! keys; a stand-in on the wire between them replaces the ID token the token endpoint answers
//! with a forged one. Each forgery must end the sign-in with a plain reason and no session;
//! each test fails if the check it targets is removed.

use crate::auth_support;
use crate::token_tamper;

use std::sync::Arc;

use auth_support::*;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p256::pkcs8::EncodePrivateKey as _;
use proxy::auth::clock::OffsetClock;
use reqwest::StatusCode;
use sandbox::dev_auth::DevAuthServer;
use serde_json::{Value, json};
use tempfile::TempDir;
use token_tamper::{Tamper, compact, part};

/// A proxy that reaches its sign-in server through the tampering stand-in; `app.base` is the
/// stand-in too, so browsers and the proxy see one public URL.
async fn spawn_tampered(dir: &TempDir) -> (TestApp, Tamper) {
    let (listener, public) = token_tamper::bind().await;
    let public_url = url::Url::parse(&format!("{public}/")).unwrap();
    let mut app = spawn_adjusted(dir.path(), "", Arc::new(OffsetClock::new()), |config| {
        config.public_url = Some(public_url);
    })
    .await;
    let tamper = token_tamper::serve(listener, app.base.clone());
    app.base = public;
    (app, tamper)
}

/// A sign-in as alice; returns the callback page, the flow's final status and how many
/// sessions exist afterwards.
async fn sign_in_attempt(app: &TestApp) -> (String, Value, i64) {
    let flow = app.start_flow(ORIGIN_A).await;
    let callback = app.authorize(&flow.authorize_url, "alice", "allow").await;
    let page = app.follow(&callback).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    let status = json(app.poll(ORIGIN_A, &flow.id, 5).await).await;
    (html, status, app.rows("auth_sessions").await)
}

/// The sign-in ends without a session, saying the ID token was refused for `reason`.
async fn assert_refused(app: &TestApp, reason: &str) {
    let (sessions_before, tokens_before) = (
        app.rows("auth_sessions").await,
        app.rows("auth_tokens").await,
    );
    let (html, status, sessions) = sign_in_attempt(app).await;
    assert_eq!(status["status"], "failed", "{status}");
    assert!(status.get("sessionHandle").is_none());
    let said = status["reason"].as_str().unwrap_or_default();
    assert!(
        said.contains("ID token") && said.contains(reason),
        "{status}"
    );
    assert!(html.contains("Signing in failed: its ID token"), "{html}");
    assert_eq!(
        sessions, sessions_before,
        "no session for a forged ID token"
    );
    assert_eq!(
        app.rows("auth_tokens").await,
        tokens_before,
        "no tokens kept"
    );
}

/// The genuine token's claims, changed by `change`, signed with the sign-in server's own key.
fn resigned(
    change: impl Fn(&mut Value) + Send + Sync + 'static,
) -> impl Fn(&DevAuthServer, &str) -> String + Send + Sync + 'static {
    move |dev: &DevAuthServer, genuine: &str| {
        let mut claims = part(genuine, 1);
        change(&mut claims);
        dev.sign_id_token(&claims).unwrap()
    }
}

/// A fresh proxy whose sign-ins receive `forge(sign-in server, genuine ID token)` refuses a
/// sign-in for `reason`.
async fn refused_when_forged(
    forge: impl Fn(&DevAuthServer, &str) -> String + Send + Sync + 'static,
    reason: &str,
) {
    let dir = TempDir::new().unwrap();
    let (app, tamper) = spawn_tampered(&dir).await;
    let dev = app.dev_server();
    tamper.forge(move |genuine| forge(&dev, genuine));
    assert_refused(&app, reason).await;
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

#[tokio::test]
async fn a_genuine_id_token_is_verified_and_signs_in() {
    let dir = TempDir::new().unwrap();
    let (app, tamper) = spawn_tampered(&dir).await;
    let (_, status, sessions) = sign_in_attempt(&app).await;
    assert_eq!(status["status"], "done", "{status}");
    assert_eq!(sessions, 1);
    // What the proxy verified: an ES256 token from the sign-in server, naming its key and
    // carrying this sign-in's nonce.
    let token = tamper
        .genuine_tokens()
        .pop()
        .expect("an ID token was issued");
    let header = part(&token, 0);
    assert_eq!(header["alg"], "ES256");
    let kid = header["kid"].as_str().unwrap();
    let keys = json(reqwest::get(app.url("/sandbox/oauth/jwks")).await.unwrap()).await;
    assert!(
        keys["keys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["kid"] == kid),
        "{keys}"
    );
    let claims = part(&token, 1);
    assert_eq!(claims["iss"], app.url("/sandbox/oauth"));
    assert_eq!(claims["aud"], CLIENT_ID);
    assert_eq!(claims["sub"], "alice");
    assert!(
        claims["nonce"].as_str().is_some_and(|n| n.len() >= 43),
        "{claims}"
    );
    let discovery = app.url("/sandbox/oauth/.well-known/openid-configuration");
    let discovery = json(reqwest::get(discovery).await.unwrap()).await;
    assert_eq!(discovery["jwks_uri"], app.url("/sandbox/oauth/jwks"));
}

/// The genuine claims signed ES256 by a key of the attacker's, under key id `kid` (`None`:
/// the genuine token's key id).
fn signed_by_attacker(kid: Option<&str>) -> impl Fn(&str) -> String + Send + Sync + 'static {
    let key = p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng);
    let key = EncodingKey::from_ec_der(key.to_pkcs8_der().unwrap().as_bytes());
    let kid = kid.map(str::to_owned);
    move |genuine: &str| {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = kid
            .clone()
            .or_else(|| part(genuine, 0)["kid"].as_str().map(str::to_owned));
        jsonwebtoken::encode(&header, &part(genuine, 1), &key).unwrap()
    }
}

#[tokio::test]
async fn an_id_token_signed_by_another_key_is_refused() {
    let dir = TempDir::new().unwrap();
    let (app, tamper) = spawn_tampered(&dir).await;
    // Claiming the issuer's key id: the signature does not verify with that key.
    tamper.forge(signed_by_attacker(None));
    assert_refused(&app, "signature").await;
    // Naming a key of its own: the issuer publishes no such key.
    tamper.forge(signed_by_attacker(Some("attacker-key")));
    assert_refused(&app, "key the issuer does not publish").await;
}

#[tokio::test]
async fn an_unsigned_id_token_is_refused() {
    refused_when_forged(
        |_, genuine| {
            compact(
                &json!({"alg": "none", "typ": "JWT"}),
                &part(genuine, 1),
                b"",
            )
        },
        "public-key algorithm",
    )
    .await;
}

#[tokio::test]
async fn an_id_token_signed_with_the_client_secret_is_refused() {
    // HS256 keyed with the client secret: anyone holding the secret could mint these.
    refused_when_forged(
        |_, genuine| {
            let mut header = Header::new(Algorithm::HS256);
            header.kid = part(genuine, 0)["kid"].as_str().map(str::to_owned);
            let key = EncodingKey::from_secret(CLIENT_SECRET.as_bytes());
            jsonwebtoken::encode(&header, &part(genuine, 1), &key).unwrap()
        },
        "public-key algorithm",
    )
    .await;
}

/// A claim change and the reason the proxy must give for refusing the result.
type WrongClaim = (fn(&mut Value), &'static str);

#[tokio::test]
async fn id_tokens_signed_by_the_issuer_but_wrong_in_one_claim_are_refused() {
    let dir = TempDir::new().unwrap();
    let (app, tamper) = spawn_tampered(&dir).await;
    let cases: [WrongClaim; 6] = [
        (
            |c| c["iss"] = json!("https://evil.example/oauth"),
            "issued by another server",
        ),
        (|c| c["aud"] = json!("another-client"), "another client"),
        (
            |c| c["aud"] = json!([CLIENT_ID, "another-client"]),
            "another party",
        ),
        // Expired ten minutes ago: beyond the tolerated clock skew.
        (
            |c| {
                c["iat"] = json!(now() - 1200);
                c["exp"] = json!(now() - 600);
            },
            "expired",
        ),
        (
            |c| {
                c["iat"] = json!(now() + 3600);
                c["exp"] = json!(now() + 7200);
            },
            "issue time",
        ),
        (
            |c| {
                c.as_object_mut().unwrap().remove("nonce");
            },
            "another sign-in (nonce)",
        ),
    ];
    for (change, reason) in cases {
        let (dev, forge) = (app.dev_server(), resigned(change));
        tamper.forge(move |genuine| forge(&dev, genuine));
        assert_refused(&app, reason).await;
    }
}

#[tokio::test]
async fn an_id_token_replayed_from_another_sign_in_is_refused() {
    let dir = TempDir::new().unwrap();
    let (app, tamper) = spawn_tampered(&dir).await;
    // A genuine token, captured from an earlier sign-in, replayed into a new one.
    let (_, earlier, _) = sign_in_attempt(&app).await;
    assert_eq!(earlier["status"], "done");
    let captured = tamper.genuine_tokens().pop().unwrap();
    tamper.forge(move |_| captured.clone());
    assert_refused(&app, "another sign-in (nonce)").await;
}

#[tokio::test]
async fn a_rotated_signing_key_is_fetched_and_the_keys_are_cached() {
    let dir = TempDir::new().unwrap();
    let (app, tamper) = spawn_tampered(&dir).await;
    for _ in 0..2 {
        let (_, status, _) = sign_in_attempt(&app).await;
        assert_eq!(status["status"], "done", "{status}");
    }
    assert_eq!(
        tamper.key_fetches(),
        1,
        "the keys are fetched once, then cached"
    );
    // Made-up key ids do not make the proxy fetch the keys again at once (nobody can make it
    // hammer the issuer)…
    tamper.forge(signed_by_attacker(Some("made-up")));
    assert_refused(&app, "key the issuer does not publish").await;
    assert_eq!(tamper.key_fetches(), 1);
    tamper.stop_forging();
    // …but after a few seconds a token naming a key not yet held fetches them again.
    let new_kid = app.dev_server().rotate_signing_key().await.unwrap();
    app.clock.advance(chrono::Duration::seconds(15));
    let (_, status, _) = sign_in_attempt(&app).await;
    assert_eq!(status["status"], "done", "{status}");
    assert_eq!(
        part(&tamper.genuine_tokens().pop().unwrap(), 0)["kid"],
        new_kid
    );
    assert_eq!(tamper.key_fetches(), 2);
}

#[tokio::test]
async fn discovery_names_the_issuer_and_its_keys_and_must_be_the_issuers_own() {
    use proxy::auth::config::{AuthConfig, AuthContext};
    use proxy::auth::id_token::ExpectedIssuer;
    let dir = TempDir::new().unwrap();
    // The sign-in server believes it is at the stand-in's address (its discovery document
    // says so) while it is also reachable directly.
    let (app, tamper) = spawn_tampered(&dir).await;
    let (public, direct) = (app.base.clone(), tamper.upstream().to_owned());
    let public_base_url = url::Url::parse("http://127.0.0.1:1/").unwrap();
    let origin = |u: &str| {
        let u = url::Url::parse(u).unwrap();
        u.origin().ascii_serialization()
    };
    let ctx = AuthContext {
        sandbox: false,
        allowed_origins: proxy::origins::AllowedOrigins::new(&[], &public_base_url),
        public_base_url,
        data_dir: dir.path().to_owned(),
        // Local test servers over plain http, named as an operator would.
        insecure_http: proxy::insecure_http::InsecureHttpPolicy::new(
            false,
            &[origin(&public), origin(&direct)],
        )
        .unwrap(),
    };
    let http = proxy::auth::oauth::http_client().unwrap();
    let config = |issuer: String| AuthConfig {
        issuer: Some(issuer),
        client_id: Some("c".into()),
        scopes: Some(proxy::auth::config::Scopes::parse("openid")),
        ..AuthConfig::default()
    };
    let issuer = format!("{public}/sandbox/oauth");
    let settings = config(issuer.clone()).resolve(&ctx, &http).await.unwrap();
    assert_eq!(
        settings.id_token_issuer,
        Some(ExpectedIssuer::Exact(issuer.clone()))
    );
    assert_eq!(
        settings.jwks_url.map(String::from),
        Some(format!("{issuer}/jwks"))
    );
    // A document fetched from one address that names another issuer is refused at start.
    let err = config(format!("{direct}/sandbox/oauth"))
        .resolve(&ctx, &http)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("names the issuer") && err.contains(&issuer),
        "{err}"
    );
}
