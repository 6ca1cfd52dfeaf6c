//! [CancelCalendarItem](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/cancelcalendaritem):
//! the organizer calls a meeting off: attendees' copies are marked cancelled, rooms released,
//! and the organizer's item removed.

use chrono::Utc;
use ews::operations::cancel_calendar_item::CancelCalendarItem;
use ews::operations::create_item::CreateItemResponse;
use ews::response::{MessageResult, ResponseError};
use ews::types::{Item, ResponseType};

use super::item_not_found;
use crate::mailbox::SandboxError;
use crate::mailbox::items;
use crate::mailbox::meetings;
use crate::mailbox::store::ItemStore;

pub async fn cancel_calendar_item(
    store: &ItemStore,
    mailbox: &str,
    request: CancelCalendarItem,
) -> Result<CreateItemResponse, SandboxError> {
    let result: MessageResult<Vec<Item>> = async {
        let Some(record) = store.get(mailbox, &request.reference_item_id.id).await? else {
            return Ok(Err(item_not_found()));
        };
        let Item::CalendarItem(meeting) = items::from_record(&record)? else {
            return Ok(Err(ResponseError::new(
                "ErrorItemNotFound",
                "The referenced item is not a calendar item.",
            )));
        };
        if meeting.my_response_type != Some(ResponseType::Organizer) {
            return Ok(Err(ResponseError::new(
                "ErrorCalendarIsNotOrganizer",
                "Only the organizer can cancel a meeting.",
            )));
        }
        if let Some(wanted) = &request.reference_item_id.change_key
            && wanted != &record.change_key
        {
            return Ok(Err(ResponseError::new(
                "ErrorIrresolvableConflict",
                "The change key passed in the request does not match the current change key for the item.",
            )));
        }
        if let Some(uid) = meeting.uid.as_deref() {
            meetings::cancel_copies(store, mailbox, uid, Utc::now()).await?;
        }
        store.delete(mailbox, &record.id, None).await?;
        Ok::<_, SandboxError>(Ok(Vec::new()))
    }
    .await?;
    Ok(CreateItemResponse::new(vec![result]))
}
