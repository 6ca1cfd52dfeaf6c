//! Kerberos against a real MIT KDC (`kdc_support`): the proxy asks the KDC for a ticket to
//! `HTTP/localhost` with the service account's password and signs in with it inside Negotiate;
//! the sandbox checks the ticket with the key the KDC exported to a keytab. Then what an
//! administrator sees when the KDC says no (wrong password, unknown service principal) or
//! Exchange cannot read the ticket, and `check-config` naming the mechanism that worked.

use crate::auth_support;
use crate::kdc_support;
use crate::service_account_support;

use auth_support::*;
use kdc_support::*;
use proxy::config::{EwsAuth, Kdc, ServiceAccount};
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::json;
use service_account_support::*;
use tempfile::TempDir;

fn principal(password: &str) -> ServiceAccount {
    ServiceAccount {
        username: USERNAME.into(),
        password: SecretString::from(password.to_owned()),
    }
}

/// `negotiate` (Kerberos, else NTLM) or, `kerberos_only`, `kerberos`, asking `kdc`.
fn auth(kdc: &TestKdc, password: &str, kerberos_only: bool) -> EwsAuth {
    let account = principal(password);
    let kdc = Some(Kdc {
        host: "127.0.0.1".into(),
        port: kdc.port,
    });
    if kerberos_only {
        EwsAuth::Kerberos { account, kdc }
    } else {
        EwsAuth::Negotiate { account, kdc }
    }
}

/// The proxy in sandbox mode, its EWS endpoint `http://<host>:<relay>/…`, signing in with
/// `auth`; the sandbox knows the service account by its principal and reads tickets with
/// the KDC's keytab.
async fn spawn_kerberos(
    dir: &TempDir,
    kdc: &TestKdc,
    host: &str,
    auth: EwsAuth,
) -> (TestApp, CountingRelay) {
    let keytab = kdc.keytab();
    relayed_as(
        dir,
        CountingRelay::spawn().await,
        "http",
        host,
        move |config| {
            config.ews.auth = auth;
            config.sandbox.service_accounts = vec![ServiceAccount {
                username: SANDBOX_ACCOUNT.into(),
                password: SecretString::from(PASSWORD.to_owned()),
            }];
            config.sandbox.impersonators = vec![SANDBOX_ACCOUNT.into()];
            config.sandbox.kerberos_keytab = Some(keytab);
        },
    )
    .await
}

#[tokio::test]
async fn negotiate_signs_in_with_a_ticket_from_the_kdc_and_acts_for_each_user() {
    let Some(kdc) = TestKdc::start(PASSWORD) else {
        return;
    };
    let dir = TempDir::new().unwrap();
    let (app, relay) = spawn_kerberos(&dir, &kdc, "localhost", auth(&kdc, PASSWORD, false)).await;
    each_user_gets_their_own_items(&app).await;
    // One ticket, one connection signed in with it, no NTLM.
    assert_eq!(sign_ins(&app), (0, 1));
    assert_eq!(relay.connections(), 1);
    // The KDC itself issued the service ticket, after pre-authentication with the password.
    let log = kdc.kdc_log();
    assert!(
        log.contains("AS_REQ")
            && log.contains("TGS_REQ")
            && log.contains("ISSUE")
            && log.contains("svc-forms@SANDBOX.TEST for HTTP/localhost@SANDBOX.TEST"),
        "{log}"
    );
}

#[tokio::test]
async fn a_wrong_password_is_refused_by_the_kdc_and_named() {
    let Some(kdc) = TestKdc::start(PASSWORD) else {
        return;
    };
    let dir = TempDir::new().unwrap();
    let (app, _relay) =
        spawn_kerberos(&dir, &kdc, "localhost", auth(&kdc, "Wrong-Horse-8", true)).await;
    let message = failed_create(&app, "No Kerberos ticket").await;
    assert!(
        message.starts_with("No Kerberos ticket for HTTP/localhost: the KDC refused the account")
            && message.contains("XF_EWS_SERVICE_ACCOUNT_PASSWORD")
            && !message.contains("Wrong-Horse-8"),
        "{message}"
    );
}

#[tokio::test]
async fn an_unregistered_service_principal_is_named_and_negotiate_falls_back_to_ntlm() {
    let Some(kdc) = TestKdc::start(PASSWORD) else {
        return;
    };
    // `127.0.0.1` is not `localhost`: the KDC has no HTTP/127.0.0.1.
    let dir = TempDir::new().unwrap();
    let (app, _relay) = spawn_kerberos(&dir, &kdc, "127.0.0.1", auth(&kdc, PASSWORD, true)).await;
    let message = failed_create(&app, "No Kerberos ticket").await;
    assert!(
        message.contains("the KDC knows no service principal HTTP/127.0.0.1")
            && message.contains("setspn"),
        "{message}"
    );

    let dir = TempDir::new().unwrap();
    let (app, _relay) = spawn_kerberos(&dir, &kdc, "127.0.0.1", auth(&kdc, PASSWORD, false)).await;
    let alice = app.sign_in(ORIGIN_A, ALICE).await;
    let (created, logs) =
        warnings_during(post(&app, &alice, "/api/tasks", json!({"subject": "x"}))).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert!(
        logs.contains("knows no service principal HTTP/127.0.0.1")
            && logs.contains("NTLM inside Negotiate instead"),
        "{logs}"
    );
    assert_eq!(sign_ins(&app), (1, 0));
}

#[tokio::test]
async fn a_ticket_exchange_cannot_read_says_which_principal_to_fix() {
    let Some(kdc) = TestKdc::start(PASSWORD) else {
        return;
    };
    // The KDC now encrypts tickets for HTTP/localhost with a key the keytab does not hold, as
    // when the SPN sits on another account than the one running EWS.
    kdc.kadmin(&format!("cpw -randkey {SERVICE}"));
    let dir = TempDir::new().unwrap();
    let (app, _relay) = spawn_kerberos(&dir, &kdc, "localhost", auth(&kdc, PASSWORD, false)).await;
    let message = failed_create(&app, "refused the Kerberos ticket").await;
    assert!(
        message.starts_with("Exchange refused the Kerberos ticket for HTTP/localhost")
            && message.contains("setspn -Q HTTP/localhost"),
        "{message}"
    );
}

#[tokio::test]
async fn a_request_replayed_with_its_ticket_on_another_connection_is_refused() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let Some(kdc) = TestKdc::start(PASSWORD) else {
        return;
    };
    let dir = TempDir::new().unwrap();
    let (app, relay) = spawn_kerberos(&dir, &kdc, "localhost", auth(&kdc, PASSWORD, true)).await;
    let alice = app.sign_in(ORIGIN_A, ALICE).await;
    let created = post(&app, &alice, "/api/tasks", json!({"subject": "Once"})).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    // Someone on the wire (plain http) sends the proxy's request again, ticket and body, on a
    // connection of their own, within the ticket's lifetime.
    let captured = relay.first_request();
    let text = String::from_utf8_lossy(&captured).to_lowercase();
    assert!(text.contains("authorization: negotiate "), "{text}");
    let port: u16 = app.base.rsplit(':').next().unwrap().parse().unwrap();
    let mut attacker = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    attacker.write_all(&captured).await.unwrap();
    let mut status = [0u8; 12];
    attacker.read_exact(&mut status).await.unwrap();
    assert_eq!(String::from_utf8_lossy(&status), "HTTP/1.1 401");
    assert_eq!(stored(&app, ALICE, "tasks").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_config_says_kerberos_signed_in() {
    let Some(kdc) = TestKdc::start(PASSWORD) else {
        return;
    };
    let dir = TempDir::new().unwrap();
    let (app, relay) = spawn_kerberos(&dir, &kdc, "localhost", auth(&kdc, PASSWORD, false)).await;
    let endpoint = format!(
        "http://localhost:{}/sandbox/ews/Exchange.asmx",
        relay.address.port()
    );
    let file = app.data_dir.join("check.toml");
    std::fs::write(
        &file,
        format!(
            "allow_insecure_http = [\"http://localhost:{port}\"]\n[ews]\nendpoint = \
             \"{endpoint}\"\nauth = \"negotiate\"\nkdc = \"127.0.0.1:{kdc}\"\n\
             [ews.service_account]\nusername = \"{username}\"\n",
            port = relay.address.port(),
            kdc = kdc.port,
            username = USERNAME.replace('\\', "\\\\"),
        ),
    )
    .unwrap();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_exchange-forms-proxy"))
            .args(["check-config", "--config"])
            .arg(&file)
            .args(["--mailbox", ALICE])
            .env("XF_EWS_SERVICE_ACCOUNT_PASSWORD", PASSWORD)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(
        out.contains("ok      service account: signed in to ")
            && out.contains(&format!(
                "as {USERNAME} (negotiate: Kerberos) and read the calendar of {ALICE}"
            )),
        "{out}{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
