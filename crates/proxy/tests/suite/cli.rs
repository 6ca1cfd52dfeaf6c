//! The `exchange-forms-proxy` binary as scripts use it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common;

use common::faults::assert_schema_valid;

const BIN: &str = env!("CARGO_BIN_EXE_exchange-forms-proxy");

/// Kills the child when the test ends, even on failure.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `serve --port 0` with a fresh data directory under `dir`, plus `args` and `env`; returns the
/// process and the URL it printed once listening.
async fn serve(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> (Running, String) {
    let child = common::serve_command(dir, args, env)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut running = Running(child);
    let stdout = running.0.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        line
    });
    let line = tokio::time::timeout(Duration::from_secs(60), line)
        .await
        .unwrap()
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    (running, url)
}

#[tokio::test]
async fn serve_prints_the_real_url_once_bound_and_serves() {
    let dir = tempfile::TempDir::new().unwrap();
    let (_running, url) = serve(dir.path(), &["--sandbox"], &[]).await;
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with('/'),
        "{url}"
    );
    assert!(!url.ends_with(":0/"), "the real port is printed: {url}");

    let health = reqwest::get(format!("{url}healthz")).await.unwrap();
    assert_eq!(health.text().await.unwrap(), "ok");
    // Sandbox mode: the EWS sandbox answers (401 without a token, like Exchange).
    let ews = reqwest::Client::new()
        .post(format!("{url}sandbox/ews/Exchange.asmx"))
        .body("<x/>")
        .send()
        .await
        .unwrap();
    assert_eq!(ews.status(), 401);
    assert!(dir.path().join("data/sandbox.sqlite").exists());
}

#[tokio::test]
async fn sigterm_stops_the_server_cleanly() {
    let dir = tempfile::TempDir::new().unwrap();
    let (mut running, url) = serve(dir.path(), &["--sandbox"], &[]).await;
    // An idle keep-alive connection must not hold the shutdown up.
    let client = reqwest::Client::new();
    assert_eq!(
        client
            .get(format!("{url}healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let killed = Command::new("kill")
        .args(["-TERM", &running.0.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = running.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "still running 5 s after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status}");
}

#[tokio::test]
async fn serve_without_sandbox_or_endpoint_names_both_ways_out() {
    let dir = tempfile::TempDir::new().unwrap();
    let output = Command::new(BIN)
        .args(["serve", "--port", "0", "--data-dir"])
        .arg(dir.path().join("data"))
        .env_remove("XF_EWS_ENDPOINT")
        .env_remove("XF_CONFIG")
        .env_remove("XF_SANDBOX")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no Exchange endpoint is configured")
            && stderr.contains("ews.endpoint")
            && stderr.contains("--sandbox"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());

    // XF_SANDBOX=1 is the other way to ask for it.
    let (_running, url) = serve(dir.path(), &[], &[("XF_SANDBOX", "1")]).await;
    let ews = reqwest::Client::new()
        .post(format!("{url}sandbox/ews/Exchange.asmx"))
        .send()
        .await
        .unwrap();
    assert_eq!(ews.status(), 401, "the sandbox mailbox answers");
}

#[test]
fn config_file_errors_name_the_file_and_key_and_exit_non_zero() {
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("proxy.toml");
    std::fs::write(&file, "[ews]\nendpoint = \"https://mail.example.com/EWS/Exchange.asmx\"\ntimeout_seconds = \"soon\"\n").unwrap();
    let output = Command::new(BIN)
        .args(["serve", "--config"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("proxy.toml") && stderr.contains("timeout_seconds"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        output.stdout.is_empty(),
        "nothing on stdout before listening"
    );

    let output = Command::new(BIN)
        .args(["serve", "--port", "x"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--port"));

    let output = Command::new(BIN)
        .args(["serve"])
        .env("XF_EWS_SERVER_VERSION", "Exchange2007")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("XF_EWS_SERVER_VERSION") && stderr.contains("Exchange2007"),
        "{stderr}"
    );
}

/// Microsoft's sample responses, kept with the EWS codec's tests.
fn ews_fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ews/tests/fixtures")
        .join(name)
}

#[test]
fn ews_decode_prints_a_response_as_json() {
    let sample = ews_fixture("FindItem-CalendarView.response.xml");
    let output = Command::new(BIN)
        .args(["ews", "decode"])
        .arg(&sample)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["operation"], "FindItem");
    assert_eq!(json["items"].as_array().unwrap().len(), 5, "{json:#}");

    let dir = tempfile::TempDir::new().unwrap();
    let broken = dir.path().join("broken.xml");
    std::fs::write(
        &broken,
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>",
    )
    .unwrap();
    let output = Command::new(BIN)
        .args(["ews", "decode"])
        .arg(&broken)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("broken.xml") && !stderr.contains("panicked"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn ews_encode_builds_a_schema_valid_request_from_json() {
    let dir = tempfile::TempDir::new().unwrap();
    let json = dir.path().join("get.json");
    std::fs::write(
        &json,
        r#"{"itemShape": {"baseShape": "AllProperties"}, "itemIds": [{"kind": "itemId", "id": "AAMkADk="}]}"#,
    )
    .unwrap();
    let output = Command::new(BIN)
        .args(["ews", "encode", "GetItem"])
        .arg(&json)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let xml = String::from_utf8(output.stdout).unwrap();
    assert!(xml.contains("GetItem") && xml.contains("AAMkADk="), "{xml}");
    assert_schema_valid("ews encode GetItem", &xml);

    let output = Command::new(BIN)
        .args(["ews", "encode", "Teleport"])
        .arg(&json)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("Teleport"));
}
