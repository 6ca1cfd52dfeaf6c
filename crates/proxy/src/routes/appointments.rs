//! `POST /api/appointments` and `GET /api/appointments?start&end&limit&cursor`
//! (a page of the calendar view).

use axum::extract::State;
use axum::http::HeaderMap;
use model::{Appointment, AppointmentDraft, CalendarWindow, FieldErrors, Page, PageLimit};
use serde::Deserialize;

use super::{Created, create_once, with_mailbox_access};
use crate::error::AppError;
use crate::extract::{ApiJson, ApiQuery};
use crate::mailbox::PreparedAppointment;
use crate::mailbox::paging::CalendarCursor;
use crate::session::Caller;
use crate::state::AppState;

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiJson(draft): ApiJson<AppointmentDraft>,
) -> Result<Created<Appointment>, AppError> {
    let appointment = PreparedAppointment::resolve(&draft.parse()?)?;
    let mailbox = state.mailbox.clone();
    create_once(
        &state,
        &caller,
        &headers,
        "appointment",
        &draft,
        |access, once| async move {
            mailbox
                .create_appointment(&access, &appointment, &once)
                .await
        },
    )
    .await
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
    let mailbox = state.mailbox.clone();
    let page = with_mailbox_access(&state, &caller, |access| async move {
        mailbox.calendar_page(&access, window, limit, cursor).await
    })
    .await?;
    Ok(axum::Json(page))
}
