//! `POST /api/appointments` (CreateItem) and `GET /api/appointments?start&end&limit&cursor`
//! (a page of the calendar view).

use axum::extract::State;
use axum::http::HeaderMap;
use ews::time_zone::TimeZoneError;
use model::{
    Appointment, AppointmentDraft, CalendarWindow, FieldErrors, NewAppointment, Page, PageLimit,
};
use serde::Deserialize;

use super::{Created, create_once, with_exchange_token};
use crate::error::AppError;
use crate::exchange::mapping::PreparedAppointment;
use crate::exchange::paging::CalendarCursor;
use crate::extract::{ApiJson, ApiQuery};
use crate::session::Caller;
use crate::state::AppState;

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiJson(draft): ApiJson<AppointmentDraft>,
) -> Result<Created<Appointment>, AppError> {
    let appointment = draft.parse()?;
    let prepared = prepare(&appointment)?;
    let exchange = state.exchange.clone();
    create_once(
        &state,
        &caller,
        &headers,
        "appointment",
        &draft,
        |token, client_request_id, resumed| async move {
            exchange
                .create_appointment(&token, &prepared, &client_request_id, resumed)
                .await
        },
    )
    .await
}

/// Resolves the form's wall-clock times in its zone (absent = UTC) to instants.
fn prepare(appointment: &NewAppointment) -> Result<PreparedAppointment, AppError> {
    let zone = appointment.time_zone.as_ref().map_or("UTC", |z| z.as_str());
    let mut errors = FieldErrors::new();
    let mut convert = |local, field: &str| match crate::exchange::local_to_utc(local, zone) {
        Ok(instant) => Some(instant),
        Err(TimeZoneError::UnknownZone(_)) => {
            errors.add("timeZone", format!("'{zone}' is not a known time zone."));
            None
        }
        Err(TimeZoneError::NonexistentLocalTime { next_valid, .. }) => {
            errors.add(
                field,
                format!(
                    "This time does not exist in {zone} (the clocks jump forward); the first valid time is {}.",
                    next_valid.format("%H:%M")
                ),
            );
            None
        }
        Err(other) => {
            errors.add(field, other.to_string());
            None
        }
    };
    let start = convert(appointment.start, "start");
    let end = convert(appointment.end, "end");
    match (start, end) {
        (Some(start), Some(end)) if errors.is_empty() => {
            // Wall-clock order was checked by the model; across a fall-back change a later wall
            // time can still be an earlier instant.
            if end <= start {
                errors.add("end", "The end must be after the start.");
                return Err(errors.into());
            }
            Ok(PreparedAppointment::new(appointment, start, end))
        }
        _ => Err(errors.into()),
    }
}

/// `?start&end&limit&cursor`: the window (RFC 3339 instants), the page size and where the
/// page starts (a previous page's `nextCursor`; absent = the first page).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowQuery {
    start: Option<String>,
    end: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<WindowQuery>,
) -> Result<axum::Json<Page<Appointment>>, AppError> {
    let window = CalendarWindow::parse(
        query.start.as_deref().unwrap_or(""),
        query.end.as_deref().unwrap_or(""),
    );
    let limit = PageLimit::parse(query.limit.as_deref());
    // Every problem of the query at once, each under its parameter's name.
    let (window, limit) = FieldErrors::both(window, limit)?;
    let cursor = query
        .cursor
        .as_deref()
        .map(|raw| CalendarCursor::parse(raw, &window))
        .transpose()?;
    let page = with_exchange_token(&state, &caller, |token| {
        let exchange = state.exchange.clone();
        async move { exchange.calendar_page(&token, window, limit, cursor).await }
    })
    .await?;
    Ok(axum::Json(page))
}
