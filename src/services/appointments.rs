//! The calendar view `GET /api/appointments?start&end&limit&cursor`.

use model::{Appointment, Page, PageLimit};

use crate::error::ApiError;
use crate::services::{Api, Method, RequestOptions, request};

/// A page of the appointments between two RFC 3339 instants, in start order: the first page
/// without `cursor`, else the page a previous page's `nextCursor` points at; `limit` items at
/// most (default: the proxy's, one screen).
pub async fn list(
    api: &Api,
    start: &str,
    end: &str,
    limit: Option<u32>,
    cursor: Option<&str>,
) -> Result<Page<Appointment>, ApiError> {
    let mut path = format!(
        "/api/appointments?start={}&end={}",
        js_sys::encode_uri_component(start),
        js_sys::encode_uri_component(end)
    );
    if let Some(limit) = limit {
        path.push_str(&format!("&limit={limit}"));
    }
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

/// Every appointment between two instants, read in the largest pages the proxy gives, at most
/// `max_pages` of them: the answer's `more` says whether some were left unread (the items are
/// then those up to its last start).
pub async fn list_window(
    api: &Api,
    start: &str,
    end: &str,
    max_pages: usize,
) -> Result<Page<Appointment>, ApiError> {
    let mut all = Page {
        items: Vec::new(),
        more: true,
        next_cursor: None,
    };
    for _ in 0..max_pages {
        if !all.more {
            break;
        }
        let page = list(
            api,
            start,
            end,
            Some(PageLimit::MAX),
            all.next_cursor.as_deref(),
        )
        .await?;
        all.items.extend(page.items);
        all.more = page.more && page.next_cursor.is_some();
        all.next_cursor = page.next_cursor;
    }
    Ok(all)
}
