//! `GET /api/tasks?show&sort&cursor`.

use model::{Page, Task, TaskFilter, TaskSort};

use crate::error::ApiError;
use crate::services::{Api, Method, RequestOptions, request};

/// A page of the tasks `show` names, in `sort` order: the first page without `cursor`, else the
/// page a previous page's `nextCursor` (of the same `show` and `sort`) points at.
pub async fn list(
    api: &Api,
    show: TaskFilter,
    sort: TaskSort,
    cursor: Option<&str>,
) -> Result<Page<Task>, ApiError> {
    let mut path = format!(
        "/api/tasks?show={}&sort={}",
        filter_name(show),
        sort_name(sort)
    );
    if let Some(cursor) = cursor {
        path.push_str(&format!("&cursor={}", js_sys::encode_uri_component(cursor)));
    }
    request(
        api,
        Method::Get,
        &path,
        None::<&()>,
        RequestOptions::default(),
    )
    .await
}

/// The query value of `show` (what `TaskFilter` serializes to).
pub fn filter_name(show: TaskFilter) -> &'static str {
    match show {
        TaskFilter::All => "all",
        TaskFilter::Open => "open",
        TaskFilter::Completed => "completed",
    }
}

pub fn sort_name(sort: TaskSort) -> &'static str {
    match sort {
        TaskSort::Created => "created",
        TaskSort::Due => "due",
    }
}
