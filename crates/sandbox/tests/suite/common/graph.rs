//! Speaking Microsoft Graph REST to the sandbox mailbox as a given user.

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::TestApp;

pub const GRAPH: &str = "/sandbox/graph/v1.0";

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

/// A request to `path` (under /sandbox/graph/v1.0, or an absolute URL such as a nextLink).
pub async fn call(
    app: &TestApp,
    token: Option<&str>,
    method: Method,
    path: &str,
    body: Option<Value>,
    extra: &[(&str, &str)],
) -> Answer {
    let url = if path.starts_with("http") {
        path.to_owned()
    } else {
        format!("{}{GRAPH}{path}", app.address)
    };
    let mut request = app.client.request(method, url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| panic!("not JSON ({status}): {}", String::from_utf8_lossy(&bytes)))
    };
    Answer {
        status,
        headers,
        body,
    }
}

pub async fn get(app: &TestApp, token: &str, path: &str) -> Answer {
    call(app, Some(token), Method::GET, path, None, &[]).await
}

pub async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> Answer {
    call(app, Some(token), Method::POST, path, Some(body), &[]).await
}

pub async fn patch(
    app: &TestApp,
    token: &str,
    path: &str,
    body: Value,
    etag: Option<&str>,
) -> Answer {
    let extra: Vec<(&str, &str)> = etag.map(|e| ("if-match", e)).into_iter().collect();
    call(app, Some(token), Method::PATCH, path, Some(body), &extra).await
}

pub async fn delete(app: &TestApp, token: &str, path: &str, etag: Option<&str>) -> Answer {
    let extra: Vec<(&str, &str)> = etag.map(|e| ("if-match", e)).into_iter().collect();
    call(app, Some(token), Method::DELETE, path, None, &extra).await
}

/// An event body: `subject` from `start` to `end` (local times) in `zone`.
pub fn event(subject: &str, start: &str, end: &str, zone: &str) -> Value {
    json!({
        "subject": subject,
        "body": {"contentType": "text", "content": format!("About {subject}")},
        "start": {"dateTime": start, "timeZone": zone},
        "end": {"dateTime": end, "timeZone": zone},
    })
}

/// POSTs an event and returns it (must be 201).
pub async fn create_event(app: &TestApp, token: &str, body: Value) -> Value {
    let answer = post(app, token, "/me/events", body).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    answer.body
}

/// Every page of a collection, following `@odata.nextLink`; also how many pages there were.
pub async fn all_pages(app: &TestApp, token: &str, first: &str) -> (Vec<Value>, usize) {
    let mut values = Vec::new();
    let mut pages = 0;
    let mut next = Some(first.to_owned());
    while let Some(path) = next {
        let answer = get(app, token, &path).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        values.extend(answer.body["value"].as_array().unwrap().iter().cloned());
        pages += 1;
        next = answer.body["@odata.nextLink"].as_str().map(str::to_owned);
        assert!(pages < 100, "paging does not end");
    }
    (values, pages)
}

/// Asserts Graph's error shape and returns the error code.
pub fn error_code(answer: &Answer) -> String {
    let error = &answer.body["error"];
    assert!(
        error["message"].is_string(),
        "no Graph error body: {}",
        answer.body
    );
    let inner = &error["innerError"];
    assert!(
        inner["date"].is_string()
            && inner["request-id"].is_string()
            && inner["client-request-id"].is_string(),
        "{}",
        answer.body
    );
    error["code"].as_str().unwrap().to_owned()
}
