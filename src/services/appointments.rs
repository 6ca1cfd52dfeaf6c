//! The calendar view `GET /api/appointments?start&end&cursor`.

use model::{Appointment, Page};

use crate::error::ApiError;
use crate::services::{Api, Method, RequestOptions, request};

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
