//! `POST /api/tasks` and `GET /api/tasks?cursor`.

use model::{Page, Task, TaskDraft};

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

/// A page of the tasks, newest first: the first page without `cursor`, else the page a previous
/// page's `nextCursor` points at.
pub async fn list(api: &Api, cursor: Option<&str>) -> Result<Page<Task>, ApiError> {
    let path = match cursor {
        Some(cursor) => format!("/api/tasks?cursor={}", js_sys::encode_uri_component(cursor)),
        None => "/api/tasks".to_owned(),
    };
    request(
        api,
        Method::Get,
        &path,
        None::<&()>,
        RequestOptions::default(),
    )
    .await
}
