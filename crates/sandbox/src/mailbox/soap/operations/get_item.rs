//! GetItem: stored items in the caller's mailbox, shaped as asked; occurrences of recurring
//! series by their own id or by OccurrenceItemId, and a series' master by RecurringMasterItemId.

use ews::operations::get_item::{GetItem, GetItemResponse};
use ews::response::{MessageResult, ResponseError};
use ews::types::{BaseItemId, Item};

use super::item_not_found;
use crate::mailbox::SandboxError;
use crate::mailbox::items;
use crate::mailbox::recurrence;
use crate::mailbox::soap::shape;
use crate::mailbox::store::ItemStore;

/// [GetItem](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getitem-operation-calendar-item):
/// one response message per requested id, ErrorItemNotFound for ids of other mailboxes too.
pub async fn get_item(
    store: &ItemStore,
    mailbox: &str,
    request: GetItem,
) -> Result<GetItemResponse, SandboxError> {
    let mut results: Vec<MessageResult<Vec<Item>>> = Vec::new();
    for id in &request.item_ids {
        let found = match id {
            BaseItemId::ItemId { id, .. } => match store.get(mailbox, id).await? {
                Some(record) => Ok(items::from_record(&record)?),
                None => match recurrence::parse_occurrence_id(id) {
                    Some((master, index)) => occurrence(store, mailbox, master, index).await?,
                    None => Err(item_not_found()),
                },
            },
            BaseItemId::OccurrenceItemId {
                recurring_master_id,
                instance_index,
                ..
            } => {
                let index = usize::try_from(*instance_index).unwrap_or(0);
                occurrence(store, mailbox, recurring_master_id, index).await?
            }
            BaseItemId::RecurringMasterItemId { occurrence_id, .. } => {
                let master = recurrence::parse_occurrence_id(occurrence_id)
                    .map_or(occurrence_id.as_str(), |(m, _)| m);
                match store.get(mailbox, master).await? {
                    Some(record) => Ok(items::from_record(&record)?),
                    None => Err(item_not_found()),
                }
            }
        };
        results.push(found.map(|item| vec![shape::shaped(&item, &request.item_shape, false)]));
    }
    Ok(GetItemResponse::new(results))
}

async fn occurrence(
    store: &ItemStore,
    mailbox: &str,
    master_id: &str,
    index: usize,
) -> Result<MessageResult<Item>, SandboxError> {
    let Some(record) = store.get(mailbox, master_id).await? else {
        return Ok(Err(item_not_found()));
    };
    let Item::CalendarItem(master) = items::from_record(&record)? else {
        return Ok(Err(item_not_found()));
    };
    if master.recurrence.is_none() {
        return Ok(Err(ResponseError::new(
            "ErrorItemNotFound",
            "The specified item is not a recurring series.",
        )));
    }
    Ok(match recurrence::nth_occurrence(&master, index) {
        Some(found) => Ok(Item::CalendarItem(found)),
        None => Err(ResponseError::new(
            "ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange",
            "The occurrence index is out of the recurrence range.",
        )),
    })
}
