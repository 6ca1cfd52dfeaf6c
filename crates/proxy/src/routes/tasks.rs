//! `POST /api/tasks` (CreateItem of a `t:Task`) and `GET /api/tasks?limit&cursor` (a page of
//! the tasks folder, newest first).

use axum::extract::State;
use axum::http::HeaderMap;
use model::{FieldErrors, Page, PageLimit, Task, TaskDraft};
use serde::Deserialize;

use super::{Created, create_once, with_exchange_token};
use crate::error::AppError;
use crate::exchange::paging::TaskCursor;
use crate::extract::{ApiJson, ApiQuery};
use crate::session::Caller;
use crate::state::AppState;

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiJson(draft): ApiJson<TaskDraft>,
) -> Result<Created<Task>, AppError> {
    let task = draft.parse()?;
    let exchange = state.exchange.clone();
    create_once(
        &state,
        &caller,
        &headers,
        "task",
        &draft,
        |token, client_request_id, resumed| async move {
            exchange
                .create_task(&token, &task, &client_request_id, resumed)
                .await
        },
    )
    .await
}

/// `?limit&cursor`: the page size and where the page starts (a previous page's `nextCursor`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    limit: Option<String>,
    cursor: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<axum::Json<Page<Task>>, AppError> {
    let limit = PageLimit::parse(query.limit.as_deref());
    let cursor = query.cursor.as_deref().map(TaskCursor::parse).transpose();
    let (limit, cursor) = FieldErrors::both(limit, cursor)?;
    let page = with_exchange_token(&state, &caller, |token| {
        let exchange = state.exchange.clone();
        async move { exchange.task_page(&token, limit, cursor).await }
    })
    .await?;
    Ok(axum::Json(page))
}
