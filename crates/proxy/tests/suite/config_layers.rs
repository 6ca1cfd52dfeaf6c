//! `serve`'s settings from a TOML file, `XF_*` environment variables and flags: one list of
//! keys, later sources win, and a bad setting is named with the key and where it was written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proxy::cli::ServeArgs;
use proxy::config::{Backend, Config, EwsAuth};
use secrecy::ExposeSecret as _;

fn environment(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: BTreeMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

fn config_file(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("proxy.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn serve_with(file: &Path) -> ServeArgs {
    ServeArgs {
        config: Some(file.to_owned()),
        ..ServeArgs::default()
    }
}

#[test]
fn a_flag_beats_the_environment_which_beats_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = config_file(
        dir.path(),
        "port = 9000\nbackend = \"graph\"\n[sandbox]\nenabled = true\n[ews]\nmax_retries = 2\ntimeout_seconds = 11\n",
    );

    let from_file = serve_with(&file).resolve(environment(&[])).unwrap();
    assert_eq!(from_file.port, 9000);
    assert_eq!(from_file.backend, Backend::Graph);
    assert_eq!(from_file.ews.max_retries, 2);

    let env = environment(&[
        ("XF_PORT", "9100"),
        ("XF_BACKEND", "ews"),
        ("XF_EWS_MAX_RETRIES", "3"),
    ]);
    let over_file = serve_with(&file).resolve(&env).unwrap();
    assert_eq!(over_file.port, 9100);
    assert_eq!(over_file.backend, Backend::Ews);
    assert_eq!(over_file.ews.max_retries, 3);
    assert_eq!(over_file.ews.timeout.as_secs(), 11, "untouched keys stay");

    let flags = ServeArgs {
        port: Some(0),
        backend: Some("graph".into()),
        ..serve_with(&file)
    };
    let over_env = flags.resolve(&env).unwrap();
    assert_eq!(over_env.port, 0);
    assert_eq!(over_env.backend, Backend::Graph);
    assert_eq!(over_env.ews.max_retries, 3, "the environment's value stays");
    assert!(over_env.sandbox.enabled, "the file's value stays");
}

#[test]
fn nested_keys_come_from_variables_named_after_their_path() {
    let dir = tempfile::tempdir().unwrap();
    let file = config_file(
        dir.path(),
        "[ews]\nauth = \"ntlm\"\n[ews.service_account]\nusername = \"CONTOSO\\\\svc-forms\"\n",
    );
    let config = serve_with(&file)
        .resolve(environment(&[
            ("XF_SANDBOX", "1"),
            ("XF_EWS_SERVICE_ACCOUNT_PASSWORD", "from-env-secret"),
            ("XF_SERVER_BODY_TIMEOUT_SECS", "7"),
            ("XF_ALLOWED_ORIGINS", "https://a.example, https://b.example"),
            // Not a setting of the proxy's own: left alone, not refused.
            ("XF_CHROMIUM", "/usr/bin/chromium"),
        ]))
        .unwrap();
    assert!(config.sandbox.enabled);
    let EwsAuth::Ntlm(account) = &config.ews.auth else {
        panic!("{:?}", config.ews.auth);
    };
    assert_eq!(account.password.expose_secret(), "from-env-secret");
    assert_eq!(config.server.body_timeout.as_secs(), 7);
    assert_eq!(config.allowed_origins.len(), 2);
    assert!(
        !format!("{config:?}").contains("from-env-secret"),
        "Debug never shows a secret"
    );

    // The long form of XF_SANDBOX works too, and an empty variable counts as unset.
    let config = ServeArgs::default()
        .resolve(environment(&[
            ("XF_SANDBOX_ENABLED", "true"),
            ("XF_PORT", ""),
        ]))
        .unwrap();
    assert!(config.sandbox.enabled);
    assert_eq!(config.port, Config::DEFAULT_PORT);
}

#[test]
fn a_misspelt_key_is_refused_with_its_name_and_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = config_file(
        dir.path(),
        "[sandbox]\nenabled = true\n[ews]\nendpont = \"https://mail.example.com/EWS/Exchange.asmx\"\n",
    );
    let err = serve_with(&file)
        .resolve(environment(&[]))
        .unwrap_err()
        .to_string();
    let expected = format!(
        "config file {}, key ews.endpont: unknown field `endpont`",
        file.display()
    );
    assert!(err.starts_with(&expected), "{err}");
}

#[test]
fn a_wrong_type_names_the_key_and_where_it_was_written() {
    let dir = tempfile::tempdir().unwrap();
    let file = config_file(dir.path(), "[ews]\ntimeout_seconds = \"soon\"\n");
    let err = serve_with(&file)
        .resolve(environment(&[]))
        .unwrap_err()
        .to_string();
    let expected = format!(
        "config file {}, key ews.timeout_seconds: invalid type",
        file.display()
    );
    assert!(err.starts_with(&expected) && err.contains("soon"), "{err}");

    let err = ServeArgs::default()
        .resolve(environment(&[("XF_EWS_TIMEOUT_SECONDS", "soon")]))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("environment variable XF_EWS_TIMEOUT_SECONDS: invalid type"),
        "{err}"
    );
    let err = ServeArgs::default()
        .resolve(environment(&[("XF_SANDBOX", "maybe")]))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("environment variable XF_SANDBOX: invalid type"),
        "{err}"
    );

    let flags = ServeArgs {
        sandbox: true,
        backend: Some("rest".into()),
        ..ServeArgs::default()
    };
    let err = flags.resolve(environment(&[])).unwrap_err().to_string();
    assert!(err.starts_with("flag --backend: "), "{err}");
}

#[test]
fn autodiscover_replaces_the_endpoint_and_impossible_combinations_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = config_file(dir.path(), "[ews]\nautodiscover = true\n");
    let config = serve_with(&file).resolve(environment(&[])).unwrap();
    let autodiscover = config.ews.autodiscover.expect("autodiscover on");
    assert_eq!(autodiscover.url, None, "derived from each user's domain");
    assert_eq!(config.ews.endpoint, None);

    let env = environment(&[
        ("XF_EWS_AUTODISCOVER", "true"),
        (
            "XF_EWS_AUTODISCOVER_URL",
            "https://autodiscover.contoso.com/autodiscover/autodiscover.xml",
        ),
    ]);
    let config = ServeArgs::default().resolve(env).unwrap();
    assert_eq!(
        config.ews.autodiscover.unwrap().url.unwrap().as_str(),
        "https://autodiscover.contoso.com/autodiscover/autodiscover.xml"
    );

    let refused = |text: &str, env: &[(&str, &str)]| {
        let file = config_file(dir.path(), text);
        serve_with(&file)
            .resolve(environment(env))
            .unwrap_err()
            .to_string()
    };
    let both = refused(
        "[ews]\nautodiscover = true\nendpoint = \"https://mail.contoso.com/EWS/Exchange.asmx\"\n",
        &[],
    );
    assert!(
        both.contains("key ews.autodiscover:") && both.contains("set one of them"),
        "{both}"
    );
    let graph = refused("backend = \"graph\"\n[ews]\nautodiscover = true\n", &[]);
    assert!(
        graph.contains("key ews.autodiscover:") && graph.contains("does not use EWS"),
        "{graph}"
    );
    let url_alone = refused(
        "[ews]\nendpoint = \"https://mail.contoso.com/EWS/Exchange.asmx\"\n",
        &[(
            "XF_EWS_AUTODISCOVER_URL",
            "https://autodiscover.contoso.com/autodiscover/autodiscover.xml",
        )],
    );
    assert!(
        url_alone.starts_with("environment variable XF_EWS_AUTODISCOVER_URL:")
            && url_alone.contains("only with ews.autodiscover = true"),
        "{url_alone}"
    );
    let plain_http = refused(
        "[ews]\nautodiscover = true\nautodiscover_url = \"http://autodiscover.contoso.com/autodiscover/autodiscover.xml\"\n",
        &[],
    );
    assert!(
        plain_http.contains("key ews.autodiscover_url:")
            && plain_http.contains("allow_insecure_http"),
        "{plain_http}"
    );
    // A service account signs in to Autodiscover: never at a URL a user's domain names.
    let derived = refused(
        "[ews]\nautodiscover = true\nauth = \"basic\"\n[ews.service_account]\nusername = \"svc@contoso.com\"\n",
        &[("XF_EWS_SERVICE_ACCOUNT_PASSWORD", "secret-pw")],
    );
    assert!(
        derived.contains("key ews.autodiscover:")
            && derived.contains("set ews.autodiscover_url")
            && !derived.contains("secret-pw"),
        "{derived}"
    );
    let file = config_file(
        dir.path(),
        "[ews]\nautodiscover = true\nautodiscover_url = \"https://autodiscover.contoso.com/autodiscover/autodiscover.xml\"\nauth = \"ntlm\"\n[ews.service_account]\nusername = \"CONTOSO\\\\svc\"\n",
    );
    let named = serve_with(&file)
        .resolve(environment(&[("XF_EWS_SERVICE_ACCOUNT_PASSWORD", "pw")]))
        .unwrap();
    assert!(named.ews.autodiscover.unwrap().url.is_some());
    let nothing = refused("", &[]);
    assert!(nothing.contains("ews.autodiscover = true"), "{nothing}");
}
