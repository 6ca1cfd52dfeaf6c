//! The example configurations in `config/examples/` are real: each one resolves (secrets from
//! the environment, as their comments say) to the backend and sign-in it describes.

use std::path::{Path, PathBuf};

use proxy::auth::config::AuthConfig;
use proxy::config::{Backend, Config, ConfigLayer, EwsAuth};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../config/examples")
        .join(name)
}

fn resolve(name: &str, secrets: &[(&str, &str)]) -> Config {
    let file = ConfigLayer::from_file(&example(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let env = ConfigLayer::from_env(|key| {
        secrets
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| (*v).to_owned())
    })
    .unwrap();
    let config = Config::resolve([file, env]).unwrap_or_else(|e| panic!("{name}: {e}"));
    AuthConfig::from_table(&config.auth).unwrap_or_else(|e| panic!("{name} [auth]: {e}"));
    config
}

#[test]
fn every_example_resolves_to_what_it_describes() {
    let graph = resolve("exchange-online-graph.toml", &[]);
    assert_eq!(graph.backend, Backend::Graph);
    assert_eq!(
        graph.graph.endpoint.as_str(),
        "https://graph.microsoft.com/v1.0"
    );

    let oauth = resolve("on-premises-ews-oauth.toml", &[]);
    assert_eq!(oauth.backend, Backend::Ews);
    assert_eq!(oauth.ews.auth, EwsAuth::OAuth);
    assert!(oauth.ews.endpoint.is_some());

    let service = resolve(
        "on-premises-service-account.toml",
        &[("XF_EWS_SERVICE_ACCOUNT_PASSWORD", "from-the-environment")],
    );
    let EwsAuth::Ntlm(account) = &service.ews.auth else {
        panic!("NTLM service account expected, got {:?}", service.ews.auth);
    };
    assert_eq!(account.username, "CONTOSO\\svc-forms");

    let sandbox = resolve("sandbox.toml", &[]);
    assert!(sandbox.sandbox.enabled);

    // Without its password the service-account example says what is missing.
    let file = ConfigLayer::from_file(&example("on-premises-service-account.toml")).unwrap();
    let err = Config::resolve([file]).unwrap_err().to_string();
    assert!(err.contains("password"), "{err}");
}
