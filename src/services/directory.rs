//! The meeting form's pickers: `GET /api/people?q=`, `GET /api/room-lists`,
//! `GET /api/room-lists/{list}/rooms` and `POST /api/availability`.

use model::{Availability, AvailabilityDraft, Person};

use crate::decode::FromJs;
use crate::error::ApiError;
use crate::services::{Api, Method, RequestOptions, request};

async fn get<T: FromJs>(api: &Api, path: &str) -> Result<T, ApiError> {
    request(
        api,
        Method::Get,
        path,
        None::<&()>,
        RequestOptions::default(),
    )
    .await
}

/// People (and groups) whose name or address contains `text`.
pub async fn people(api: &Api, text: &str) -> Result<Vec<Person>, ApiError> {
    get(
        api,
        &format!("/api/people?q={}", js_sys::encode_uri_component(text)),
    )
    .await
}

/// The organisation's room lists, or (with `list`) that list's rooms (read as people: the
/// same fields, one decoder in the wasm).
pub async fn places(api: &Api, list: Option<&str>) -> Result<Vec<Person>, ApiError> {
    match list {
        None => get(api, "/api/room-lists").await,
        Some(list) => {
            let list = js_sys::encode_uri_component(list);
            get(api, &format!("/api/room-lists/{list}/rooms")).await
        }
    }
}

/// Free/busy of `draft.addresses`, and with a duration the first times everyone is free.
pub async fn availability(api: &Api, draft: &AvailabilityDraft) -> Result<Availability, ApiError> {
    request(
        api,
        Method::Post,
        "/api/availability",
        Some(draft),
        RequestOptions::default(),
    )
    .await
}
