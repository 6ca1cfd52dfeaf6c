//! `POST /api/appointments` and the calendar view `GET /api/appointments?start&end`.

use model::{Appointment, AppointmentDraft};

use crate::error::ApiError;
use crate::services::{Api, Method, RequestOptions, request};

pub async fn create(
    api: &Api,
    draft: &AppointmentDraft,
    idempotency_key: &str,
) -> Result<Appointment, ApiError> {
    request(
        api,
        Method::Post,
        "/api/appointments",
        Some(draft),
        RequestOptions {
            idempotency_key: Some(idempotency_key),
            ..RequestOptions::default()
        },
    )
    .await
}

/// Appointments between two RFC 3339 instants, sorted by start.
pub async fn list(api: &Api, start: &str, end: &str) -> Result<Vec<Appointment>, ApiError> {
    let path = format!(
        "/api/appointments?start={}&end={}",
        js_sys::encode_uri_component(start),
        js_sys::encode_uri_component(end)
    );
    let mut items: Vec<Appointment> = request(
        api,
        Method::Get,
        &path,
        None::<&()>,
        RequestOptions::default(),
    )
    .await?;
    items.sort_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then_with(|| a.subject.cmp(&b.subject))
    });
    Ok(items)
}
