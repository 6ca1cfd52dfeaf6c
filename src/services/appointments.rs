//! `POST /api/appointments` and the calendar view `GET /api/appointments?start&end&cursor`.

use model::{Appointment, AppointmentDraft, Page};

use wasm_bindgen::JsValue;

use crate::error::ApiError;
use crate::services::requests::{decode, request_json};
use crate::services::{Api, Method, RequestOptions, json, request};

/// Creates the item once per `idempotency_key`: the created item, and the answer as the
/// browser parsed it (handed on as is to the host page).
pub async fn create(
    api: &Api,
    draft: &AppointmentDraft,
    idempotency_key: &str,
) -> Result<(Appointment, JsValue), ApiError> {
    let body = json::to_string(draft).map_err(ApiError::Decode)?;
    let options = RequestOptions {
        idempotency_key: Some(idempotency_key),
        ..RequestOptions::default()
    };
    let answer = request_json(api, Method::Post, "/api/appointments", Some(body), options).await?;
    Ok((decode(answer.clone())?, answer))
}

/// A page of the appointments between two RFC 3339 instants, in start order: the first page
/// without `cursor`, else the page a previous page's `nextCursor` points at.
pub async fn list(
    api: &Api,
    start: &str,
    end: &str,
    cursor: Option<&str>,
) -> Result<Page<Appointment>, ApiError> {
    let mut path = format!(
        "/api/appointments?start={}&end={}",
        js_sys::encode_uri_component(start),
        js_sys::encode_uri_component(end)
    );
    if let Some(cursor) = cursor {
        path.push_str(&format!("&cursor={}", js_sys::encode_uri_component(cursor)));
    }
    request(
        api,
        Method::Get,
        &path,
        None::<&()>,
        RequestOptions::default(),
    )
    .await
}
