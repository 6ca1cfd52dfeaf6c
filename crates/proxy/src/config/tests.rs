use std::collections::BTreeMap;
use std::path::Path;

use super::*;

pub(super) fn file(text: &str) -> Result<ConfigLayer, ConfigError> {
    ConfigLayer::from_toml(text, Path::new("proxy.toml"))
}

pub(super) fn env(pairs: &[(&str, &str)]) -> ConfigLayer {
    let map: BTreeMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    ConfigLayer::from_env(|k| map.get(k).cloned()).unwrap()
}

#[test]
fn sandbox_flag_alone_means_sandbox_on_localhost_8080() {
    let config = Config::resolve([env(&[("XF_SANDBOX", "1")])]).unwrap();
    assert!(config.sandbox.enabled);
    assert_eq!(config.bind.to_string(), "127.0.0.1");
    assert_eq!(config.port, 8080);
    assert_eq!(config.data_dir, PathBuf::from("./data"));
    assert_eq!(config.ews.server_version, ServerVersion::Exchange2016);
    assert_eq!(config.ews.retry_budget, Duration::from_secs(30));
    assert_eq!(
        config.allowed_origins,
        [
            OriginPattern::parse("http://127.0.0.1:*").unwrap(),
            OriginPattern::parse("http://localhost:*").unwrap()
        ]
    );
}

#[test]
fn later_layers_win() {
    let from_file = file("port = 9000\n[ews]\nendpoint = \"https://mail.example.com/EWS/Exchange.asmx\"\nmax_retries = 2\n").unwrap();
    let from_env = env(&[
        ("XF_PORT", "9100"),
        ("XF_EWS_SERVER_VERSION", "Exchange2013"),
    ]);
    let flags =
        ConfigLayer::from_flags(&[("port", "0".into())], |k| format!("flag --{k}")).unwrap();
    let config = Config::resolve([from_file, from_env, flags]).unwrap();
    assert_eq!(config.port, 0);
    assert_eq!(config.ews.max_retries, 2);
    assert_eq!(config.ews.server_version, ServerVersion::Exchange2013);
    assert!(!config.sandbox.enabled, "an endpoint means real Exchange");
}

#[test]
fn file_errors_name_the_file_and_key() {
    let err = file("[ews]\ntimeout_seconds = \"soon\"\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("proxy.toml") && err.contains("timeout_seconds"),
        "{err}"
    );
    let err = file("colour = 1\n").unwrap_err().to_string();
    assert!(err.contains("unknown field `colour`"), "{err}");
    let err = file("port = \n").unwrap_err().to_string();
    assert!(
        err.contains("proxy.toml") && err.contains("line 1"),
        "{err}"
    );
}

#[test]
fn database_url_chooses_postgres_and_the_environment_wins() {
    use secrecy::ExposeSecret as _;
    let sandbox = || env(&[("XF_SANDBOX", "1")]);
    let sqlite = Config::resolve([sandbox()]).unwrap();
    assert!(sqlite.database_url.is_none(), "absent = SQLite in data_dir");
    let from_file = file("database_url = \"postgres://a@db/forms\"\n").unwrap();
    let from_env = env(&[("XF_DATABASE_URL", "postgresql://b@db/forms")]);
    let config = Config::resolve([sandbox(), from_file, from_env]).unwrap();
    assert_eq!(
        config.database_url.as_ref().map(|u| u.expose_secret()),
        Some("postgresql://b@db/forms")
    );
    let mysql = file("database_url = \"mysql://db/forms\"\n").unwrap();
    let err = Config::resolve([sandbox(), mysql]).unwrap_err().to_string();
    assert!(
        err.starts_with("config file proxy.toml, key database_url:")
            && err.contains("PostgreSQL URL"),
        "{err}"
    );
}

#[test]
fn invalid_values_name_their_origin() {
    let layer = file("[ews]\nendpoint = \"ftp://x\"\n").unwrap();
    let err = Config::resolve([layer]).unwrap_err().to_string();
    assert!(
        err.starts_with("config file proxy.toml, key ews.endpoint:"),
        "{err}"
    );

    let err = ConfigLayer::from_env(|k| (k == "XF_PORT").then(|| "eighty".to_owned()))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("environment variable XF_PORT: ")
            && err.contains("\"eighty\"")
            && err.contains("u16"),
        "{err}"
    );

    let err = Config::resolve([env(&[("XF_EWS_SERVER_VERSION", "Exchange2010")])])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("XF_EWS_SERVER_VERSION") && err.contains("Exchange2010"),
        "{err}"
    );
}

#[test]
fn debug_output_shows_auth_keys_but_not_their_secrets() {
    let config = Config::resolve([
        env(&[("XF_SANDBOX", "1")]),
        file("[auth]\nclient_id = \"forms\"\nclient_secret = \"s3cr3t-value\"\n").unwrap(),
    ])
    .unwrap();
    let shown = format!("{config:?}");
    assert!(shown.contains("client_secret"), "{shown}");
    assert!(!shown.contains("s3cr3t-value"), "{shown}");
    assert_eq!(config.auth["client_id"].as_str(), Some("forms"));
}

#[test]
fn the_sandbox_runs_only_when_asked() {
    // Nothing set, or a sign-in configured without an endpoint: no silent sandbox.
    let preset =
        file("[auth]\npreset = \"microsoft_ews\"\ntenant = \"contoso.onmicrosoft.com\"\n").unwrap();
    for layers in [vec![], vec![env(&[("XF_SANDBOX", "false")])], vec![preset]] {
        let err = Config::resolve(layers).unwrap_err().to_string();
        assert!(
            err.starts_with("no Exchange endpoint is configured")
                && err.contains("ews.endpoint")
                && err.contains("--sandbox"),
            "{err}"
        );
    }
    let asked = file("[sandbox]\nenabled = true\n").unwrap();
    assert!(Config::resolve([asked]).unwrap().sandbox.enabled);
}

#[test]
fn origins_are_parsed_once_and_bad_ones_named() {
    let layer = file("allowed_origins = [\"https://Intranet.example.com/\", \"http://localhost:*\"]\n[sandbox]\nenabled = true\n").unwrap();
    let config = Config::resolve([layer]).unwrap();
    assert_eq!(
        config.allowed_origins,
        [
            OriginPattern::Exact("https://intranet.example.com".into()),
            OriginPattern::AnyPort {
                scheme: "http".into(),
                host: "localhost".into()
            }
        ]
    );
    for bad in ["https://x.example/path", "https://*.example", "null"] {
        let layer = file(&format!(
            "allowed_origins = [\"{bad}\"]\n[sandbox]\nenabled = true\n"
        ))
        .unwrap();
        let err = Config::resolve([layer]).unwrap_err().to_string();
        assert!(
            err.starts_with("config file proxy.toml, key allowed_origins:") && err.contains(bad),
            "{err}"
        );
    }
}

#[test]
fn slow_client_timeouts_default_and_are_bounded() {
    let config = Config::resolve([env(&[("XF_SANDBOX", "1")])]).unwrap();
    assert_eq!(config.server.header_timeout, Duration::from_secs(10));
    assert_eq!(config.server.body_timeout, Duration::from_secs(30));
    let layer = file("[server]\nheader_timeout_secs = 5\n[sandbox]\nenabled = true\n").unwrap();
    let config = Config::resolve([layer, env(&[("XF_SERVER_BODY_TIMEOUT_SECS", "7")])]).unwrap();
    assert_eq!(config.server.header_timeout, Duration::from_secs(5));
    assert_eq!(config.server.body_timeout, Duration::from_secs(7));
    let err = Config::resolve([file("[server]\nbody_timeout_secs = 0\n").unwrap()])
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("config file proxy.toml, key server.body_timeout_secs:"),
        "{err}"
    );
}

#[test]
fn metrics_and_log_format_settings() {
    let config = Config::resolve([env(&[("XF_SANDBOX", "1")])]).unwrap();
    assert!(config.metrics.enabled && config.metrics.token.is_none());
    assert_eq!(config.log.format, LogFormat::Text);
    let layer = file("[metrics]\nenabled = false\ntoken = \"0123456789abcdef\"\n[log]\nformat = \"json\"\n[sandbox]\nenabled = true\n").unwrap();
    let config = Config::resolve([layer]).unwrap();
    assert!(!config.metrics.enabled);
    assert!(config.metrics.token.is_some());
    assert_eq!(config.log.format, LogFormat::Json);
    let config = Config::resolve([env(&[
        ("XF_SANDBOX", "1"),
        ("XF_LOG_FORMAT", "JSON"),
        ("XF_METRICS_ENABLED", "0"),
    ])])
    .unwrap();
    assert_eq!(config.log.format, LogFormat::Json);
    assert!(!config.metrics.enabled);
    let err = Config::resolve([env(&[("XF_SANDBOX", "1"), ("XF_LOG_FORMAT", "xml")])])
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("environment variable XF_LOG_FORMAT:"),
        "{err}"
    );
    let err = Config::resolve([env(&[("XF_SANDBOX", "1"), ("XF_METRICS_TOKEN", "short")])])
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("environment variable XF_METRICS_TOKEN:"),
        "{err}"
    );
}

#[test]
fn a_fixed_impersonated_mailbox_is_refused_with_the_new_mode_named() {
    let old = env(&[
        ("XF_EWS_IMPERSONATION", "svc-room@example.com"),
        ("XF_SANDBOX", "1"),
    ]);
    let err = Config::resolve([old]).unwrap_err().to_string();
    assert!(
        err.starts_with("environment variable XF_EWS_IMPERSONATION:")
            && err.contains("ews.auth = \"ntlm\""),
        "{err}"
    );
}

#[test]
fn service_account_from_file_and_password_from_the_environment() {
    let layer = file(
        "[sandbox]\nenabled = true\n[ews]\nauth = \"ntlm\"\n[ews.service_account]\nusername = \"CONTOSO\\\\svc-forms\"\n",
    )
    .unwrap();
    let password = env(&[("XF_EWS_SERVICE_ACCOUNT_PASSWORD", "from-env-secret")]);
    let config = Config::resolve([layer, password]).unwrap();
    let EwsAuth::Ntlm(account) = &config.ews.auth else {
        panic!("{:?}", config.ews.auth);
    };
    assert_eq!(account.username, "CONTOSO\\svc-forms");
    use secrecy::ExposeSecret as _;
    assert_eq!(account.password.expose_secret(), "from-env-secret");
    assert!(!format!("{config:?}").contains("from-env-secret"));
    let accounts = env(&[
        ("XF_SANDBOX", "1"),
        (
            "XF_SANDBOX_SERVICE_ACCOUNTS",
            "svc@sandbox.test:pw1,SANDBOX\\svc2:p:w2",
        ),
    ]);
    let config = Config::resolve([accounts]).unwrap();
    let names: Vec<_> = config
        .sandbox
        .service_accounts
        .iter()
        .map(|a| (a.username.as_str(), a.password.expose_secret()))
        .collect();
    assert_eq!(
        names,
        [("svc@sandbox.test", "pw1"), ("sandbox\\svc2", "p:w2")]
    );
    let err = ConfigLayer::from_env(|k| {
        (k == "XF_SANDBOX_SERVICE_ACCOUNTS").then(|| "svc:secret-one,nopassword".to_owned())
    })
    .unwrap_err()
    .to_string();
    assert!(!err.contains("secret-one"), "{err}");
    assert!(err.contains("username:password"), "{err}");
}
