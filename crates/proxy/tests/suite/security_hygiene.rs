//! Attacks on the proxy's plumbing, each performed for real against a running proxy: slow
//! clients, leaky upstream errors, oversized bodies, readable database files, plain-http
//! upstreams, an accidental sandbox, look-alike origins.

use crate::auth_support;
use crate::common;

use std::time::{Duration, Instant};

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Reads until the server closes the connection (or `limit` passes); returns what arrived
/// and when the connection closed (`None`: still open at the limit).
async fn read_until_closed(
    reader: &mut (impl AsyncReadExt + Unpin),
    limit: Duration,
) -> (Vec<u8>, Option<Instant>) {
    let mut received = Vec::new();
    let mut chunk = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, reader.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (received, Some(Instant::now())),
            Ok(Ok(n)) => received.extend_from_slice(&chunk[..n]),
            Err(_) => return (received, None),
        }
    }
}

/// Sends `bytes` one at a time, `gap` apart, until done or the server stops accepting them.
async fn dribble(writer: &mut (impl AsyncWriteExt + Unpin), bytes: &[u8], gap: Duration) {
    for byte in bytes {
        if writer.write_all(&[*byte]).await.is_err() {
            return;
        }
        tokio::time::sleep(gap).await;
    }
}

/// Sends `head` then `body` on a fresh connection (the body written while the answer is read,
/// so an early answer is not missed) and returns the answer's head and JSON body.
async fn raw_exchange(address: &str, head: String, body: Vec<u8>) -> (String, serde_json::Value) {
    let (mut reader, mut writer) = TcpStream::connect(address).await.unwrap().into_split();
    let writing = async move {
        // The server may stop reading once it has answered; a failed write is expected then.
        if writer.write_all(head.as_bytes()).await.is_ok() {
            let _ = writer.write_all(&body).await;
        }
        writer
    };
    let ((received, _), _writer) = tokio::join!(
        read_until_closed(&mut reader, Duration::from_secs(10)),
        writing
    );
    split_response(&received)
}

/// `bytes` of `a` in chunked transfer encoding (no length declared up front).
fn chunked(bytes: u64) -> Vec<u8> {
    const CHUNK: usize = 64 * 1024;
    let mut body = Vec::new();
    let mut left = bytes as usize;
    while left > 0 {
        let n = left.min(CHUNK);
        body.extend_from_slice(format!("{n:x}\r\n").as_bytes());
        body.extend(std::iter::repeat_n(b'a', n));
        body.extend_from_slice(b"\r\n");
        left -= n;
    }
    body.extend_from_slice(b"0\r\n\r\n");
    body
}

fn split_response(raw: &[u8]) -> (String, serde_json::Value) {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP answer: {text:?}"));
    let body = serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body:?}"));
    (head.to_owned(), body)
}

#[tokio::test]
async fn slowloris_clients_lose_their_connection() {
    let harness = Harness::new().await;
    let mut options = harness.options();
    options.server_extra = "header_timeout_secs = 1\nbody_timeout_secs = 1".into();
    let app = spawn_app(options).await;
    let address = format!("127.0.0.1:{}", app.port);
    // Each client would need 8 s or more to finish; the server must not wait that long.
    let gap = Duration::from_millis(100);
    let limit = Duration::from_secs(4);

    let slow_headers = async {
        let (mut reader, mut writer) = TcpStream::connect(&address).await.unwrap().into_split();
        let started = Instant::now();
        let head = format!(
            "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: {}\r\n\r\n",
            "a".repeat(80)
        );
        let writing = async { dribble(&mut writer, head.as_bytes(), gap).await };
        let ((received, closed), ()) = tokio::join!(read_until_closed(&mut reader, limit), writing);
        let closed = closed.expect("a client dribbling its headers is disconnected");
        assert!(
            closed - started < Duration::from_millis(2500),
            "closed after {:?}",
            closed - started
        );
        assert!(!String::from_utf8_lossy(&received).contains("200 OK"));
    };

    let body_request = |content_length: usize| {
        format!(
            "POST /api/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer session-handle\r\n\
             Content-Type: application/json\r\nContent-Length: {content_length}\r\n\r\n"
        )
    };
    let stalled_body = async {
        let mut stream = TcpStream::connect(&address).await.unwrap();
        let started = Instant::now();
        stream
            .write_all(body_request(100).as_bytes())
            .await
            .unwrap();
        stream.write_all(br#"{"subject":"#).await.unwrap();
        let (received, closed) = read_until_closed(&mut stream, limit).await;
        let closed = closed.expect("a client stalling mid-body is disconnected");
        assert!(closed - started < Duration::from_millis(2500));
        let (head, body) = split_response(&received);
        assert!(head.starts_with("HTTP/1.1 408"), "{head}");
        assert_eq!(body["error"], "request_timeout", "{body}");
    };

    let dribbled_body = async {
        let (mut reader, mut writer) = TcpStream::connect(&address).await.unwrap().into_split();
        let started = Instant::now();
        writer
            .write_all(body_request(200).as_bytes())
            .await
            .unwrap();
        let payload = format!(r#"{{"subject":"{}"}}"#, "s".repeat(185));
        let writing = async { dribble(&mut writer, payload.as_bytes(), gap).await };
        let ((received, closed), ()) = tokio::join!(read_until_closed(&mut reader, limit), writing);
        let closed = closed.expect("a client dribbling its body is disconnected");
        assert!(closed - started < Duration::from_millis(2500));
        let (head, body) = split_response(&received);
        assert!(head.starts_with("HTTP/1.1 408"), "{head}");
        assert_eq!(body["error"], "request_timeout", "{body}");
    };

    tokio::join!(slow_headers, stalled_body, dribbled_body);
    // The server still serves everyone else.
    let health = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}

/// Accepts connections and resets each one (RST) as soon as it has read the request head.
async fn spawn_resetting_server() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut head = [0u8; 512];
            let _ = stream.read(&mut head).await;
            let _ = stream.set_zero_linger();
            drop(stream);
        }
    });
    address
}

/// Answers plain text to everything: a TLS client fails its handshake here.
async fn spawn_plain_text_server() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let _ = stream
                .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                .await;
        }
    });
    address
}

#[tokio::test]
async fn upstream_failures_do_not_reveal_the_network_behind_the_proxy() {
    let harness = Harness::new().await;
    let closed_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let resetting = spawn_resetting_server().await;
    let plain_text = spawn_plain_text_server().await;
    let endpoints = [
        format!("http://{closed_port}/EWS/Exchange.asmx"),
        format!("http://{resetting}/EWS/Exchange.asmx"),
        format!("https://{plain_text}/EWS/Exchange.asmx"),
    ];
    for (n, endpoint) in endpoints.into_iter().enumerate() {
        let mut options = harness.options();
        options.data_dir = harness.dir.path().join(format!("data-{n}"));
        options.ews_endpoint = Some(endpoint.clone());
        options.retry_budget_seconds = 1;
        options.timeout_seconds = 2;
        let app = spawn_app(options).await;
        let port = url::Url::parse(&endpoint)
            .unwrap()
            .port()
            .unwrap()
            .to_string();
        let answers = [
            app.get("/api/tasks").send().await.unwrap(),
            app.post("/api/appointments")
                .json(&appointment_json("Budget review"))
                .send()
                .await
                .unwrap(),
        ];
        for answer in answers {
            assert_eq!(answer.status(), 502, "{endpoint}");
            let body: serde_json::Value = answer.json().await.unwrap();
            assert_eq!(body["error"], "exchange_error", "{body}");
            let message = body["message"].as_str().unwrap();
            assert_eq!(
                message, "Exchange could not be reached. Try again in a moment.",
                "{endpoint}"
            );
            let text = body.to_string().to_lowercase();
            for leak in [
                "127.0.0.1",
                port.as_str(),
                "http",
                "error sending request",
                "tcp",
                "tls",
                "connect",
                "exchange.asmx",
            ] {
                assert!(!text.contains(leak), "{endpoint}: {leak:?} in {body}");
            }
        }
        app.stop().await;
    }
}

#[tokio::test]
async fn oversized_bodies_get_413_in_the_api_error_shape_on_every_route() {
    use auth_support::ORIGIN_A;
    let dir = tempfile::TempDir::new().unwrap();
    let app = auth_support::spawn(&dir).await;
    let handle = app.sign_in(ORIGIN_A, "alice").await;
    let address = app.base.trim_start_matches("http://").to_owned();
    let limit = proxy::body_guard::MAX_BODY_BYTES;
    let check = |route: String, (head, body): (String, serde_json::Value)| {
        assert!(head.starts_with("HTTP/1.1 413"), "{route}: {head}");
        assert!(
            head.to_lowercase()
                .contains("content-type: application/json"),
            "{route}: {head}"
        );
        assert_eq!(body["error"], "payload_too_large", "{route}: {body}");
        assert_eq!(body["details"]["limitBytes"], limit, "{route}: {body}");
    };
    let request_head = |path: &str, content_type: &str, framing: String| {
        // Signed as the widget signs (the session is bound to its key), so that only the size
        // can be what is refused.
        let proof = app.proof(&reqwest::Method::POST, path, Some(&handle));
        format!(
            "POST {path} HTTP/1.1\r\nHost: {address}\r\nOrigin: {ORIGIN_A}\r\n\
             Authorization: DPoP {handle}\r\nDPoP: {proof}\r\nContent-Type: {content_type}\r\n{framing}\r\n\r\n"
        )
    };
    const JSON: &str = "application/json";
    const FORM: &str = "application/x-www-form-urlencoded";
    const XML: &str = "text/xml; charset=utf-8";
    let routes = [
        ("/api/appointments", JSON),
        ("/api/tasks", JSON),
        ("/api/auth/flows", JSON),
        ("/api/auth/signout", JSON),
        ("/sandbox/ews/Exchange.asmx", XML),
        ("/sandbox/oauth/signin", FORM),
        ("/sandbox/oauth/consent", FORM),
        ("/sandbox/oauth/token", FORM),
        ("/sandbox/oauth/revoke", FORM),
        ("/sandbox/oauth/userinfo", FORM),
        ("/sandbox/oauth/admin/revoke-user", FORM),
        ("/no/such/route", JSON),
    ];
    for (path, content_type) in routes {
        // A declared length over the limit is refused before the body is read.
        let head = request_head(path, content_type, format!("Content-Length: {}", limit + 1));
        check(
            format!("{path} (Content-Length)"),
            raw_exchange(&address, head, b"request=x&user=alice".to_vec()).await,
        );
    }
    // Without a declared length the limit applies while reading, on every route that reads a
    // body (the others never look at it).
    for (path, content_type) in &routes[..11] {
        if ["/api/auth/signout", "/sandbox/oauth/userinfo"].contains(path) {
            continue;
        }
        let head = request_head(path, content_type, "Transfer-Encoding: chunked".into());
        check(
            format!("{path} (chunked)"),
            raw_exchange(&address, head, chunked(limit + 1)).await,
        );
    }
    // Just under the limit is still read (and refused for what it says, not its size).
    let head = request_head(
        "/api/auth/flows",
        JSON,
        format!("Content-Length: {limit}\r\nConnection: close"),
    );
    let (head, body) = raw_exchange(&address, head, vec![b'a'; limit as usize]).await;
    assert!(head.starts_with("HTTP/1.1 400"), "{head}");
    assert_eq!(body["error"], "malformed_request", "{body}");
}

#[cfg(unix)]
#[tokio::test]
async fn other_local_users_cannot_read_the_databases() {
    use auth_support::ORIGIN_A;
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::TempDir::new().unwrap();
    let data = dir.path().join("data");
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    // Every file the proxy wrote: its databases with their -wal/-shm files, the token key.
    let files = || {
        let mut files: Vec<_> = std::fs::read_dir(&data)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        files.sort();
        files
    };
    {
        let app = auth_support::spawn(&dir).await;
        let handle = app.sign_in(ORIGIN_A, "alice").await;
        assert_eq!(
            app.create_task(ORIGIN_A, &handle, "Private").await.status(),
            201
        );
        assert_eq!(mode(&data), 0o700, "the data directory is the proxy's only");
        let files = files();
        for suffix in [
            "proxy.sqlite-wal",
            "sandbox.sqlite-shm",
            "dev-auth.sqlite",
            "token.key",
        ] {
            assert!(
                files.iter().any(|f| f.to_string_lossy().ends_with(suffix)),
                "{suffix} missing from {files:?}"
            );
        }
        for file in &files {
            assert!(file.is_file(), "{}", file.display());
            assert_eq!(
                mode(file),
                0o600,
                "{} is readable by others",
                file.display()
            );
        }
    }
    // A database left readable (by hand, or an earlier version) is closed up at the next start.
    let database = data.join("proxy.sqlite");
    std::fs::set_permissions(&database, std::fs::Permissions::from_mode(0o644)).unwrap();
    let _app = auth_support::spawn(&dir).await;
    for file in files() {
        assert_eq!(mode(&file), 0o600, "{} after a restart", file.display());
    }
}

#[tokio::test]
async fn plain_http_upstreams_are_refused_outside_sandbox_mode() {
    use base64::Engine as _;
    use proxy::Application;
    use proxy::config::Config;
    let dir = tempfile::TempDir::new().unwrap();
    let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
    let resolve = |allow: &str, endpoint: &str, auth: &str| {
        let auth = format!("token_key = \"{key}\"\n{auth}");
        auth_support::production_config(&dir.path().join("data"), allow, endpoint, &auth)
    };
    let start = |config: Config| async move {
        match Application::build(config).await {
            Ok(_) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    };
    const HTTPS_EWS: &str = "https://mail.example.com/EWS/Exchange.asmx";
    const HTTPS_AUTH: &str = "authorize_url = \"https://login.example.com/authorize\"\n\
                              token_url = \"https://login.example.com/token\"";

    // Exchange over plain http: every user's access token in clear on the network.
    let err = resolve("", "http://127.0.0.1:9/EWS/Exchange.asmx", HTTPS_AUTH).unwrap_err();
    assert!(
        err.starts_with("config file prod.toml, key ews.endpoint:")
            && err.contains("allow_insecure_http"),
        "{err}"
    );
    // The authorization server over plain http: codes, refresh tokens and the client secret.
    for (auth, key_named) in [
        (
            "authorize_url = \"https://login.example.com/authorize\"\ntoken_url = \"http://127.0.0.1:9/token\"",
            "auth.token_url",
        ),
        (
            "authorize_url = \"http://127.0.0.1:9/authorize\"\ntoken_url = \"https://login.example.com/token\"",
            "auth.authorize_url",
        ),
        (
            &format!("{HTTPS_AUTH}\nrevocation_url = \"http://127.0.0.1:9/revoke\""),
            "auth.revocation_url",
        ),
        // Refused before discovery is even attempted (nothing listens on port 9).
        ("issuer = \"http://127.0.0.1:9\"", "auth.issuer"),
    ] {
        let err = start(resolve("", HTTPS_EWS, auth).unwrap())
            .await
            .unwrap_err();
        assert!(
            err.contains(key_named) && err.contains("allow_insecure_http"),
            "{key_named}: {err}"
        );
        assert!(!err.contains("discovery"), "{err}");
    }

    // A test server on this machine, listed explicitly: accepted, and only that origin.
    let allow = "allow_insecure_http = [\"http://127.0.0.1:9\"]";
    let all_http = "authorize_url = \"http://127.0.0.1:9/authorize\"\n\
                    token_url = \"http://127.0.0.1:9/token\"\n\
                    userinfo_url = \"http://127.0.0.1:9/userinfo\"\n\
                    revocation_url = \"http://127.0.0.1:9/revoke\"";
    let config = resolve(allow, "http://127.0.0.1:9/EWS/Exchange.asmx", all_http).unwrap();
    start(config).await.expect("listed origins are accepted");
    let err = resolve(allow, "http://127.0.0.1:10/EWS/Exchange.asmx", HTTPS_AUTH).unwrap_err();
    assert!(err.contains("ews.endpoint"), "{err}");
}

#[test]
fn a_microsoft_sign_in_without_an_endpoint_never_lands_in_a_local_sandbox() {
    let dir = tempfile::TempDir::new().unwrap();
    // Microsoft sign-in configured, the Exchange endpoint forgotten, no --sandbox: a start
    // would land its users' items in a local sandbox mailbox.
    let stderr = serve_refused(dir.path(), &[], MICROSOFT_EWS_SIGN_IN);
    assert!(
        stderr.contains("ews.endpoint") && stderr.contains("--sandbox"),
        "{stderr}"
    );
    assert!(!dir.path().join("data/sandbox.sqlite").exists());
}

#[tokio::test]
async fn look_alike_origins_get_neither_cors_nor_a_sign_in() {
    let dir = tempfile::TempDir::new().unwrap();
    let app = auth_support::spawn_in_with_origins(
        dir.path(),
        &["https://intranet.example.com", "http://localhost:*"],
        "",
        std::sync::Arc::new(proxy::auth::clock::OffsetClock::new()),
    )
    .await;
    let own = app.base.clone();
    let own_other_port = format!(
        "http://127.0.0.1:{}",
        app.state.base_url.port().unwrap() + 1
    );
    let table: &[(&str, bool)] = &[
        ("https://intranet.example.com", true),
        // The same origin spelt with its default port.
        ("https://intranet.example.com:443", true),
        ("http://localhost:5173", true),
        ("http://localhost", true),
        (&own, true),
        ("https://intranet.example.com.evil.test", false),
        ("https://evil-intranet.example.com", false),
        ("https://intranet.example.co", false),
        ("http://intranet.example.com", false),
        ("https://intranet.example.com:8443", false),
        ("https://localhost:5173", false),
        ("http://localhost.evil.test:5173", false),
        ("http://127.0.0.1.evil.test", false),
        (&own_other_port, false),
        ("null", false),
    ];
    for &(origin, allowed) in table {
        let preflight = app
            .client
            .request(reqwest::Method::OPTIONS, app.url("/api/tasks"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,content-type",
            )
            .send()
            .await
            .unwrap();
        let cors = preflight
            .headers()
            .get("access-control-allow-origin")
            .is_some_and(|v| v == origin);
        let flow = app
            .start_flow_raw(origin, &app.new_flow_body(None).1)
            .await
            .status();
        assert!(
            flow == 201 || flow == 403,
            "{origin}: the flow start answered {flow}"
        );
        assert_eq!(
            (cors, flow == 201),
            (allowed, allowed),
            "{origin}: CORS and sign-in must both say {allowed}"
        );
    }
}
