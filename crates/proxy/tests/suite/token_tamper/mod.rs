//! A stand-in on the wire between the proxy and the development sign-in server: a plain HTTP
//! forwarder the proxy is configured to reach itself through (`public_url`), passing every
//! request on unchanged except the token endpoint's answers, whose `id_token` a test may
//! replace (forging is the attack under test). It also records the genuine ID tokens it saw
//! and how often the signing keys were fetched.
#![allow(dead_code)] // test binaries use different parts

use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use tokio::net::TcpListener;

/// Makes the ID token the proxy receives from the genuine one.
pub type Forge = Box<dyn Fn(&str) -> String + Send + Sync>;

#[derive(Default)]
struct Shared {
    forge: Mutex<Option<Forge>>,
    genuine: Mutex<Vec<String>>,
    key_fetches: Mutex<u32>,
}

#[derive(Clone)]
pub struct Tamper {
    shared: Arc<Shared>,
    upstream: String,
}

impl Tamper {
    /// Replace every ID token from now on with `forge(genuine)`.
    pub fn forge(&self, forge: impl Fn(&str) -> String + Send + Sync + 'static) {
        *self.shared.forge.lock().unwrap() = Some(Box::new(forge));
    }

    /// Stop replacing ID tokens.
    pub fn stop_forging(&self) {
        *self.shared.forge.lock().unwrap() = None;
    }

    /// The genuine ID tokens the token endpoint answered, oldest first.
    pub fn genuine_tokens(&self) -> Vec<String> {
        self.shared.genuine.lock().unwrap().clone()
    }

    /// Where requests are passed on to (the proxy's own address).
    pub fn upstream(&self) -> &str {
        &self.upstream
    }

    /// `GET …/jwks` requests passed on.
    pub fn key_fetches(&self) -> u32 {
        *self.shared.key_fetches.lock().unwrap()
    }
}

/// Binds the forwarder's port now (the proxy must be told its URL before it starts).
pub async fn bind() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    (listener, url)
}

/// Serves the forwarder on `listener`, passing requests on to `upstream`.
pub fn serve(listener: TcpListener, upstream: String) -> Tamper {
    let tamper = Tamper {
        shared: Arc::default(),
        upstream: upstream.clone(),
    };
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let app = axum::Router::new()
        .fallback(forward)
        .with_state((tamper.clone(), client, upstream));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    tamper
}

type Forwarder = State<(Tamper, reqwest::Client, String)>;

async fn forward(State((tamper, client, upstream)): Forwarder, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let mut headers = parts.headers.clone();
    headers.remove("host");
    if parts.uri.path().ends_with("/sandbox/oauth/jwks") {
        *tamper.shared.key_fetches.lock().unwrap() += 1;
    }
    let answer = client
        .request(parts.method.clone(), format!("{upstream}{path}"))
        .headers(headers)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = answer.status();
    let mut headers: HeaderMap = answer.headers().clone();
    let mut body: Bytes = answer.bytes().await.unwrap();
    if parts.uri.path() == "/sandbox/oauth/token" && status == StatusCode::OK {
        body = tamper.rewrite(&body);
        headers.remove("content-length");
    }
    headers.remove("transfer-encoding");
    let mut response = Body::from(body).into_response();
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

impl Tamper {
    fn rewrite(&self, body: &Bytes) -> Bytes {
        let mut json: Value = serde_json::from_slice(body).unwrap();
        let Some(genuine) = json["id_token"].as_str().map(str::to_owned) else {
            return body.clone();
        };
        self.shared.genuine.lock().unwrap().push(genuine.clone());
        if let Some(forge) = self.shared.forge.lock().unwrap().as_ref() {
            json["id_token"] = Value::String(forge(&genuine));
        }
        Bytes::from(json.to_string())
    }
}

/// The JSON of a JWT part (0 = header, 1 = claims); no verification.
pub fn part(token: &str, index: usize) -> Value {
    let segment = token.split('.').nth(index).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(segment).unwrap()).unwrap()
}

/// A compact JWT from raw parts (for tokens no library would make, e.g. `alg: none`).
pub fn compact(header: &Value, claims: &Value, signature: &[u8]) -> String {
    let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
    format!(
        "{}.{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes()),
        b64(signature)
    )
}
