//! GetItem: stored items in the caller's mailbox, shaped as asked.

use ews::operations::get_item::{GetItem, GetItemResponse};
use ews::response::{MessageResult, ResponseError};
use ews::types::{BaseItemId, Item};

use super::item_not_found;
use crate::sandbox::handler::SandboxError;
use crate::sandbox::items;
use crate::sandbox::store::ItemStore;

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
    Ok(GetItemResponse::new(results))
}

