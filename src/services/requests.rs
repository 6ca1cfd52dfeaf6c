//! The one place that talks HTTP to the proxy: [`request`] sends JSON, attaches the session
//! handle and the idempotency key, and maps every HTTP status to a typed [`ApiError`].

use std::rc::Rc;

use model::FieldErrors;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Headers, RequestInit, RequestMode, Response};

use crate::decode::{Decoded, Fields, FromJs};
use crate::error::ApiError;
use crate::services::{dpop, json, session};

/// The proxy this widget talks to: its base URL without a trailing slash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Api {
    base: Rc<str>,
}

impl Api {
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').into(),
        }
    }

    /// The base URL, e.g. `http://127.0.0.1:8080` (no trailing slash).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The proxy's origin (scheme://host:port), to check `postMessage` senders.
    pub fn origin(&self) -> String {
        web_sys::Url::new(&self.base)
            .map(|url| url.origin())
            .unwrap_or_else(|_| self.base.to_string())
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// Per-call extras of [`request`].
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestOptions<'a> {
    /// Sent as `Idempotency-Key` so that a replayed POST creates the item at most once.
    pub idempotency_key: Option<&'a str>,
    /// Aborts the request (cancel button, unmount, long-poll interrupted).
    pub signal: Option<&'a AbortSignal>,
    /// Sent as `Flow-Secret`: proves this page started the sign-in flow it polls.
    pub flow_secret: Option<&'a str>,
    /// Sent as `If-Match` (quoted): the version of the item a change was made to.
    pub if_match: Option<&'a str>,
    /// Sign with this browser's key even without a session: the start of a sign-in, whose
    /// session is bound to that key.
    pub prove_key: bool,
}

/// Sends `body` (if any) as JSON to `path` under the proxy's base URL and decodes the answer.
///
/// The session handle stored for this proxy (if any) goes in `Authorization: Bearer`.
/// 2xx bodies decode into `T` (an empty body decodes as JSON `null`, so `T = ()` fits
/// 204 answers); any other status becomes the matching [`ApiError`].
pub async fn request<B, T>(
    api: &Api,
    method: Method,
    path: &str,
    body: Option<&B>,
    options: RequestOptions<'_>,
) -> Result<T, ApiError>
where
    B: Serialize + ?Sized,
    T: FromJs,
{
    let body = body
        .map(|body| json::to_string(body))
        .transpose()
        .map_err(ApiError::Decode)?;
    decode(&request_json(api, method, path, body, options).await?)
}

/// An answer [`request_json`] gave, read as `T`.
pub fn decode<T: FromJs>(answer: &JsValue) -> Result<T, ApiError> {
    T::from_js(answer).map_err(|e| ApiError::Decode(e.to_string()))
}

/// [`request`] with the body as JSON text and the answer as the value the browser parsed. Not
/// generic, so that the widget carries one copy of the HTTP code however many types it sends
/// and reads; an answer only handed on (an event's `detail`) is never decoded.
pub async fn request_json(
    api: &Api,
    method: Method,
    path: &str,
    body: Option<String>,
    options: RequestOptions<'_>,
) -> Result<JsValue, ApiError> {
    let (status, text, retry_after_header) = send(api, method, path, body, options).await?;
    if (200..300).contains(&status) {
        let text = if text.trim().is_empty() {
            "null"
        } else {
            &text
        };
        return json::parse(text).map_err(ApiError::Decode);
    }
    Err(error_from_response(status, &text, retry_after_header))
}

async fn send(
    api: &Api,
    method: Method,
    path: &str,
    body: Option<String>,
    options: RequestOptions<'_>,
) -> Result<(u16, String, Option<u32>), ApiError> {
    let window = web_sys::window().ok_or_else(|| ApiError::Network("no window".into()))?;
    let headers = Headers::new().map_err(js_network_error)?;
    headers
        .set("Accept", "application/json")
        .map_err(js_network_error)?;
    let init = RequestInit::new();
    init.set_method(method.as_str());
    init.set_mode(RequestMode::Cors);
    if let Some(text) = body {
        headers
            .set("Content-Type", "application/json")
            .map_err(js_network_error)?;
        init.set_body(&JsValue::from_str(&text));
    }
    let handle = session::load(api);
    // Without a handle the proxy can only refuse to read the mailbox (401), which the browser
    // would log as a console error on every signed-out page load (the lists): answer that here
    // instead. The sign-in endpoints work without one; a change is sent, and a 401 starts the
    // sign-in that keeps it.
    if handle.is_none() && method == Method::Get && !path.starts_with("/api/auth/") {
        return Err(ApiError::AuthorizationRequired);
    }
    let url = api.url(path);
    // Every request with the session, and the start of a sign-in, is signed with this
    // browser's non-exportable key (DPoP): a handle copied out of storage is useless alone.
    if handle.is_some() || options.prove_key {
        let proof = dpop::proof(api.base(), method.as_str(), &url, handle.as_deref())
            .await
            .map_err(|e| ApiError::Server(e.to_string()))?;
        headers.set("DPoP", &proof).map_err(js_network_error)?;
    }
    if let Some(handle) = &handle {
        headers
            .set("Authorization", &format!("DPoP {handle}"))
            .map_err(js_network_error)?;
    }
    if let Some(secret) = options.flow_secret {
        headers
            .set("Flow-Secret", secret)
            .map_err(js_network_error)?;
    }
    if let Some(key) = options.idempotency_key {
        headers
            .set("Idempotency-Key", key)
            .map_err(js_network_error)?;
    }
    if let Some(version) = options.if_match {
        // An item of a backend without versions can only be changed as it is now.
        let tag = match version {
            "" => "*".to_owned(),
            version => format!("\"{version}\""),
        };
        headers.set("If-Match", &tag).map_err(js_network_error)?;
    }
    init.set_headers(&headers);
    if let Some(signal) = options.signal {
        init.set_signal(Some(signal));
    }
    let response = JsFuture::from(window.fetch_with_str_and_init(&url, &init))
        .await
        .map_err(fetch_error)?;
    let response: Response = response
        .dyn_into()
        .map_err(|_| ApiError::Decode("fetch did not return a Response".into()))?;
    let status = response.status();
    // Proofs are dated by the proxy's clock, whatever this device's clock says.
    if let Ok(Some(date)) = response.headers().get("Date") {
        dpop::set_server_date(&date);
    }
    let retry_after = response
        .headers()
        .get("Retry-After")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse::<u32>().ok());
    let text_promise = response.text().map_err(fetch_error)?;
    let text = JsFuture::from(text_promise)
        .await
        .map_err(fetch_error)?
        .as_string()
        .unwrap_or_default();
    Ok((status, text, retry_after))
}

/// The part of the proxy's error body (`model::ApiErrorBody`) the widget reads. Decoded on its
/// own rather than as `ApiErrorBody`: that type's open-ended `details` map would bring a whole
/// JSON value type into the wasm for one number.
struct ErrorAnswer {
    error: String,
    message: String,
    /// Field name to message, in the proxy's order.
    fields: Vec<(String, String)>,
    /// Kept as the JS value the browser parsed; only `retryAfterSeconds` is read from it.
    details: JsValue,
}

impl FromJs for ErrorAnswer {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        let f = Fields::of(value)?;
        Ok(Self {
            error: f.get("error")?,
            message: f.get("message")?,
            fields: match f.opt::<JsValue>("fields")? {
                Some(fields) => Fields::of(&fields)?.entries()?,
                None => Vec::new(),
            },
            details: f.raw("details"),
        })
    }
}

impl ErrorAnswer {
    /// `details.retryAfterSeconds` when it is a whole number of seconds that fits a `u32`.
    fn retry_after_seconds(&self) -> Option<u32> {
        let seconds = js_sys::Reflect::get(&self.details, &"retryAfterSeconds".into())
            .ok()?
            .as_f64()?;
        let whole = seconds.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&seconds);
        whole.then_some(seconds as u32)
    }
}

/// Maps a non-2xx answer to a typed error, using the documented `ApiErrorBody` if present.
pub fn error_from_response(status: u16, text: &str, retry_after_header: Option<u32>) -> ApiError {
    let body: Option<ErrorAnswer> = json::from_str(text).ok();
    let message = body
        .as_ref()
        .map(|b| b.message.clone())
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| format!("HTTP {status}"));
    let code = body.as_ref().map(|b| b.error.as_str()).unwrap_or("");
    match (status, code) {
        (401, _) | (_, "authorization_required") => ApiError::AuthorizationRequired,
        (422, _) | (_, "validation_failed") => {
            let fields = body
                .map(|b| FieldErrors::from_messages(b.fields))
                .unwrap_or_default();
            if fields.is_empty() {
                ApiError::BadRequest(message)
            } else {
                ApiError::Validation(fields)
            }
        }
        (503, _) | (429, _) | (_, "exchange_busy") => {
            let from_body = body.as_ref().and_then(ErrorAnswer::retry_after_seconds);
            ApiError::Busy {
                retry_after: from_body.or(retry_after_header),
            }
        }
        (400, _) => ApiError::BadRequest(message),
        (403, _) => ApiError::Forbidden(message),
        (404, _) => ApiError::NotFound(message),
        // 412 is what a plain HTTP server answers to a stale If-Match.
        (409 | 412, _) => ApiError::Conflict(message),
        _ => ApiError::Server(message),
    }
}

fn fetch_error(error: JsValue) -> ApiError {
    if let Some(dom) = error.dyn_ref::<web_sys::DomException>()
        && dom.name() == "AbortError"
    {
        return ApiError::Aborted;
    }
    js_network_error(error)
}

fn js_network_error(error: JsValue) -> ApiError {
    let text = error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "request failed".into());
    ApiError::Network(text)
}
