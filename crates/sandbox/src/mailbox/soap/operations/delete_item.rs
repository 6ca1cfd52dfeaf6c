//! [DeleteItem](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/deleteitem-operation):
//! removes items from the caller's mailbox; an organizer deleting a meeting with
//! SendMeetingCancellations cancels it for every attendee.

use chrono::Utc;
use ews::operations::delete_item::{DeleteItem, DeleteItemResponse};
use ews::response::{MessageResult, ResponseError};
use ews::types::{BaseItemId, Item, ResponseType, SendMeetingInvitations};

use super::item_not_found;
use crate::mailbox::SandboxError;
use crate::mailbox::items;
use crate::mailbox::meetings;
use crate::mailbox::store::{ItemStore, WriteOutcome};

pub async fn delete_item(
    store: &ItemStore,
    mailbox: &str,
    request: DeleteItem,
) -> Result<DeleteItemResponse, SandboxError> {
    let now = Utc::now();
    let send = request
        .send_meeting_cancellations
        .unwrap_or(SendMeetingInvitations::SendToNone);
    let mut results: Vec<MessageResult<()>> = Vec::new();
    for id in &request.item_ids {
        let BaseItemId::ItemId { id, .. } = id else {
            results.push(Err(ResponseError::new(
                "ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange",
                "The sandbox mailbox has no recurring series.",
            )));
            continue;
        };
        let Some(record) = store.get(mailbox, id).await? else {
            results.push(Err(item_not_found()));
            continue;
        };
        if let Item::CalendarItem(meeting) = items::from_record(&record)?
            && meeting.my_response_type == Some(ResponseType::Organizer)
            && send != SendMeetingInvitations::SendToNone
            && let Some(uid) = meeting.uid.as_deref()
        {
            meetings::cancel_copies(store, mailbox, uid, now).await?;
        }
        // Exchange ignores the ChangeKey on delete: the user asked for the item to go.
        results.push(match store.delete(mailbox, id, None).await? {
            WriteOutcome::Done => Ok(()),
            _ => Err(item_not_found()),
        });
    }
    Ok(DeleteItemResponse::new(results))
}
