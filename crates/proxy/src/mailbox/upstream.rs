//! What every backend's HTTP exchange with the mailbox server shares: the caller's token as a
//! header that never reaches a log, the request id sent upstream, the server's Retry-After,
//! and how a failure to send tells "never ran" from "may have run".

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, header};
use bytes::Bytes;
use chrono::Utc;
use secrecy::{ExposeSecret, SecretString};

use super::retry;

/// Largest answer we read (the EWS codec refuses larger documents as well).
const MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

/// `Authorization: Bearer …`, marked sensitive (debug output shows it redacted); `None` for
/// a token that cannot be a header value.
pub fn bearer(token: &SecretString) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret())).ok()?;
    value.set_sensitive(true);
    Some(value)
}

/// Adds the id of the request being served as `client-request-id` (Exchange and Graph log it
/// and echo it back: one id finds the call on both sides).
pub fn with_request_id(request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    match crate::telemetry::request_id() {
        Some(request_id) => request
            .header("client-request-id", &*request_id)
            .header("return-client-request-id", "true"),
        None => request,
    }
}

/// The wait an answer asks for in `Retry-After`, if it names one we can read.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| retry::parse_retry_after(v, Utc::now()))
}

/// Reads the body, refusing more than `MAX_RESPONSE_BYTES`.
pub async fn read_limited(mut response: reqwest::Response) -> Result<Bytes, String> {
    if response
        .content_length()
        .is_some_and(|n| n > MAX_RESPONSE_BYTES as u64)
    {
        return Err(format!("answer larger than {MAX_RESPONSE_BYTES} bytes"));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| describe(&e))? {
        if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(format!("answer larger than {MAX_RESPONSE_BYTES} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(body))
}

/// reqwest's error chain in one line.
pub fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "timed out".to_owned()
    } else {
        error.to_string()
    };
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

/// Readiness: whether the server answers HTTP at all within `timeout` (any status counts:
/// it answers unauthenticated requests with 401), through the backend's own connections.
pub async fn answers(
    http: &reqwest::Client,
    url: url::Url,
    timeout: Duration,
) -> Result<(), String> {
    http.get(url)
        .timeout(timeout)
        .send()
        .await
        .map(drop)
        .map_err(|e| describe(&e))
}
