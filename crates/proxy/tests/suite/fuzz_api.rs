//! Hostile requests to every route of the JSON API, through the router in-process (`oneshot`):
//! random and malformed JSON, wrong types, huge strings, deep nesting, invalid UTF-8, odd
//! headers, bad query strings and forged cursors. Whatever comes in, the proxy must not panic
//! nor answer 500: a refusal is a 4xx in the API's error shape (`model::ApiErrorBody`) whose
//! message names the problem.
//!
//! Case counts are small enough for the normal test run; `PROXY_FUZZ_CASES=5000` runs longer.

use crate::auth_support;
use crate::common;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Method, Request, StatusCode};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use http_body_util::BodyExt as _;
use model::ApiErrorBody;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};
use tower::ServiceExt as _;

/// Cases per property: `PROXY_FUZZ_CASES`, else a number that keeps the suite quick.
fn config(default_cases: u32) -> Config {
    let cases = std::env::var("PROXY_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_cases);
    Config {
        cases,
        // Shrinking a failure re-runs requests; keep it bounded.
        max_shrink_iters: 200,
        failure_persistence: None,
        ..Config::default()
    }
}

const FIELDS: [&str; 10] = [
    "subject",
    "start",
    "end",
    "location",
    "body",
    "timeZone",
    "dueDate",
    "status",
    "secretHash",
    "returnTo",
];

/// Largest body the proxy accepts (`body_guard::MAX_BODY_BYTES`).
const MAX_BODY: usize = proxy::body_guard::MAX_BODY_BYTES as usize;

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,40}".prop_map(Value::String),
        Just(json!("2026-12-01T09:00")),
        Just(json!("")),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(field_name(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(FIELDS.to_vec()).prop_map(str::to_owned),
        1 => ".{0,12}",
    ]
}

fn valid_draft() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(common::appointment_json("fuzzed")),
        Just(
            json!({"subject": "fuzzed", "dueDate": "2026-12-24", "status": "InProgress", "body": ""})
        ),
        Just(json!({"secretHash": B64.encode([7u8; 32])})),
    ]
}

/// A valid draft with one field replaced by anything, removed, or made huge.
fn mutated_draft() -> impl Strategy<Value = Value> {
    (
        valid_draft(),
        field_name(),
        json_value(),
        0..4u8,
        0..MAX_BODY + 4096,
    )
        .prop_map(|(mut draft, field, value, how, huge)| {
            if let Some(object) = draft.as_object_mut() {
                match how {
                    0 => {
                        object.remove(&field);
                    }
                    1 => {
                        object.insert(field, json!("x".repeat(huge)));
                    }
                    _ => {
                        object.insert(field, value);
                    }
                }
            }
            draft
        })
}

/// Bodies as bytes: mostly JSON-ish, some plainly broken.
fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => mutated_draft().prop_map(|v| v.to_string().into_bytes()),
        2 => json_value().prop_map(|v| v.to_string().into_bytes()),
        1 => prop::collection::vec(any::<u8>(), 0..300),
        1 => (1..20_000usize, prop::sample::select(vec!["[", "{\"subject\":", "[{\"a\":"]))
            .prop_map(|(depth, open)| open.repeat(depth).into_bytes()),
        1 => prop::collection::vec(128..=255u8, 1..40).prop_map(|junk| {
            // Invalid UTF-8 inside a JSON string.
            let mut body = br#"{"subject":""#.to_vec();
            body.extend(junk);
            body.extend(br#"","start":"2026-12-01T09:00","end":"2026-12-01T10:00","location":"","body":""}"#);
            body
        }),
        1 => Just(Vec::new()),
    ]
}

fn header_value() -> impl Strategy<Value = Option<HeaderValue>> {
    prop_oneof![
        Just(None),
        ".{0,80}".prop_map(|s| HeaderValue::from_str(&s).ok()),
        prop::collection::vec(any::<u8>(), 0..80).prop_map(|b| HeaderValue::from_bytes(&b).ok()),
        (0..20_000usize).prop_map(|n| HeaderValue::from_str(&"k".repeat(n)).ok()),
    ]
}

/// base64url of any JSON: the parts of a forged DPoP proof or of a cursor.
fn b64_json() -> impl Strategy<Value = String> {
    json_value().prop_map(|v| B64.encode(v.to_string()))
}

fn dpop_header() -> impl Strategy<Value = Option<HeaderValue>> {
    prop_oneof![
        header_value(),
        (b64_json(), b64_json(), "[A-Za-z0-9_-]{0,90}")
            .prop_map(|(h, c, s)| HeaderValue::from_str(&format!("{h}.{c}.{s}")).ok()),
        json_value().prop_map(|claims| {
            // A well-formed header (ES256, a real key) with any claims and a junk signature.
            let jwk = json!({"kty": "EC", "crv": "P-256",
                "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"});
            let header = json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": jwk});
            let text = format!(
                "{}.{}.{}",
                B64.encode(header.to_string()),
                B64.encode(claims.to_string()),
                B64.encode([0u8; 64])
            );
            HeaderValue::from_str(&text).ok()
        }),
    ]
}

fn authorization() -> impl Strategy<Value = Option<HeaderValue>> {
    prop_oneof![
        header_value(),
        "[A-Za-z0-9_-]{43}".prop_map(|h| HeaderValue::from_str(&format!("DPoP {h}")).ok()),
        ".{0,60}".prop_map(|h| HeaderValue::from_str(&format!("Bearer {h}")).ok()),
    ]
}

fn content_type() -> impl Strategy<Value = Option<HeaderValue>> {
    prop_oneof![
        3 => Just(Some(HeaderValue::from_static("application/json"))),
        1 => Just(Some(HeaderValue::from_static("application/json; charset=latin1"))),
        1 => Just(Some(HeaderValue::from_static("text/plain"))),
        1 => Just(Some(HeaderValue::from_static("application/x-www-form-urlencoded"))),
        1 => header_value(),
    ]
}

/// Forged cursors: other listings' tags, out-of-range instants and counts, plain junk.
fn cursor() -> impl Strategy<Value = String> {
    // The edges of what the proxy's date type holds, where arithmetic overflows.
    let millis = prop_oneof![
        1 => any::<i64>(),
        2 => Just(chrono::DateTime::<chrono::Utc>::MIN_UTC.timestamp_millis()),
        2 => Just(chrono::DateTime::<chrono::Utc>::MAX_UTC.timestamp_millis()),
        2 => Just(1_796_083_200_000i64), // 2026-12-01
    ];
    let count = prop_oneof![any::<i64>(), 0..3i64, Just(i64::from(u32::MAX))];
    prop_oneof![
        3 => (prop::sample::select(vec!["c1", "c1", "t1", "cal", ""]), millis, count)
            .prop_map(|(tag, m, s)| B64.encode(format!("{tag}:{m}:{s}"))),
        1 => (prop::sample::select(vec!["c1", "t1"]), ".{0,30}")
            .prop_map(|(tag, rest)| B64.encode(format!("{tag}:{rest}"))),
        1 => b64_json(),
        1 => ".{0,60}",
    ]
}

fn instant() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just("2026-12-01T00:00:00Z".to_owned()),
        3 => Just("2026-12-08T00:00:00+01:00".to_owned()),
        1 => Just("0000-01-01T00:00:00Z".to_owned()),
        1 => Just("9999-12-31T23:59:59Z".to_owned()),
        1 => Just("0001-01-01T00:00:00+23:59".to_owned()),
        1 => (0..10_000u32, 1..13u32, 1..29u32)
            .prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}T12:00:00Z")),
        1 => ".{0,30}",
    ]
}

/// A listing's own parameters, each valid or hostile, so that the cursor is reached too.
fn listing_query() -> impl Strategy<Value = String> {
    let window_edge =
        |valid: &'static str| prop_oneof![4 => Just(valid.to_owned()), 1 => instant()];
    let limit = prop_oneof![(1..=200u32).prop_map(|n| n.to_string()), ".{0,6}"];
    (
        window_edge("2026-12-01T00:00:00Z"),
        window_edge("2026-12-08T00:00:00+01:00"),
        prop::option::weighted(0.3, limit),
        prop::option::weighted(0.8, cursor()),
    )
        .prop_map(|(start, end, limit, cursor)| {
            let mut query = String::new();
            let pairs = [
                ("start", Some(start)),
                ("end", Some(end)),
                ("limit", limit),
                ("cursor", cursor),
            ];
            for (name, value) in pairs {
                if let Some(value) = value {
                    let value = utf8_percent_encode(&value, NON_ALPHANUMERIC);
                    query.push_str(&format!("&{name}={value}"));
                }
            }
            query.split_off(1)
        })
}

/// A query string: known and unknown parameters with hostile values, or raw junk (kept a
/// valid URI: anything else cannot reach the router).
fn query() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        instant(),
        cursor(),
        any::<i64>().prop_map(|n| n.to_string()),
        // Long, but the whole URI stays within what the http crate accepts (64 KiB).
        (0..8_000usize).prop_map(|n| "9".repeat(n)),
    ];
    let name = prop::sample::select(vec!["start", "end", "limit", "cursor", "wait", "x", ""]);
    prop_oneof![
        3 => prop::collection::vec((name, value), 0..6).prop_map(|pairs| {
            pairs
                .iter()
                .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, NON_ALPHANUMERIC)))
                .collect::<Vec<_>>()
                .join("&")
        }),
        2 => listing_query(),
        1 => "[a-z=&%0-9A-F;+]{0,60}",
        1 => Just("start=%ff%fe&end=%c3".to_owned()),
    ]
}

#[derive(Clone)]
struct Hostile {
    method: Method,
    path: String,
    query: String,
    content_type: Option<HeaderValue>,
    authorization: Option<HeaderValue>,
    dpop: Option<HeaderValue>,
    idempotency_key: Option<HeaderValue>,
    flow_secret: Option<HeaderValue>,
    origin: Option<HeaderValue>,
    body: Vec<u8>,
}

/// Requests to `routes` (each with the method it answers), sent with that method mostly and
/// with any other now and then.
fn hostile(routes: Vec<(Method, String)>) -> impl Strategy<Value = Hostile> {
    let any_method = prop::sample::select(vec![
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
    ]);
    let route = (
        prop::sample::select(routes),
        prop::option::weighted(0.2, any_method),
    )
        .prop_map(|((method, path), other)| (other.unwrap_or(method), path));
    let origin = prop_oneof![
        Just(Some(HeaderValue::from_static(auth_support::ORIGIN_A))),
        header_value(),
    ];
    (
        (route, query()),
        (content_type(), authorization(), dpop_header()),
        (header_value(), header_value(), origin),
        body(),
    )
        .prop_map(
            |(
                ((method, path), query),
                (content_type, authorization, dpop),
                (key, secret, origin),
                body,
            )| {
                Hostile {
                    method,
                    path,
                    query,
                    content_type,
                    authorization,
                    dpop,
                    idempotency_key: key,
                    flow_secret: secret,
                    origin,
                    body,
                }
            },
        )
}

fn cut(text: &str) -> String {
    match text.char_indices().nth(160) {
        Some((end, _)) => format!("{}… ({} bytes)", &text[..end], text.len()),
        None => text.to_owned(),
    }
}

/// Failures print long values cut short (a shrunk case can still hold megabytes).
impl std::fmt::Debug for Hostile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let header = |v: &Option<HeaderValue>| {
            v.as_ref()
                .map(|v| cut(&String::from_utf8_lossy(v.as_bytes())))
        };
        f.debug_struct("Hostile")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &cut(&self.query))
            .field("content_type", &header(&self.content_type))
            .field("authorization", &header(&self.authorization))
            .field("dpop", &header(&self.dpop))
            .field("idempotency_key", &header(&self.idempotency_key))
            .field("flow_secret", &header(&self.flow_secret))
            .field("origin", &header(&self.origin))
            .field("body", &cut(&String::from_utf8_lossy(&self.body)))
            .finish()
    }
}

impl Hostile {
    fn request(&self) -> Request<Body> {
        let uri = if self.query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, self.query)
        };
        let mut request = Request::builder()
            .method(self.method.clone())
            .uri(&uri)
            .body(Body::from(self.body.clone()))
            .unwrap_or_else(|e| panic!("{uri}: {e}"));
        let headers = request.headers_mut();
        let named = [
            ("content-type", &self.content_type),
            ("authorization", &self.authorization),
            ("dpop", &self.dpop),
            ("idempotency-key", &self.idempotency_key),
            ("flow-secret", &self.flow_secret),
            ("origin", &self.origin),
        ];
        for (name, value) in named {
            if let Some(value) = value {
                headers.insert(name, value.clone());
            }
        }
        request
    }
}

/// Sends `input`; fails the case on a 5xx (or a panic, which proptest reports as a failure),
/// and on a 4xx that is not the API's error shape with a message. `json_only`: the route is
/// part of the JSON API (the sign-in pages answer HTML by design).
async fn check(router: &Router, input: &Hostile, json_only: bool) -> Result<(), TestCaseError> {
    let response = match router.clone().oneshot(input.request()).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(400)]).into_owned();
    let what = format!("{} {}?{}", input.method, input.path, cut(&input.query));
    prop_assert!(
        !status.is_server_error(),
        "{what} answered {status}: {text}"
    );
    if status.is_client_error() && json_only {
        let body: Result<ApiErrorBody, _> = serde_json::from_slice(&bytes);
        prop_assert!(
            body.is_ok(),
            "{what} answered {status} outside the error shape: {text}"
        );
        let body = body.unwrap_or_default();
        prop_assert!(
            !body.error.is_empty(),
            "{what}: {status} without a code: {text}"
        );
        prop_assert!(
            !body.message.trim().is_empty(),
            "{what}: {status} without a message: {text}"
        );
        if status == StatusCode::UNPROCESSABLE_ENTITY {
            prop_assert!(
                !body.fields.is_empty(),
                "{what}: 422 naming no field: {text}"
            );
        }
    }
    Ok(())
}

fn run(runner: &mut TestRunner, routes: Vec<(Method, String)>, router: Router, json_only: bool) {
    run_with(runner, hostile(routes), router, json_only);
}

fn run_with(
    runner: &mut TestRunner,
    inputs: impl Strategy<Value = Hostile>,
    router: Router,
    json_only: bool,
) {
    let runtime = tokio::runtime::Handle::current();
    let result = runner.run(&inputs, |input| {
        tokio::task::block_in_place(|| runtime.block_on(check(&router, &input, json_only)))
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

/// The item routes, with a caller that every request carrying `Authorization` becomes: the
/// hostile input reaches the handlers' own parsing, and valid input reaches the sandbox.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_requests_to_the_item_routes_get_a_4xx_in_the_error_shape() {
    let harness = common::Harness::new().await;
    let app = harness.spawn().await;
    let router = proxy::app(app.state.clone());
    let routes = [
        (Method::POST, "/api/appointments"),
        (Method::GET, "/api/appointments"),
        (Method::POST, "/api/tasks"),
        (Method::GET, "/api/tasks"),
        (Method::GET, "/api/appointments/"),
        (Method::POST, "/api/%ff"),
    ]
    .map(|(method, path)| (method, path.to_owned()))
    .to_vec();
    run(&mut TestRunner::new(config(600)), routes, router, true);
}

/// The listings with a caller and their own parameters mostly right: forged cursors and
/// limits reach the paging code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_cursors_and_windows_get_a_4xx_in_the_error_shape() {
    let harness = common::Harness::new().await;
    let app = harness.spawn().await;
    let router = proxy::app(app.state.clone());
    let routes = vec![
        (Method::GET, "/api/appointments".to_owned()),
        (Method::GET, "/api/tasks".to_owned()),
    ];
    let listings = (hostile(routes), listing_query()).prop_map(|(mut input, query)| {
        input.query = query;
        input.authorization = Some(HeaderValue::from_static("DPoP session-handle"));
        input
    });
    run_with(&mut TestRunner::new(config(1500)), listings, router, true);
}

/// The sign-in routes and the item routes behind the real session check (handle, DPoP proof,
/// origin), with forged handles and proofs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_requests_to_the_sign_in_routes_get_a_4xx_in_the_error_shape() {
    let dir = tempfile::TempDir::new().expect("temporary directory");
    let clock = Arc::new(proxy::auth::clock::OffsetClock::new());
    let app = auth_support::spawn_in(dir.path(), auth_support::NO_FLOW_LIMITS, clock).await;
    let router = proxy::app(app.state.clone());
    // A real flow, so that polls reach the secret check of a flow that exists.
    let (flow_id, _, _) = app.start_unbound(auth_support::ORIGIN_A).await;
    let flow = format!("/api/auth/flows/{flow_id}");
    let routes = [
        (Method::GET, "/api/auth/status"),
        (Method::POST, "/api/auth/flows"),
        (Method::GET, flow.as_str()),
        (Method::GET, "/api/auth/flows/not-a-flow"),
        (Method::GET, "/api/auth/flows/%ff%fe"),
        (Method::POST, "/api/auth/signout"),
        (Method::POST, "/api/appointments"),
        (Method::GET, "/api/tasks"),
    ]
    .map(|(method, path)| (method, path.to_owned()))
    .to_vec();
    run(
        &mut TestRunner::new(config(600)),
        routes,
        router.clone(),
        true,
    );

    // The start page and the OAuth callback answer HTML; they must not fail either.
    let pages = [
        (Method::GET, format!("/auth/start/{flow_id}")),
        (Method::POST, format!("/auth/start/{flow_id}")),
        (Method::POST, "/auth/start/x".to_owned()),
        (Method::GET, "/auth/callback".to_owned()),
    ]
    .to_vec();
    run(&mut TestRunner::new(config(150)), pages, router, false);
}
