//! The pickers of the meeting form: people (`GET /api/people?q=`), room lists
//! (`GET /api/room-lists`) and their rooms (`GET /api/room-lists/{email}/rooms`), and free/busy
//! with suggested times (`POST /api/availability`).

use axum::extract::{Path, State};
use model::{Availability, AvailabilityDraft, Person, Place};
use serde::Deserialize;

use super::with_mailbox_access;
use crate::error::AppError;
use crate::extract::{ApiJson, ApiQuery};
use crate::openapi::{BodyErrors, QueryErrors, SessionErrors};
use crate::session::Caller;
use crate::state::AppState;

/// How many times "find a time" proposes.
const SUGGESTIONS: usize = 5;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// What the user typed (a part of a name or an address).
    #[param(required = true)]
    q: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/people",
    tag = "directory",
    params(SearchQuery),
    responses(
        (status = 200, description = "People and groups whose name or address matches", body = Vec<Person>),
        QueryErrors, SessionErrors
    )
)]
pub async fn people(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> Result<axum::Json<Vec<Person>>, AppError> {
    let text = model::directory::parse_search(query.q.as_deref().unwrap_or(""))?;
    let people = with_mailbox_access(&state, &caller, |mailbox, access| async move {
        mailbox.search_people(&access, &text).await
    })
    .await?;
    Ok(axum::Json(people))
}

#[utoipa::path(
    get,
    path = "/api/room-lists",
    tag = "directory",
    responses((status = 200, description = "The organisation's room lists", body = Vec<Place>), SessionErrors)
)]
pub async fn room_lists(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<Place>>, AppError> {
    let lists = with_mailbox_access(&state, &caller, |mailbox, access| async move {
        mailbox.room_lists(&access).await
    })
    .await?;
    Ok(axum::Json(lists))
}

#[utoipa::path(
    get,
    path = "/api/room-lists/{list}/rooms",
    tag = "directory",
    params(("list" = String, Path, description = "The room list's e-mail address")),
    responses(
        (status = 200, description = "The rooms of the list", body = Vec<Place>),
        QueryErrors, SessionErrors
    )
)]
pub async fn rooms(
    State(state): State<AppState>,
    caller: Caller,
    Path(list): Path<String>,
) -> Result<axum::Json<Vec<Place>>, AppError> {
    if !model::meeting::is_plausible_address(list.trim()) {
        let mut errors = model::FieldErrors::new();
        errors.add(
            model::Field::RoomList,
            format!("'{list}' is not a room list's address."),
        );
        return Err(errors.into());
    }
    let rooms = with_mailbox_access(&state, &caller, |mailbox, access| async move {
        mailbox.rooms(&access, list.trim()).await
    })
    .await?;
    Ok(axum::Json(rooms))
}

/// Each address's busy times over the window, and with `durationMinutes` the first times
/// everyone is free.
#[utoipa::path(
    post,
    path = "/api/availability",
    tag = "directory",
    request_body = AvailabilityDraft,
    responses(
        (status = 200, description = "Each address's busy times in the window, and free slots of the asked duration", body = Availability),
        BodyErrors, SessionErrors
    )
)]
pub async fn availability(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(draft): ApiJson<AvailabilityDraft>,
) -> Result<axum::Json<Availability>, AppError> {
    let query = draft.parse()?;
    let asked = query.clone();
    let schedules = with_mailbox_access(&state, &caller, |mailbox, access| async move {
        mailbox
            .availability(&access, &asked.addresses, asked.start, asked.end)
            .await
    })
    .await?;
    let suggestions = query.duration_minutes.map_or_else(Vec::new, |minutes| {
        model::directory::suggest(&schedules, &query, minutes, SUGGESTIONS)
    });
    Ok(axum::Json(Availability {
        schedules,
        suggestions,
    }))
}
