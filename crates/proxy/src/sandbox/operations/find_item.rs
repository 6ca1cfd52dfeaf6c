//! FindItem: CalendarView (items overlapping a window) and indexed pages with restrictions.

use chrono::Utc;
use ews::operations::find_item::{FindItem, FindItemResponse, FindItemResult, FindView};
use ews::response::{MessageResult, ResponseError};
use ews::types::{EwsDateTime, Item};

use super::folder_name;
use crate::sandbox::handler::SandboxError;
use crate::sandbox::items::{self, CALENDAR};
use crate::sandbox::store::{ItemRecord, ItemStore};

/// Exchange's cap on one FindItem page when the client asks for more (or nothing).
const MAX_PAGE: u32 = 1000;

/// [FindItem](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/finditem-operation):
/// a CalendarView (items overlapping the window, by start, at most MaxEntriesReturned), or an
/// indexed page of a folder, filtered by the restriction if there is one.
pub async fn find_item(
    store: &ItemStore,
    mailbox: &str,
    request: FindItem,
) -> Result<FindItemResponse, SandboxError> {
    let mut results: Vec<MessageResult<FindItemResult>> = Vec::new();
    for folder in &request.parent_folder_ids {
        let Some(folder) = folder_name(folder) else {
            results.push(Err(ResponseError::new(
                "ErrorFolderNotFound",
                "The sandbox mailbox has a calendar and a tasks folder only.",
            )));
            continue;
        };
        results.push(find_in_folder(store, mailbox, folder, &request).await?);
    }
    Ok(FindItemResponse::new(results))
}

async fn find_in_folder(
    store: &ItemStore,
    mailbox: &str,
    folder: &str,
    request: &FindItem,
) -> Result<MessageResult<FindItemResult>, SandboxError> {
    let expression = request.restriction.as_ref().map(|r| &r.expression);
    let shape = |records: &[ItemRecord]| -> Result<Vec<Item>, SandboxError> {
        records
            .iter()
            .map(|r| {
                items::from_record(r).map(|item| items::shaped(&item, &request.item_shape, true))
            })
            .collect()
    };
    match &request.view {
        Some(FindView::Calendar(view)) => {
            if folder != CALENDAR {
                return Ok(Err(ResponseError::new(
                    "ErrorCalendarViewRequiresCalendarFolder",
                    "A CalendarView can only be used with a calendar folder.",
                )));
            }
            if expression.is_some() {
                return Ok(Err(ResponseError::new(
                    "ErrorInvalidRestriction",
                    "Restrictions cannot be combined with a CalendarView.",
                )));
            }
            let (Some(start), Some(end)) = (instant(&view.start_date), instant(&view.end_date))
            else {
                return Ok(Err(ResponseError::new(
                    "ErrorInvalidRequest",
                    "CalendarView dates need a time zone.",
                )));
            };
            if end < start {
                return Ok(Err(ResponseError::new(
                    "ErrorCalendarEndDateIsEarlierThanStartDate",
                    "EndDate is earlier than StartDate",
                )));
            }
            let limit = page_size(view.max_entries_returned);
            // Recurring series are expanded into their occurrences, as Exchange does.
            let all = items::calendar_window(store, mailbox, start, end).await?;
            let total = all.len();
            let page: Vec<Item> = all
                .into_iter()
                .take(limit as usize)
                .map(|c| items::shaped(&Item::CalendarItem(c), &request.item_shape, true))
                .collect();
            Ok(Ok(FindItemResult {
                includes_last_item_in_range: Some(page.len() >= total),
                items: page,
                total_items_in_view: Some(total as i32),
                indexed_paging_offset: None,
            }))
        }
        other => {
            let (offset, limit) = match other {
                Some(FindView::IndexedPage(view)) => (
                    view.offset.max(0) as u32,
                    page_size(view.max_entries_returned),
                ),
                _ => (0, MAX_PAGE),
            };
            let mut matching = Vec::new();
            for record in items::candidates(store, mailbox, folder, expression).await? {
                let item = items::from_record(&record)?;
                if expression.is_none_or(|e| items::matches(&item, e)) {
                    matching.push(record);
                }
            }
            let total = matching.len() as u32;
            let page: Vec<_> = matching
                .into_iter()
                .skip(offset as usize)
                .take(limit as usize)
                .collect();
            let next = offset + page.len() as u32;
            Ok(Ok(FindItemResult {
                items: shape(&page)?,
                total_items_in_view: Some(total as i32),
                includes_last_item_in_range: Some(next >= total),
                indexed_paging_offset: Some(next as i32),
            }))
        }
    }
}

fn page_size(requested: Option<i32>) -> u32 {
    requested.map_or(MAX_PAGE, |n| n.clamp(1, MAX_PAGE as i32) as u32)
}

fn instant(value: &EwsDateTime) -> Option<chrono::DateTime<Utc>> {
    value.to_utc()
}
