//! `POST /api/tasks` (CreateItem of a `t:Task`) and `GET /api/tasks` (FindItem on the tasks folder).

use axum::extract::State;
use axum::http::HeaderMap;
use model::{Task, TaskDraft};

use super::{Created, with_exchange_token};
use crate::error::AppError;
use crate::extract::ApiJson;
use crate::idempotency::{Claim, IdempotencyKey};
use crate::session::Caller;
use crate::state::AppState;

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiJson(draft): ApiJson<TaskDraft>,
) -> Result<Created<Task>, AppError> {
    let task = draft.parse()?;
    let key = IdempotencyKey::from_headers(&headers)?;
    let (client_request_id, resumed, _guard) = match &key {
        Some(key) => match state
            .idempotency
            .claim(&caller.user_id, key, "task", &draft)
            .await?
        {
            Claim::Replay(item) => return Ok(Created::replayed(item)),
            Claim::Proceed {
                client_request_id,
                resumed,
                _guard,
            } => (client_request_id, resumed, Some(_guard)),
        },
        None => (uuid::Uuid::new_v4().to_string(), false, None),
    };
    let created = with_exchange_token(&state, &caller, |token| {
        let exchange = state.exchange.clone();
        let (task, client_request_id) = (task.clone(), client_request_id.clone());
        async move {
            exchange
                .create_task(&token, &task, &client_request_id, resumed)
                .await
        }
    })
    .await?;
    if let Some(key) = &key {
        state
            .idempotency
            .complete(&caller.user_id, key, &created)
            .await?;
    }
    Ok(Created::new(created))
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
