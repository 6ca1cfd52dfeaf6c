//! `POST /api/appointments` and `GET /api/appointments?start&end&limit&cursor`
//! (a page of the calendar view).

use axum::extract::Path;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::StatusCode;
use model::{
    Appointment, AppointmentDraft, CalendarWindow, CancelDraft, FieldErrors, Page, PageLimit,
    ReplyDraft,
};
use serde::Deserialize;

use super::{Created, Versioned, create_once, with_mailbox_access};
use crate::error::AppError;
use crate::extract::{ApiJson, ApiQuery, IfMatch};
use crate::mailbox::PreparedAppointment;
use crate::mailbox::paging::CalendarCursor;
use crate::openapi::{
    BodyErrors, CreateErrors, IdempotencyKeyHeader, IfMatchHeader, ItemErrors, ItemId, QueryErrors,
    SessionErrors, VersionErrors,
};
use crate::session::Caller;
use crate::state::AppState;

#[utoipa::path(
    post,
    path = "/api/appointments",
    tag = "appointments",
    params(IdempotencyKeyHeader),
    request_body = AppointmentDraft,
    responses(
        (status = 201, description = "The appointment as created (a replay of an Idempotency-Key answers it again)",
            body = Appointment, headers(("Idempotent-Replayed" = String, description = "`true` on a replay"))),
        CreateErrors, BodyErrors, SessionErrors
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiJson(draft): ApiJson<AppointmentDraft>,
) -> Result<Created<Appointment>, AppError> {
    let appointment = PreparedAppointment::resolve(&draft.parse()?)?;
    create_once(
        &state,
        &caller,
        &headers,
        "appointment",
        &draft,
        |mailbox, access, once| async move {
            mailbox
                .create_appointment(&access, &appointment, &once)
                .await
        },
    )
    .await
}

/// `?start&end&limit&cursor`: the window (RFC 3339 instants), the page size and where the
/// page starts (a previous page's `nextCursor`; absent = the first page).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WindowQuery {
    /// The window's start, an RFC 3339 instant.
    #[param(required = true, format = DateTime)]
    start: Option<String>,
    /// The window's end, an RFC 3339 instant after `start`, at most two years later.
    #[param(required = true, format = DateTime)]
    end: Option<String>,
    /// Items per page, 1-200 (default 50).
    #[param(value_type = Option<u32>)]
    limit: Option<String>,
    /// A previous page's `nextCursor`; absent = the first page.
    cursor: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/appointments",
    tag = "appointments",
    params(WindowQuery),
    responses(
        (status = 200, description = "One page of the calendar view", body = Page<Appointment>),
        QueryErrors, SessionErrors
    )
)]
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
    let page = with_mailbox_access(&state, &caller, |mailbox, access| async move {
        mailbox.calendar_page(&access, window, limit, cursor).await
    })
    .await?;
    Ok(axum::Json(page))
}

/// `GET /api/appointments/{id}`: the appointment with its version as `ETag`.
#[utoipa::path(
    get,
    path = "/api/appointments/{id}",
    tag = "appointments",
    params(ItemId),
    responses(
        (status = 200, description = "The appointment", body = Appointment, headers(("ETag" = String, description = "The item's version, for If-Match"))),
        ItemErrors, SessionErrors
    )
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Versioned<Appointment>, AppError> {
    let appointment = with_mailbox_access(&state, &caller, |mailbox, access| async move {
        mailbox.appointment(&access, &id).await
    })
    .await?;
    Ok(Versioned(appointment))
}

/// `PUT /api/appointments/{id}` with `If-Match`: the form's fields replace the item's; a
/// stale version is 409 (the user reloads, or saves again with `If-Match: *`).
#[utoipa::path(
    put,
    path = "/api/appointments/{id}",
    tag = "appointments",
    params(ItemId, IfMatchHeader),
    request_body = AppointmentDraft,
    responses(
        (status = 200, description = "The appointment as changed", body = Appointment, headers(("ETag" = String, description = "The item's new version"))),
        VersionErrors, BodyErrors, SessionErrors
    )
)]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(draft): ApiJson<AppointmentDraft>,
) -> Result<Versioned<Appointment>, AppError> {
    let appointment = PreparedAppointment::resolve(&draft.parse()?)?;
    let updated = with_mailbox_access(&state, &caller, |mailbox, access| async move {
        mailbox
            .update_appointment(&access, &id, &version, &appointment)
            .await
    })
    .await?;
    Ok(Versioned(updated))
}

/// `DELETE /api/appointments/{id}` with `If-Match`: 204.
#[utoipa::path(
    delete,
    path = "/api/appointments/{id}",
    tag = "appointments",
    params(ItemId, IfMatchHeader),
    responses((status = 204, description = "Deleted"), VersionErrors, SessionErrors)
)]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
) -> Result<StatusCode, AppError> {
    with_mailbox_access(&state, &caller, |mailbox, access| async move {
        mailbox.delete_appointment(&access, &id, &version).await
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/appointments/{id}/cancel` `{message}` with `If-Match`: the organiser calls the
/// meeting off; 204.
#[utoipa::path(
    post,
    path = "/api/appointments/{id}/cancel",
    tag = "appointments",
    params(ItemId, IfMatchHeader),
    request_body = CancelDraft,
    responses((status = 204, description = "The meeting is cancelled and its attendees told"), VersionErrors, BodyErrors, SessionErrors)
)]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(draft): ApiJson<CancelDraft>,
) -> Result<StatusCode, AppError> {
    let message = draft.parse()?;
    with_mailbox_access(&state, &caller, |mailbox, access| async move {
        mailbox
            .cancel_meeting(&access, &id, &version, message.as_deref())
            .await
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/appointments/{id}/reply` `{reply, message}` with `If-Match`: accept, tentative
/// or decline; 204.
#[utoipa::path(
    post,
    path = "/api/appointments/{id}/reply",
    tag = "appointments",
    params(ItemId, IfMatchHeader),
    request_body = ReplyDraft,
    responses((status = 204, description = "The reply is sent to the organiser"), VersionErrors, BodyErrors, SessionErrors)
)]
pub async fn reply(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(draft): ApiJson<ReplyDraft>,
) -> Result<StatusCode, AppError> {
    let reply = draft.parse()?;
    with_mailbox_access(&state, &caller, |mailbox, access| async move {
        mailbox
            .reply_to_invitation(&access, &id, &version, &reply)
            .await
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
