//! `check-config` as an administrator runs it: every check named, in plain words, and the exit
//! status telling a deployment script whether to go on.

use crate::common;

use axum::Router;
use axum::routing::get;
use common::{ALICE_TOKEN, Harness};

const BIN: &str = env!("CARGO_BIN_EXE_exchange-forms-proxy");

/// An OpenID provider's two public documents: discovery and a key set with one EC key.
async fn spawn_identity_provider() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let issuer = base.clone();
    let router = Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(move || {
                let issuer = issuer.clone();
                async move {
                    axum::Json(serde_json::json!({
                        "issuer": issuer,
                        "authorization_endpoint": format!("{issuer}/authorize"),
                        "token_endpoint": format!("{issuer}/token"),
                        "jwks_uri": format!("{issuer}/jwks"),
                    }))
                }
            }),
        )
        .route(
            "/jwks",
            get(|| async {
                axum::Json(serde_json::json!({"keys": [{
                    "kty": "EC", "crv": "P-256", "kid": "k1", "use": "sig", "alg": "ES256",
                    "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                    "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"
                }]}))
            }),
        );
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    base
}

/// Runs `check-config` with only `env` set; returns (success, stdout, stderr).
async fn check_config(env: &[(&str, String)], token: Option<&str>) -> (bool, String, String) {
    // Async: the servers it talks to run on this test's runtime.
    let mut command = tokio::process::Command::new(BIN);
    command.arg("check-config").env_clear();
    if let Some(token) = token {
        command.args(["--token", token]);
    }
    let output = command
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .await
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn a_working_setup_passes_and_each_broken_part_is_named() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let idp = spawn_identity_provider().await;
    let data = harness.dir.path().join("check-data");
    let env = |issuer: &str, endpoint: &str| {
        vec![
            ("XF_DATA_DIR", data.display().to_string()),
            ("XF_PUBLIC_URL", "https://forms.example.com/".to_owned()),
            ("XF_EWS_ENDPOINT", endpoint.to_owned()),
            (
                "XF_ALLOW_INSECURE_HTTP",
                format!("{},{idp},http://127.0.0.1:9", app.address),
            ),
            ("XF_AUTH_ISSUER", issuer.to_owned()),
            ("XF_AUTH_CLIENT_ID", "forms".to_owned()),
            ("XF_AUTH_SCOPES", "openid email offline_access".to_owned()),
            (
                "XF_TOKEN_KEY",
                "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=".to_owned(),
            ),
        ]
    };
    let ews = format!("{}/sandbox/ews/Exchange.asmx", app.address);

    let (passed, out, err) = check_config(&env(&idp, &ews), Some(ALICE_TOKEN)).await;
    assert!(passed, "{out}{err}");
    assert!(
        out.contains("ok      authorization server: sign-in at"),
        "{out}"
    );
    assert!(out.contains("1 ID-token key(s)"), "{out}");
    assert!(
        out.contains(&format!("ok      mailbox server: {ews} answers")),
        "{out}"
    );
    assert!(
        out.contains("ok      mailbox access: the token opens the mailbox"),
        "{out}"
    );
    assert!(
        !out.contains(ALICE_TOKEN) && !err.contains(ALICE_TOKEN),
        "the token is never printed"
    );

    // Without a token the read is skipped, not failed.
    let (passed, out, _) = check_config(&env(&idp, &ews), None).await;
    assert!(
        passed && out.contains("skipped mailbox access: no test token given"),
        "{out}"
    );

    // A token the mailbox refuses.
    let (passed, out, _) = check_config(&env(&idp, &ews), Some("expired-token")).await;
    assert!(!passed);
    assert!(
        out.contains(
            "FAILED  mailbox access: the server refused the token (HTTP 401): check the scopes"
        ),
        "{out}"
    );

    // A wrong issuer and an unreachable Exchange, both reported in one run.
    let wrong_issuer = format!("{idp}/no-such-tenant");
    let (passed, out, err) = check_config(
        &env(&wrong_issuer, "http://127.0.0.1:9/EWS/Exchange.asmx"),
        Some(ALICE_TOKEN),
    )
    .await;
    assert!(!passed && err.contains("some checks failed"), "{err}");
    assert!(out.contains("FAILED  authorization server:"), "{out}");
    assert!(
        out.contains("openid-configuration"),
        "the discovery URL tried is named: {out}"
    );
    assert!(
        out.contains(
            "FAILED  mailbox server: http://127.0.0.1:9/EWS/Exchange.asmx does not answer"
        ),
        "{out}"
    );

    // A setting that does not parse stops before any connection, naming the variable.
    let mut bad = env(&idp, &ews);
    bad.push(("XF_EWS_SERVER_VERSION", "Exchange2010".to_owned()));
    let (passed, out, err) = check_config(&bad, None).await;
    assert!(!passed && out.is_empty());
    assert!(
        err.contains("configuration:") && err.contains("XF_EWS_SERVER_VERSION"),
        "{err}"
    );
    app.stop().await;
}
