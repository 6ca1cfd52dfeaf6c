//! HTTP endpoints of the authorization flow (see docs/design.md, "JSON API of the proxy"):
//! `GET /api/auth/status`, `POST /api/auth/flows`, `GET /api/auth/flows/{id}?wait=N`,
//! `POST /api/auth/signout`, and the OAuth redirect URI `GET /auth/callback`.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use model::FieldErrors;
use serde::Deserialize;

use super::store::FlowStatus;
use super::{AuthService, CallbackOutcome, CallbackQuery, FlowError, crypto::random_token};
use crate::error::AppError;

/// Path of the OAuth redirect URI (default `<public base URL>/auth/callback`).
pub const CALLBACK_PATH: &str = "/auth/callback";

/// The routes, with their state applied (merge into any router).
pub fn routes<S: Clone + Send + Sync + 'static>(auth: Arc<AuthService>) -> Router<S> {
    Router::new()
        .route("/api/auth/status", get(status))
        .route("/api/auth/flows", post(start_flow))
        .route("/api/auth/flows/{flow_id}", get(poll_flow))
        .route("/api/auth/signout", post(sign_out))
        .route(CALLBACK_PATH, get(callback))
        .with_state(auth)
}

impl From<FlowError> for AppError {
    fn from(e: FlowError) -> Self {
        match e {
            FlowError::Forbidden(m) => AppError::Forbidden(m),
            FlowError::NotFound(m) => AppError::NotFound(m),
            FlowError::Invalid(field, m) => {
                let mut fields = FieldErrors::new();
                fields.add(field, m);
                AppError::Validation(fields)
            }
            FlowError::Internal(m) => AppError::Internal(m),
        }
    }
}

/// Answers that carry session handles must never be cached anywhere.
fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn status(
    State(auth): State<Arc<AuthService>>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let status = auth.status(&headers).await?;
    Ok(no_store(axum::Json(status).into_response()))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StartFlowBody {
    return_to: Option<String>,
}

async fn start_flow(
    State(auth): State<Arc<AuthService>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    // The body is optional (`{}` or nothing at all for the popup flow).
    let body: StartFlowBody = if body.iter().all(u8::is_ascii_whitespace) {
        StartFlowBody::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            AppError::MalformedRequest(format!("The request body is not valid: {e}"))
        })?
    };
    let started = auth
        .start_flow(auth.origin_of(&headers), body.return_to.as_deref())
        .await?;
    Ok(no_store(
        (StatusCode::CREATED, axum::Json(started)).into_response(),
    ))
}

#[derive(Debug, Deserialize)]
struct WaitQuery {
    wait: Option<String>,
}

async fn poll_flow(
    State(auth): State<Arc<AuthService>>,
    Path(flow_id): Path<String>,
    Query(q): Query<WaitQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let wait = match q.wait.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        None => 0,
        Some(w) => w.parse::<u64>().map_err(|_| {
            AppError::MalformedRequest(format!(
                "wait must be a whole number of seconds (0-25), not '{w}'"
            ))
        })?,
    };
    if flow_id.len() > 64 {
        return Err(AppError::NotFound("no such flow".to_owned()));
    }
    let view = auth
        .poll_flow(
            &flow_id,
            auth.origin_of(&headers),
            Duration::from_secs(wait),
        )
        .await?;
    Ok(no_store(axum::Json(view).into_response()))
}

async fn sign_out(
    State(auth): State<Arc<AuthService>>,
    headers: HeaderMap,
) -> Result<StatusCode, AppError> {
    auth.sign_out(&headers).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn callback(
    State(auth): State<Arc<AuthService>>,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let outcome = auth.callback(&q).await;
    let mut response = match &outcome.flow {
        // Full-page fallback: back to the page, which polls the flow named in the fragment.
        Some(target) if target.return_to.is_some() => {
            let to = format!(
                "{}#xf_flow={}",
                target.return_to.as_deref().unwrap_or_default(),
                target.id
            );
            match HeaderValue::from_str(&to) {
                Ok(location) => {
                    let mut r = StatusCode::SEE_OTHER.into_response();
                    r.headers_mut().insert(header::LOCATION, location);
                    r
                }
                Err(_) => callback_page(&outcome),
            }
        }
        _ => callback_page(&outcome),
    };
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The URL carries the authorization code: never leak it through a Referer.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// The small page the popup lands on: says what happened, tells the opener (exact target
/// origin, so no other page can read it) and closes itself. It carries no token or handle.
fn callback_page(outcome: &CallbackOutcome) -> Response {
    let nonce = random_token(16);
    let (title, status_code) = match (outcome.status, &outcome.flow) {
        (_, None) => ("Sign-in not valid", StatusCode::BAD_REQUEST),
        (FlowStatus::Done, _) => ("Signed in", StatusCode::OK),
        (FlowStatus::Denied, _) => ("Authorization denied", StatusCode::OK),
        (FlowStatus::Expired, _) => ("Sign-in expired", StatusCode::OK),
        _ => ("Sign-in failed", StatusCode::OK),
    };
    let script = match &outcome.flow {
        Some(target) => {
            let message = serde_json::json!({
                "type": "exchange-forms:auth",
                "flowId": target.id,
                "status": outcome.status.as_str(),
            });
            format!(
                "<script nonce=\"{nonce}\">(function(){{var m={};var t={};\
                 try{{if(window.opener&&!window.opener.closed){{window.opener.postMessage(m,t);}}}}catch(e){{}}\
                 window.close();}})();</script>",
                script_json(&message),
                script_json(&serde_json::Value::String(target.origin.clone())),
            )
        }
        None => String::new(),
    };
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} — Exchange Forms</title>\
         <style nonce=\"{nonce}\">body{{font:16px/1.5 system-ui,sans-serif;margin:3rem auto;max-width:30rem;padding:0 1rem;color:#1b1b1b}}</style>\
         </head><body><main><h1>{title}</h1><p id=\"message\">{}</p></main>{script}</body></html>",
        html_escape(&outcome.message),
    );
    let csp = format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'"
    );
    let mut response = (status_code, axum::response::Html(html)).into_response();
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// JSON for inside a `<script>`: no `</script>`, no HTML comment openers, no line separators.
fn script_json(v: &serde_json::Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

pub(crate) fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_the_script() {
        let v = serde_json::json!({"a": "</script><script>alert(1)</script>"});
        let s = script_json(&v);
        assert!(!s.contains('<') && !s.contains('>'));
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
        assert_eq!(
            html_escape("<b a=\"x\">&'"),
            "&lt;b a=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
