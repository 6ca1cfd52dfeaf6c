//! `POST /api/tasks` (CreateItem of a `t:Task`) and `GET /api/tasks` (FindItem on the tasks folder).

use axum::extract::State;
use axum::http::HeaderMap;
use model::{Task, TaskDraft};

use super::{Created, create_once, with_exchange_token};
use crate::error::AppError;
use crate::extract::ApiJson;
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

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<Task>>, AppError> {
    let tasks = with_exchange_token(&state, &caller, |token| {
        let exchange = state.exchange.clone();
        async move { exchange.list_tasks(&token).await }
    })
    .await?;
    Ok(axum::Json(tasks))
}
