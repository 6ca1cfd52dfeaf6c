//! [UpdateItem](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/updateitem-operation):
//! Set/Append/DeleteItemField on stored items, with ChangeKey checks.
//!
//! ConflictResolution: `AlwaysOverwrite` writes whatever the stored version; `NeverOverwrite`
//! and `AutoResolve` refuse a stale ChangeKey with ErrorIrresolvableConflict. (Exchange's
//! AutoResolve merges changes to different properties; the sandbox keeps no version history,
//! so it treats every concurrent change as a conflict, which is the safe side for clients.)

use chrono::Utc;
use ews::RequestHeaders;
use ews::operations::update_item::{ItemChange, UpdateItem, UpdateItemResponse, UpdateItemResult};
use ews::response::{MessageResult, ResponseError};
use ews::types::{
    BaseItemId, ConflictResolution, EwsDateTime, Item, ItemId, ItemShape, ResponseType,
    SendMeetingInvitationsOrCancellations,
};

use super::item_not_found;
use crate::mailbox::SandboxError;
use crate::mailbox::items;
use crate::mailbox::meetings;
use crate::mailbox::soap::{shape, updates};
use crate::mailbox::store::{ItemStore, WriteOutcome};

pub async fn update_item(
    store: &ItemStore,
    mailbox: &str,
    headers: &RequestHeaders,
    request: UpdateItem,
) -> Result<UpdateItemResponse, SandboxError> {
    let mut results: Vec<MessageResult<UpdateItemResult>> = Vec::new();
    let send = request
        .send_meeting_invitations_or_cancellations
        .unwrap_or(SendMeetingInvitationsOrCancellations::SendToNone);
    for change in &request.item_changes {
        results.push(
            update_one(
                store,
                mailbox,
                headers,
                request.conflict_resolution,
                send,
                change,
            )
            .await?,
        );
    }
    Ok(UpdateItemResponse::new(results))
}

fn conflict() -> ResponseError {
    ResponseError::new(
        "ErrorIrresolvableConflict",
        "The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.",
    )
}

async fn update_one(
    store: &ItemStore,
    mailbox: &str,
    headers: &RequestHeaders,
    resolution: ConflictResolution,
    send: SendMeetingInvitationsOrCancellations,
    change: &ItemChange,
) -> Result<MessageResult<UpdateItemResult>, SandboxError> {
    let now = Utc::now();
    let BaseItemId::ItemId { id, change_key } = &change.item_id else {
        return Ok(Err(ResponseError::new(
            "ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange",
            "The sandbox mailbox has no recurring series.",
        )));
    };
    let Some(record) = store.get(mailbox, id).await? else {
        return Ok(Err(item_not_found()));
    };
    let expected = match resolution {
        ConflictResolution::AlwaysOverwrite => None,
        _ => change_key.as_deref(),
    };
    if expected.is_some_and(|key| key != record.change_key) {
        return Ok(Err(conflict()));
    }
    let mut item = items::from_record(&record)?;
    for update in &change.updates {
        let applied = match &mut item {
            Item::CalendarItem(calendar_item) => updates::apply_to_calendar(update, calendar_item),
            Item::Task(task) => updates::apply_to_task(update, task),
            _ => Err("the sandbox stores calendar items and tasks only".to_owned()),
        };
        if let Err(message) = applied {
            return Ok(Err(ResponseError::new(
                "ErrorInvalidPropertyRequest",
                message,
            )));
        }
    }
    match &mut item {
        Item::CalendarItem(calendar_item) => {
            if let Err(error) = normalise_times(calendar_item, headers.time_zone.as_deref()) {
                return Ok(Err(error));
            }
            calendar_item.item.last_modified_time = Some(EwsDateTime::utc(now));
            let organizer = calendar_item.my_response_type == Some(ResponseType::Organizer);
            if organizer && send != SendMeetingInvitationsOrCancellations::SendToNone {
                meetings::sync_copies(store, mailbox, calendar_item, now).await?;
            }
        }
        Item::Task(task) => {
            task.item.last_modified_time = Some(EwsDateTime::utc(now));
            task.is_complete = Some(task.status == Some(ews::types::TaskStatus::Completed));
        }
        _ => {}
    }
    let new_key = items::new_change_key();
    set_change_key(&mut item, &record.id, &new_key);
    let updated = items::to_record(&item, mailbox, now)?;
    Ok(match store.replace(&updated, expected).await? {
        WriteOutcome::Done => Ok(UpdateItemResult {
            items: vec![shape::shaped(&item, &ItemShape::id_only(), false)],
            conflict_count: Some(0),
        }),
        WriteOutcome::NotFound => Err(item_not_found()),
        // Another request changed it between our read and our write.
        WriteOutcome::ChangeKeyMismatch => Err(conflict()),
    })
}

fn set_change_key(item: &mut Item, id: &str, key: &str) {
    let item_id = Some(ItemId::with_change_key(id, key));
    match item {
        Item::CalendarItem(c) => c.item.item_id = item_id,
        Item::Task(t) => t.item.item_id = item_id,
        _ => {}
    }
}

/// New Start/End values may come without a zone; store them as instants and check the order.
fn normalise_times(
    item: &mut ews::types::CalendarItem,
    context_zone: Option<&str>,
) -> Result<(), ResponseError> {
    let zone = item.start_time_zone.as_ref().and_then(|z| z.id.clone());
    let end_zone = item
        .end_time_zone
        .as_ref()
        .and_then(|z| z.id.clone())
        .or_else(|| zone.clone());
    let start = item
        .start
        .as_ref()
        .map(|s| items::resolve_instant(s, zone.as_deref(), context_zone))
        .transpose()?;
    let end = item
        .end
        .as_ref()
        .map(|e| items::resolve_instant(e, end_zone.as_deref(), context_zone))
        .transpose()?;
    if let (Some(start), Some(end)) = (start, end)
        && end < start
    {
        return Err(ResponseError::new(
            "ErrorCalendarEndDateIsEarlierThanStartDate",
            "EndDate is earlier than StartDate",
        ));
    }
    item.start = start.map(EwsDateTime::utc);
    item.end = end.map(EwsDateTime::utc);
    Ok(())
}
