//! FindItem: CalendarView (items overlapping a window) and indexed pages with restrictions.

use ews::operations::find_item::{
    CalendarView, FindItem, FindItemResponse, FindItemResult, FindView,
};
use ews::response::{MessageResult, ResponseError};
use ews::types::{FieldOrder, Item, PropertyPath, SortDirection};

use super::folder_name;
use crate::mailbox::SandboxError;
use crate::mailbox::items::{self, CALENDAR};
use crate::mailbox::soap::shape;
use crate::mailbox::store::ItemStore;

/// Exchange's cap on one FindItem page when the client asks for more (or nothing).
const MAX_PAGE: u32 = 1000;

/// [FindItem](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/finditem-operation):
/// a CalendarView (items overlapping the window, by start, at most MaxEntriesReturned), or an
/// indexed page of a folder (Offset, MaxEntriesReturned), filtered by the restriction if there
/// is one and ordered by the SortOrder.
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
    let max_entries = match &request.view {
        Some(FindView::Calendar(view)) => view.max_entries_returned,
        Some(FindView::IndexedPage(view)) => view.max_entries_returned,
        None => None,
    };
    if max_entries.is_some_and(|m| m < 1) {
        return Ok(Err(ResponseError::new(
            "ErrorInvalidPagingMaxRows",
            "MaxEntriesReturned must be greater than zero.",
        )));
    }
    let limit = max_entries.map_or(MAX_PAGE, |n| n.clamp(1, MAX_PAGE as i32) as u32);
    match &request.view {
        Some(FindView::Calendar(view)) => {
            calendar_view(store, mailbox, folder, request, view, limit).await
        }
        Some(FindView::IndexedPage(view)) if view.offset < 0 => Ok(Err(ResponseError::new(
            "ErrorInvalidIndexedPagingParameters",
            "The Offset of an IndexedPageItemView cannot be negative.",
        ))),
        Some(FindView::IndexedPage(view)) => {
            indexed_page(store, mailbox, folder, request, view.offset as u32, limit).await
        }
        None => indexed_page(store, mailbox, folder, request, 0, limit).await,
    }
}

/// Items overlapping the window in start order, at most `limit`; `IncludesLastItemInRange` is
/// false when the window holds more (a CalendarView has no offset: clients move StartDate on).
async fn calendar_view(
    store: &ItemStore,
    mailbox: &str,
    folder: &str,
    request: &FindItem,
    view: &CalendarView,
    limit: u32,
) -> Result<MessageResult<FindItemResult>, SandboxError> {
    if folder != CALENDAR {
        return Ok(Err(ResponseError::new(
            "ErrorCalendarViewRequiresCalendarFolder",
            "A CalendarView can only be used with a calendar folder.",
        )));
    }
    if request.restriction.is_some() {
        return Ok(Err(ResponseError::new(
            "ErrorInvalidRestriction",
            "Restrictions cannot be combined with a CalendarView.",
        )));
    }
    let (Some(start), Some(end)) = (view.start_date.to_utc(), view.end_date.to_utc()) else {
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
    // Recurring series are expanded into their occurrences, as Exchange does.
    let window = items::calendar_window(store, mailbox, start, end, limit).await?;
    let page: Vec<Item> = window
        .items
        .into_iter()
        .map(|c| shape::shaped(&Item::CalendarItem(c), &request.item_shape, true))
        .collect();
    Ok(Ok(FindItemResult {
        includes_last_item_in_range: Some(page.len() as u32 >= window.total),
        items: page,
        total_items_in_view: Some(i32::try_from(window.total).unwrap_or(i32::MAX)),
        indexed_paging_offset: None,
    }))
}

/// `limit` items from `offset`, filtered by the restriction and ordered by the SortOrder (the
/// folder's creation order without one).
async fn indexed_page(
    store: &ItemStore,
    mailbox: &str,
    folder: &str,
    request: &FindItem,
    offset: u32,
    limit: u32,
) -> Result<MessageResult<FindItemResult>, SandboxError> {
    let (found, total) = match store_order(request) {
        // The store pages the folder itself: a page costs a page, however full the folder.
        Some(newest_first) => {
            let page = store
                .list(mailbox, folder, offset, limit, newest_first)
                .await?;
            let found = page
                .items
                .iter()
                .map(items::from_record)
                .collect::<Result<Vec<_>, _>>()?;
            (found, page.total)
        }
        None => {
            let expression = request.restriction.as_ref().map(|r| &r.expression);
            let mut matching = Vec::new();
            for record in shape::candidates(store, mailbox, folder, expression).await? {
                let item = items::from_record(&record)?;
                if expression.is_none_or(|e| shape::matches(&item, e)) {
                    matching.push((record, item));
                }
            }
            shape::sort_by(&mut matching, &request.sort_order);
            let total = u32::try_from(matching.len()).unwrap_or(u32::MAX);
            let page = matching
                .into_iter()
                .skip(offset as usize)
                .take(limit as usize)
                .map(|(_, item)| item)
                .collect();
            (page, total)
        }
    };
    let next = offset.saturating_add(found.len() as u32);
    let page = found
        .iter()
        .map(|item| shape::shaped(item, &request.item_shape, true))
        .collect();
    Ok(Ok(FindItemResult {
        items: page,
        total_items_in_view: Some(i32::try_from(total).unwrap_or(i32::MAX)),
        includes_last_item_in_range: Some(next >= total),
        indexed_paging_offset: Some(i32::try_from(next).unwrap_or(i32::MAX)),
    }))
}

/// `Some(newest_first)` when the store's creation order is the requested order: no
/// restriction, and no SortOrder or one on the creation time only.
fn store_order(request: &FindItem) -> Option<bool> {
    if request.restriction.is_some() {
        return None;
    }
    match request.sort_order.as_slice() {
        [] => Some(false),
        [
            FieldOrder {
                path: PropertyPath::Field { field_uri },
                order,
            },
        ] if field_uri == "item:DateTimeCreated" => Some(*order == SortDirection::Descending),
        _ => None,
    }
}
