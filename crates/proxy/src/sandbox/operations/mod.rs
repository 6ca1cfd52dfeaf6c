//! The EWS operations the sandbox mailbox answers, with Exchange's semantics.

use chrono::Utc;
use ews::RequestHeaders;
use ews::operations::create_item::{CreateItem, CreateItemResponse};
use ews::operations::find_item::{FindItem, FindItemResponse, FindItemResult, FindView};
use ews::operations::get_item::{GetItem, GetItemResponse};
use ews::response::{MessageResult, ResponseError};
use ews::soap::ServerVersionInfo;
use ews::types::{BaseItemId, DistinguishedFolderName, EwsDateTime, FolderId, Item};

use super::handler::SandboxError;
use super::items::{self, CALENDAR, TASKS};
use super::store::ItemStore;

/// Exchange's cap on one FindItem page when the client asks for more (or nothing).
const MAX_PAGE: u32 = 1000;

/// [CreateItem](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/createitem-operation-calendar-item):
/// saves each item in its folder and answers its new ItemId (Id + ChangeKey) only.
pub async fn create_item(
    store: &ItemStore,
    mailbox: &str,
    headers: &RequestHeaders,
    request: CreateItem,
) -> Result<CreateItemResponse, SandboxError> {
    let now = Utc::now();
    let mut results: Vec<MessageResult<Vec<Item>>> = Vec::new();
    for item in request.items {
        let target = request.saved_item_folder_id.as_ref().map(folder_name);
        let prepared = match item {
            Item::CalendarItem(c) if matches!(target, None | Some(Some(CALENDAR))) => {
                items::new_calendar_item(c, mailbox, headers.time_zone.as_deref(), now)
                    .map(Item::CalendarItem)
            }
            Item::Task(t) if matches!(target, None | Some(Some(TASKS))) => {
                items::new_task(t, mailbox, now).map(Item::Task)
            }
            Item::CalendarItem(_) | Item::Task(_) => Err(ResponseError::new(
                "ErrorInvalidRequest",
                "The sandbox mailbox stores calendar items in the calendar folder and tasks in the tasks folder.",
            )),
            Item::Other(other) => Err(ResponseError::new(
                "ErrorInvalidRequest",
                format!(
                    "The sandbox mailbox does not store '{}' items.",
                    other.element
                ),
            )),
            _ => Err(ResponseError::new(
                "ErrorInvalidRequest",
                "The sandbox mailbox stores calendar items and tasks only.",
            )),
        };
        match prepared {
            Ok(item) => {
                store
                    .insert(&items::to_record(&item, mailbox, now)?)
                    .await?;
                results.push(Ok(vec![items::shaped(
                    &item,
                    &ews::types::ItemShape::id_only(),
                    false,
                )]));
            }
            Err(error) => results.push(Err(error)),
        }
    }
    Ok(with_version(CreateItemResponse::new(results)))
}

/// [GetItem](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getitem-operation-calendar-item):
/// one response message per requested id, ErrorItemNotFound for ids of other mailboxes too.
pub async fn get_item(
    store: &ItemStore,
    mailbox: &str,
    request: GetItem,
) -> Result<GetItemResponse, SandboxError> {
    let mut results: Vec<MessageResult<Vec<Item>>> = Vec::new();
    for id in &request.item_ids {
        let BaseItemId::ItemId { id, .. } = id else {
            results.push(Err(ResponseError::new(
                "ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange",
                "The sandbox mailbox has no recurring series.",
            )));
            continue;
        };
        match store.get(mailbox, id).await? {
            Some(record) => {
                let item = items::from_record(&record)?;
                results.push(Ok(vec![items::shaped(&item, &request.item_shape, false)]));
            }
            None => results.push(Err(item_not_found())),
        }
    }
    Ok(with_version(GetItemResponse::new(results)))
}

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
    Ok(with_version(FindItemResponse::new(results)))
}

async fn find_in_folder(
    store: &ItemStore,
    mailbox: &str,
    folder: &str,
    request: &FindItem,
) -> Result<MessageResult<FindItemResult>, SandboxError> {
    let expression = request.restriction.as_ref().map(|r| &r.expression);
    let shape = |records: &[super::store::ItemRecord]| -> Result<Vec<Item>, SandboxError> {
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
            let page = store.calendar_view(mailbox, start, end, limit).await?;
            let count = page.items.len() as u32;
            Ok(Ok(FindItemResult {
                items: shape(&page.items)?,
                total_items_in_view: Some(page.total as i32),
                includes_last_item_in_range: Some(count >= page.total),
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

/// The sandbox's folders are the distinguished calendar and tasks folders.
fn folder_name(folder: &FolderId) -> Option<&'static str> {
    match folder {
        FolderId::Distinguished {
            id: DistinguishedFolderName::Calendar,
            ..
        } => Some(CALENDAR),
        FolderId::Distinguished {
            id: DistinguishedFolderName::Tasks,
            ..
        } => Some(TASKS),
        _ => None,
    }
}

pub fn item_not_found() -> ResponseError {
    ResponseError::new(
        "ErrorItemNotFound",
        "The specified object was not found in the store.",
    )
}

/// Every sandbox answer carries a ServerVersionInfo header, as Exchange's do.
trait WithVersion {
    fn set_version(&mut self, info: ServerVersionInfo);
}

macro_rules! with_version_impl {
    ($($t:ty),*) => {$(
        impl WithVersion for $t {
            fn set_version(&mut self, info: ServerVersionInfo) {
                self.server_version_info = Some(info);
            }
        }
    )*};
}
with_version_impl!(CreateItemResponse, GetItemResponse, FindItemResponse);

fn with_version<T: WithVersion>(mut response: T) -> T {
    response.set_version(ServerVersionInfo::sandbox());
    response
}
