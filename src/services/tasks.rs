//! `POST /api/tasks` and `GET /api/tasks`.

use model::{Task, TaskDraft};

use crate::error::ApiError;
use crate::services::{Api, Method, RequestOptions, request};

pub async fn create(api: &Api, draft: &TaskDraft, idempotency_key: &str) -> Result<Task, ApiError> {
    request(
        api,
        Method::Post,
        "/api/tasks",
        Some(draft),
        RequestOptions {
            idempotency_key: Some(idempotency_key),
            ..RequestOptions::default()
        },
    )
    .await
}

/// Tasks sorted by due date (undated last), then subject.
pub async fn list(api: &Api) -> Result<Vec<Task>, ApiError> {
    let mut items: Vec<Task> = request(
        api,
        Method::Get,
        "/api/tasks",
        None::<&()>,
        RequestOptions::default(),
    )
    .await?;
    items.sort_by(|a, b| {
        (a.due_date.is_none(), a.due_date, &a.subject).cmp(&(
            b.due_date.is_none(),
            b.due_date,
            &b.subject,
        ))
    });
    Ok(items)
}
