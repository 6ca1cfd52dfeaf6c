use std::path::Path;

use secrecy::ExposeSecret;

use super::*;

fn ctx(sandbox: bool) -> AuthContext {
    let public_base_url = Url::parse("http://127.0.0.1:8080").unwrap();
    let localhost = crate::origins::OriginPattern::parse("http://localhost:*").unwrap();
    AuthContext {
        sandbox,
        allowed_origins: AllowedOrigins::new(&[localhost], &public_base_url),
        public_base_url,
        data_dir: std::env::temp_dir(),
        insecure_http: InsecureHttpPolicy {
            sandbox,
            allowed: Vec::new(),
        },
    }
}

#[tokio::test]
async fn sandbox_defaults_point_at_the_dev_server() {
    let s = AuthConfig::default()
        .resolve(&ctx(true), &reqwest::Client::new())
        .await
        .unwrap();
    assert_eq!(
        s.authorize_url.as_str(),
        "http://127.0.0.1:8080/sandbox/oauth/authorize"
    );
    assert_eq!(
        s.token_url.as_str(),
        "http://127.0.0.1:8080/sandbox/oauth/token"
    );
    assert_eq!(
        s.redirect_uri.as_str(),
        "http://127.0.0.1:8080/auth/callback"
    );
    assert_eq!(s.public_origin, "http://127.0.0.1:8080");
    assert_eq!(
        s.dev_server.unwrap().issuer.as_str(),
        "http://127.0.0.1:8080/sandbox/oauth"
    );
    assert!(s.allowed_origins.allows("http://localhost:5173"));
    assert_eq!(
        s.id_token_issuer,
        Some(ExpectedIssuer::Exact(
            "http://127.0.0.1:8080/sandbox/oauth".into()
        ))
    );
    assert_eq!(
        s.jwks_url.map(String::from).as_deref(),
        Some("http://127.0.0.1:8080/sandbox/oauth/jwks")
    );
}

#[tokio::test]
async fn microsoft_preset_builds_tenant_endpoints_and_scopes() {
    let cfg = AuthConfig {
        preset: Some(Preset::MicrosoftEws),
        tenant: Some("contoso.onmicrosoft.com".into()),
        client_id: Some("abc".into()),
        ..AuthConfig::default()
    };
    let s = cfg
        .resolve(&ctx(false), &reqwest::Client::new())
        .await
        .unwrap();
    assert_eq!(
        s.token_url.as_str(),
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
    );
    assert!(
        s.scopes
            .contains(&"https://outlook.office365.com/EWS.AccessAsUser.All".to_owned())
    );
    assert!(s.scopes.contains(&"offline_access".to_owned()));
    assert!(s.dev_server.is_none());
    // ID tokens: Microsoft's keys for the tenant; a domain name accepts the token's `tid`.
    assert_eq!(
        s.jwks_url.as_ref().map(Url::as_str),
        Some("https://login.microsoftonline.com/contoso.onmicrosoft.com/discovery/v2.0/keys")
    );
    assert_eq!(
        s.id_token_issuer,
        Some(ExpectedIssuer::TenantTemplate(
            "https://login.microsoftonline.com/{tenantid}/v2.0".into()
        ))
    );
    let bad = AuthConfig {
        tenant: Some("x/../y".into()),
        ..cfg
    };
    assert!(
        bad.resolve(&ctx(false), &reqwest::Client::new())
            .await
            .is_err()
    );
}

#[test]
fn env_overrides_and_secret_debug() {
    use crate::config::{Config, ConfigLayer};
    let file = ConfigLayer::from_toml(
        "[sandbox]\nenabled = true\n[auth]\nclient_secret = \"from-file\"\nflow_ttl_secs = 100\n",
        Path::new("proxy.toml"),
    )
    .unwrap();
    let env = ConfigLayer::from_env(|k| {
        match k {
            "XF_AUTH_CLIENT_SECRET" => Some("s3cret-value"),
            "XF_AUTH_SCOPES" => Some("openid offline_access"),
            "XF_AUTH_PROMPT" => Some("consent"),
            "XF_AUTH_FLOW_TTL_SECS" => Some("300"),
            "XF_TOKEN_KEY" => Some("a2V5"),
            _ => None,
        }
        .map(str::to_owned)
    })
    .unwrap();
    let config = Config::resolve([file, env]).unwrap();
    let cfg = AuthConfig::from_table(&config.auth).unwrap();
    assert_eq!(
        cfg.scopes,
        Some(Scopes(vec!["openid".into(), "offline_access".into()]))
    );
    assert_eq!(
        cfg.authorize_params.get("prompt").map(String::as_str),
        Some("consent")
    );
    assert_eq!(cfg.flow_ttl_secs, Some(300), "the environment wins");
    let secret = cfg.client_secret.as_ref().map(|s| s.0.expose_secret());
    assert_eq!(secret, Some("s3cret-value"));
    assert!(cfg.token_key.is_some());
    assert!(!format!("{cfg:?}").contains("s3cret-value"));
    assert!(!format!("{config:?}").contains("s3cret-value"));

    let err = ConfigLayer::from_env(|k| (k == "XF_AUTH_FLOW_TTL_SECS").then(|| "soon".into()))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("environment variable XF_AUTH_FLOW_TTL_SECS: "),
        "{err}"
    );
}

#[test]
fn table_parsing_names_unknown_keys() {
    let t: toml::Table = toml::from_str("client_id = \"x\"\nscopes = [\"openid\", \"email\"]\n[authorize_params]\nprompt = \"consent\"\n").unwrap();
    let c = AuthConfig::from_table(&t).unwrap();
    assert_eq!(
        c.scopes,
        Some(Scopes(vec!["openid".into(), "email".into()]))
    );
    let t: toml::Table = toml::from_str("client_idd = \"x\"\n").unwrap();
    assert!(
        AuthConfig::from_table(&t)
            .unwrap_err()
            .to_string()
            .contains("client_idd")
    );
}

#[test]
fn production_needs_a_key_and_sandbox_makes_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = ctx(false);
    c.data_dir = dir.path().to_owned();
    assert!(AuthConfig::default().token_key(&c).is_err());
    c.sandbox = true;
    let k1 = AuthConfig::default().token_key(&c).unwrap();
    let k2 = AuthConfig::default().token_key(&c).unwrap();
    assert_eq!(k1.expose_bytes(), k2.expose_bytes());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.path().join("token.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let bad = AuthConfig {
        token_key: Some("c2hvcnQ=".to_owned().into()),
        ..AuthConfig::default()
    };
    assert!(bad.token_key(&c).is_err());
}
