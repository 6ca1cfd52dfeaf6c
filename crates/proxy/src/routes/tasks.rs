//! `POST /api/tasks` and `GET /api/tasks?limit&cursor` (a page of the user's tasks, newest
//! first).

use axum::extract::Path;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::StatusCode;
use model::{FieldErrors, Page, PageLimit, Task, TaskDraft, TaskFilter, TaskSort};
use serde::Deserialize;

use super::{Created, Versioned, create_once, with_mailbox_access};
use crate::error::AppError;
use crate::extract::{ApiJson, ApiQuery, IfMatch};
use crate::mailbox::paging::TaskCursor;
use crate::openapi::{
    BodyErrors, CreateErrors, IdempotencyKeyHeader, IfMatchHeader, ItemErrors, ItemId, QueryErrors,
    SessionErrors, VersionErrors,
};
use crate::session::Caller;
use crate::state::AppState;

#[utoipa::path(
    post,
    path = "/api/tasks",
    tag = "tasks",
    params(IdempotencyKeyHeader),
    request_body = TaskDraft,
    responses(
        (status = 201, description = "The task as created (a replay of an Idempotency-Key answers it again)",
            body = Task, headers(("Idempotent-Replayed" = String, description = "`true` on a replay"))),
        CreateErrors, BodyErrors, SessionErrors
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiJson(draft): ApiJson<TaskDraft>,
) -> Result<Created<Task>, AppError> {
    let task = draft.parse()?;
    create_once(
        &state,
        &caller,
        &headers,
        "task",
        &draft,
        |mailbox, access, once| async move { mailbox.create_task(&access, &task, &once).await },
    )
    .await
}

/// `?show&sort&limit&cursor`: which tasks (`all`, `open`, `completed`), in which order
/// (`created`: newest first; `due`: soonest due first), the page size and where the page
/// starts (a previous page's `nextCursor`, valid for the same `show` and `sort`).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Which tasks (default: the open ones).
    #[serde(default)]
    #[param(required = false)]
    show: TaskFilter,
    /// Their order.
    #[serde(default)]
    #[param(required = false)]
    sort: TaskSort,
    /// Items per page, 1-200 (default 50).
    #[param(value_type = Option<u32>)]
    limit: Option<String>,
    /// A previous page's `nextCursor`; absent = the first page.
    cursor: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/tasks",
    tag = "tasks",
    params(PageQuery),
    responses(
        (status = 200, description = "One page of the task folder", body = Page<Task>),
        QueryErrors, SessionErrors
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<axum::Json<Page<Task>>, AppError> {
    let limit = PageLimit::parse(query.limit.as_deref());
    let cursor = query.cursor.as_deref().map(TaskCursor::parse).transpose();
    let (limit, cursor) = FieldErrors::both(limit, cursor)?;
    let (show, sort) = (query.show, query.sort);
    let page = with_mailbox_access(&state, &caller, |mailbox, access| async move {
        mailbox.task_page(&access, show, sort, limit, cursor).await
    })
    .await?;
    Ok(axum::Json(page))
}

/// `GET /api/tasks/{id}`: the task with its version as `ETag`.
#[utoipa::path(
    get,
    path = "/api/tasks/{id}",
    tag = "tasks",
    params(ItemId),
    responses(
        (status = 200, description = "The task", body = Task, headers(("ETag" = String, description = "The item's version, for If-Match"))),
        ItemErrors, SessionErrors
    )
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Versioned<Task>, AppError> {
    let task = with_mailbox_access(&state, &caller, |mailbox, access| async move {
        mailbox.task(&access, &id).await
    })
    .await?;
    Ok(Versioned(task))
}

/// `PUT /api/tasks/{id}` with `If-Match`: the form's fields replace the task's (marking it
/// complete from the list is a PUT with `status: Completed`); a stale version is 409.
#[utoipa::path(
    put,
    path = "/api/tasks/{id}",
    tag = "tasks",
    params(ItemId, IfMatchHeader),
    request_body = TaskDraft,
    responses(
        (status = 200, description = "The task as changed", body = Task, headers(("ETag" = String, description = "The item's new version"))),
        VersionErrors, BodyErrors, SessionErrors
    )
)]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(draft): ApiJson<TaskDraft>,
) -> Result<Versioned<Task>, AppError> {
    let task = draft.parse()?;
    let updated = with_mailbox_access(&state, &caller, |mailbox, access| async move {
        mailbox.update_task(&access, &id, &version, &task).await
    })
    .await?;
    Ok(Versioned(updated))
}

/// `DELETE /api/tasks/{id}` with `If-Match`: 204.
#[utoipa::path(
    delete,
    path = "/api/tasks/{id}",
    tag = "tasks",
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
        mailbox.delete_task(&access, &id, &version).await
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
