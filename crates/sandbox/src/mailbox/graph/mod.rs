//! The Microsoft Graph REST front end of the sandbox mailbox (`/sandbox/graph/v1.0/…`): the
//! same mailboxes as the EWS endpoint, the same bearer-token identification, answered in Graph
//! v1.0's JSON shapes (events, calendarView, To Do tasks, people, places, getSchedule), with
//! Graph's error bodies and statuses. Items created here are visible over EWS and back, since
//! both front ends share the store and the item rules.

mod directory;
mod error;
mod event;
mod events;
mod fields;
mod query;
mod recurrence;
mod time;
mod todo;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequestParts, OriginalUri, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, any, get, post};
use serde::de::DeserializeOwned;

pub use error::{GraphError, GraphResult};

use super::SandboxMailbox;

/// Where the Graph front end answers, relative to the server's base URL.
pub const GRAPH_PATH: &str = "/sandbox/graph/v1.0";

type State = Arc<SandboxMailbox>;

/// The mailbox of the request's bearer token (401 in Graph's shape otherwise).
pub struct Caller(pub String);

impl FromRequestParts<State> for Caller {
    type Rejection = GraphError;

    async fn from_request_parts(parts: &mut Parts, state: &State) -> Result<Self, GraphError> {
        Ok(Caller(state.identity.mailbox(&parts.headers).await?))
    }
}

/// Path parameters; an undecodable one (invalid UTF-8, say) is a 400 in Graph's shape.
pub struct GraphPath<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<State> for GraphPath<T> {
    type Rejection = GraphError;

    async fn from_request_parts(parts: &mut Parts, state: &State) -> Result<Self, GraphError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| GraphPath(value))
            .map_err(|rejection| GraphError::bad_request(rejection.body_text()))
    }
}

/// A request body as JSON of `T`; a wrong type or a malformed document is a 400 naming the
/// property, as Graph answers.
pub fn json_body<T: DeserializeOwned>(body: Result<Bytes, BytesRejection>) -> GraphResult<T> {
    let body = body.map_err(|rejection| {
        let status = rejection.status();
        let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "RequestEntityTooLarge"
        } else {
            "BadRequest"
        };
        GraphError::new(status, code, rejection.body_text())
    })?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(GraphError::bad_request(
            "Empty Payload. JSON content expected.",
        ));
    }
    let document: serde_json::Value = serde_json::from_slice(&body).map_err(|e| {
        GraphError::bad_request(format!(
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format: {e}"
        ))
    })?;
    if !document.is_object() {
        return Err(GraphError::bad_request(
            "Invalid request body: a JSON object is expected.",
        ));
    }
    serde_path_to_error::deserialize(document).map_err(|error| {
        let path = error.path().to_string();
        GraphError::invalid_property(&path, error.inner())
    })
}

/// `W/"<ChangeKey>"`, Graph's `@odata.etag`.
pub fn etag(change_key: &str) -> String {
    format!("W/\"{change_key}\"")
}

/// The ChangeKey an `If-Match` header names; `None` without one or for `*`.
pub fn if_match(headers: &HeaderMap) -> GraphResult<Option<String>> {
    let Some(value) = headers.get("if-match") else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| GraphError::bad_request("The If-Match header is not a valid ETag."))?
        .trim();
    if value == "*" {
        return Ok(None);
    }
    let tag = value.strip_prefix("W/").unwrap_or(value).trim_matches('"');
    Ok(Some(tag.to_owned()))
}

/// `@odata.nextLink` for the page after the `$skip`/`$top` window, when `total` holds more.
pub fn next_page(
    uri: &OriginalUri,
    headers: &HeaderMap,
    skip: u32,
    top: u32,
    total: u32,
) -> Option<String> {
    let after = skip.saturating_add(top);
    (after < total).then(|| next_link(uri, headers, after))
}

/// The same request with `$skip` moved on, as an absolute URL.
fn next_link(uri: &OriginalUri, headers: &HeaderMap, skip: u32) -> String {
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .filter(|p| *p == "https")
        .unwrap_or("http");
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
        if !key.eq_ignore_ascii_case("$skip") {
            query.append_pair(&key, &value);
        }
    }
    query.append_pair("$skip", &skip.to_string());
    format!("{scheme}://{host}{}?{}", uri.path(), query.finish())
}

/// `{"value": [...]}` with `@odata.nextLink` when more follows.
pub fn collection(values: Vec<serde_json::Value>, next: Option<String>) -> serde_json::Value {
    let mut page = serde_json::json!({ "value": values });
    if let Some(next) = next {
        page["@odata.nextLink"] = serde_json::Value::String(next);
    }
    page
}

async fn unknown_resource(uri: OriginalUri) -> GraphError {
    let segment = uri
        .path()
        .trim_start_matches(GRAPH_PATH)
        .trim_start_matches('/');
    GraphError::bad_request(format!(
        "Resource not found for the segment '{}'.",
        time::truncated(segment)
    ))
}

async fn method_not_allowed() -> GraphError {
    GraphError::method_not_allowed()
}

/// Echoes the caller's `client-request-id` (in error bodies too) and adds a `request-id`.
async fn request_ids(request: Request, next: Next) -> Response {
    let client = request
        .headers()
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 100)
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
    let mut response = error::CLIENT_REQUEST_ID
        .scope(client.clone(), next.run(request))
        .await;
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&client) {
        headers.insert("client-request-id", value);
    }
    if let Ok(value) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        headers.insert("request-id", value);
    }
    response
}

fn route(methods: MethodRouter<State>) -> MethodRouter<State> {
    methods.fallback(method_not_allowed)
}

/// The Graph endpoint's routes, under [`GRAPH_PATH`].
pub fn router<S: Clone + Send + Sync + 'static>(mailbox: State) -> Router<S> {
    let at = |path: &str| format!("{GRAPH_PATH}{path}");
    Router::new()
        .route(&at("/me"), route(get(directory::me)))
        .route(
            &at("/me/events"),
            route(get(events::list).post(events::create)),
        )
        .route(
            &at("/me/events/{id}"),
            route(
                get(events::get_one)
                    .patch(events::update)
                    .delete(events::delete),
            ),
        )
        .route(&at("/me/events/{id}/{action}"), route(post(events::act)))
        .route(&at("/me/calendarView"), route(get(events::calendar_view)))
        .route(
            &at("/me/calendar/calendarView"),
            route(get(events::calendar_view)),
        )
        .route(
            &at("/me/calendar/getSchedule"),
            route(post(directory::get_schedule)),
        )
        .route(&at("/me/todo/lists"), route(get(todo::lists)))
        .route(&at("/me/todo/lists/{list}"), route(get(todo::list)))
        .route(
            &at("/me/todo/lists/{list}/tasks"),
            route(get(todo::tasks).post(todo::create)),
        )
        .route(
            &at("/me/todo/lists/{list}/tasks/{id}"),
            route(get(todo::get_one).patch(todo::update).delete(todo::delete)),
        )
        .route(&at("/me/people"), route(get(directory::people)))
        .route(
            &at("/places/microsoft.graph.roomlist"),
            route(get(directory::room_lists)),
        )
        .route(
            &at("/places/microsoft.graph.room"),
            route(get(directory::all_rooms)),
        )
        .route(
            &at("/places/{list}/microsoft.graph.roomlist/rooms"),
            route(get(directory::rooms)),
        )
        .route(&at("/{*rest}"), any(unknown_resource))
        .layer(middleware::from_fn(request_ids))
        .with_state(mailbox)
}

/// 201 Created with the new resource.
pub fn created(value: serde_json::Value) -> Response {
    (StatusCode::CREATED, axum::Json(value)).into_response()
}
