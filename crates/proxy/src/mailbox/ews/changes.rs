//! Reading one item and changing it: GetItem, UpdateItem, DeleteItem, CancelCalendarItem and
//! the meeting responses.
//!
//! Changes are not idempotent (each one gives the item a new ChangeKey), so they are resent
//! only when Exchange cannot have run them (throttled, connection refused); after an unknown
//! outcome the user is told to check and try again rather than risking a false conflict.
//!
//! - [GetItem](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getitem-operation-calendar-item)
//! - [UpdateItem](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/updateitem-operation)
//! - [DeleteItem](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/deleteitem-operation)
//! - [CancelCalendarItem](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/cancelcalendaritem)
//! - [AcceptItem](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/acceptitem) and its siblings

use ews::EwsError;
use ews::operations::cancel_calendar_item::CancelCalendarItem;
use ews::operations::create_item::CreateItemResponse;
use ews::operations::delete_item::{DeleteItem, DeleteItemResponse};
use ews::operations::get_item::{GetItem, GetItemResponse};
use ews::operations::meeting_response::{MeetingResponse, MeetingResponseKind};
use ews::operations::update_item::{
    CalendarField, ItemChange, ItemField, TaskField, UpdateItem, UpdateItemResponse,
};
use ews::types::{
    Body, ConflictResolution, Item, ItemId, ItemShape, SendMeetingInvitations,
    SendMeetingInvitationsOrCancellations,
};
use model::{Appointment, NewTask, Reply, ReplyKind, Task};

use super::sending::Attempt;
use super::{Acting, EwsMailbox, mapping};
use crate::mailbox::retry::Budget;
use crate::mailbox::{ItemVersion, MailboxError, PreparedAppointment};

/// The fields of the appointment form, replaced as a whole by an edit.
const APPOINTMENT_FIELDS: [CalendarField; 16] = [
    CalendarField::Item(ItemField::Subject),
    CalendarField::Item(ItemField::Body),
    CalendarField::Start,
    CalendarField::End,
    CalendarField::Location,
    CalendarField::IsAllDayEvent,
    CalendarField::Item(ItemField::ReminderIsSet),
    CalendarField::Item(ItemField::ReminderMinutesBeforeStart),
    CalendarField::LegacyFreeBusyStatus,
    CalendarField::Item(ItemField::Importance),
    CalendarField::Item(ItemField::Sensitivity),
    CalendarField::Item(ItemField::Categories),
    CalendarField::RequiredAttendees,
    CalendarField::OptionalAttendees,
    CalendarField::Resources,
    CalendarField::Recurrence,
];

const TASK_FIELDS: [TaskField; 11] = [
    TaskField::Item(ItemField::Subject),
    TaskField::Item(ItemField::Body),
    TaskField::DueDate,
    TaskField::Status,
    TaskField::StartDate,
    TaskField::PercentComplete,
    TaskField::Item(ItemField::Importance),
    TaskField::Item(ItemField::Categories),
    TaskField::Item(ItemField::ReminderIsSet),
    TaskField::Item(ItemField::ReminderDueBy),
    TaskField::Recurrence,
];

/// The id with the ChangeKey to check, and the conflict rule that goes with it.
fn versioned(id: &str, version: &ItemVersion) -> (ItemId, ConflictResolution) {
    match version {
        ItemVersion::Exactly(key) => (
            ItemId::with_change_key(id, key.clone()),
            ConflictResolution::NeverOverwrite,
        ),
        ItemVersion::Any => (ItemId::new(id), ConflictResolution::AlwaysOverwrite),
    }
}

impl EwsMailbox {
    pub(super) async fn get_item(
        &self,
        acting: &Acting<'_>,
        id: &str,
    ) -> Result<Item, MailboxError> {
        let request = GetItem::new(ItemShape::all_properties(), [ItemId::new(id)]);
        let envelope = self.envelope(request.to_envelope(&acting.headers))?;
        let mut budget = Budget::new(self.policy);
        self.call(acting, &envelope, parse_get, &mut budget).await
    }

    pub(super) async fn get_appointment(
        &self,
        acting: &Acting<'_>,
        id: &str,
    ) -> Result<Appointment, MailboxError> {
        mapping::appointment_from_ews(&self.get_item(acting, id).await?)
    }

    pub(super) async fn get_task(
        &self,
        acting: &Acting<'_>,
        id: &str,
    ) -> Result<Task, MailboxError> {
        mapping::task_from_ews(&self.get_item(acting, id).await?)
    }

    pub(super) async fn update_calendar_item(
        &self,
        acting: &Acting<'_>,
        id: &str,
        version: &ItemVersion,
        appointment: &PreparedAppointment,
    ) -> Result<Appointment, MailboxError> {
        let (item_id, resolution) = versioned(id, version);
        // The stamp of the original create stays; only the form's fields change.
        let mut item = mapping::calendar_item(appointment, "");
        item.item.extended_properties.clear();
        let mut fields = APPOINTMENT_FIELDS.to_vec();
        // "No reminder" is ReminderIsSet=false; the minutes stay as Exchange keeps them.
        if item.item.reminder_minutes_before_start.is_none() {
            fields.retain(|f| *f != CalendarField::Item(ItemField::ReminderMinutesBeforeStart));
        }
        if item.start_time_zone.is_some() {
            fields.extend([CalendarField::StartTimeZone, CalendarField::EndTimeZone]);
        }
        let mut request = UpdateItem::calendar(
            ItemChange::calendar(item_id, &item, &fields),
            SendMeetingInvitationsOrCancellations::SendToAllAndSaveCopy,
        );
        request.conflict_resolution = resolution;
        let envelope = self.envelope(request.to_envelope(&acting.headers))?;
        let updated = self.change(acting, &envelope, parse_update).await?;
        let id = updated
            .item_id()
            .ok_or_else(|| MailboxError::Unreadable("the updated item has no ItemId".into()))?;
        Ok(appointment.created(id.id.clone(), id.change_key.clone().unwrap_or_default()))
    }

    pub(super) async fn update_task_item(
        &self,
        acting: &Acting<'_>,
        id: &str,
        version: &ItemVersion,
        task: &NewTask,
    ) -> Result<Task, MailboxError> {
        let (item_id, resolution) = versioned(id, version);
        let mut item = mapping::task_to_ews(task, "");
        item.item.extended_properties.clear();
        let mut fields = TASK_FIELDS.to_vec();
        if item.item.reminder_due_by.is_none() {
            fields.retain(|f| *f != TaskField::Item(ItemField::ReminderDueBy));
        }
        let mut request = UpdateItem::task(ItemChange::task(item_id, &item, &fields));
        request.conflict_resolution = resolution;
        let envelope = self.envelope(request.to_envelope(&acting.headers))?;
        let updated = self.change(acting, &envelope, parse_update).await?;
        let id = updated
            .item_id()
            .cloned()
            .ok_or_else(|| MailboxError::Unreadable("the updated task has no ItemId".into()))?;
        Ok(mapping::created_task(task, id))
    }

    /// DeleteItem to Deleted Items; attendees of a meeting the user organises get a
    /// cancellation (Exchange sends none for an appointment without attendees).
    pub(super) async fn delete(
        &self,
        acting: &Acting<'_>,
        id: &str,
        version: &ItemVersion,
        calendar: bool,
    ) -> Result<(), MailboxError> {
        // DeleteItem does not check a ChangeKey: compare it first, so that an item someone
        // changed meanwhile is not deleted unseen.
        if let ItemVersion::Exactly(seen) = version {
            let current = self.get_item(acting, id).await?;
            if current.item_id().and_then(|i| i.change_key.as_deref()) != Some(seen.as_str()) {
                return Err(MailboxError::changed_meanwhile());
            }
        }
        let (item_id, _) = versioned(id, version);
        let request = if calendar {
            DeleteItem::calendar_item(item_id, SendMeetingInvitations::SendToAllAndSaveCopy)
        } else {
            DeleteItem::task(item_id)
        };
        let envelope = self.envelope(request.to_envelope(&acting.headers))?;
        self.change(acting, &envelope, parse_delete).await
    }

    pub(super) async fn cancel(
        &self,
        acting: &Acting<'_>,
        id: &str,
        version: &ItemVersion,
        message: Option<&str>,
    ) -> Result<(), MailboxError> {
        let reference = self.reference(acting, id, version).await?;
        let request = CancelCalendarItem::new(reference, message.map(Body::text));
        let envelope = self.envelope(request.to_envelope(&acting.headers))?;
        self.change(acting, &envelope, parse_response_object).await
    }

    pub(super) async fn reply(
        &self,
        acting: &Acting<'_>,
        id: &str,
        version: &ItemVersion,
        reply: &Reply,
    ) -> Result<(), MailboxError> {
        let reference = self.reference(acting, id, version).await?;
        let kind = match reply.kind {
            ReplyKind::Accept => MeetingResponseKind::Accept,
            ReplyKind::Tentative => MeetingResponseKind::TentativelyAccept,
            ReplyKind::Decline => MeetingResponseKind::Decline,
        };
        let mut request = MeetingResponse::new(kind, reference);
        request.body = reply.message.as_deref().map(Body::text);
        let envelope = self.envelope(request.to_envelope(&acting.headers))?;
        self.change(acting, &envelope, parse_response_object).await
    }

    /// The ReferenceItemId of a response object: Exchange wants the ChangeKey of the version
    /// answered, so "whatever is there now" reads the current one first.
    async fn reference(
        &self,
        acting: &Acting<'_>,
        id: &str,
        version: &ItemVersion,
    ) -> Result<ItemId, MailboxError> {
        match version {
            ItemVersion::Exactly(key) => Ok(ItemId::with_change_key(id, key.clone())),
            ItemVersion::Any => self
                .get_item(acting, id)
                .await?
                .item_id()
                .cloned()
                .ok_or_else(|| MailboxError::Unreadable("the item has no ItemId".into())),
        }
    }

    /// A change, resent only when Exchange cannot have run it.
    async fn change<T>(
        &self,
        acting: &Acting<'_>,
        envelope: &str,
        parse: fn(&[u8]) -> Result<T, EwsError>,
    ) -> Result<T, MailboxError> {
        let mut budget = Budget::new(self.policy);
        loop {
            let cause = match self.attempt(acting, envelope, parse).await {
                Attempt::Done(value) => return Ok(value),
                Attempt::Failed(error) => return Err(error),
                Attempt::Retry(cause) => cause,
                Attempt::Unknown(reason) => {
                    return Err(MailboxError::Unavailable(format!(
                        "the change may or may not have been saved: {reason}"
                    )));
                }
            };
            let wait = budget.next_wait(cause)?;
            tracing::warn!(
                wait_ms = wait.as_millis() as u64,
                "EWS change will be retried"
            );
            tokio::time::sleep(wait).await;
        }
    }
}

// The codec's error type is large; these run once per HTTP answer.
#[allow(clippy::result_large_err)]
fn parse_get(bytes: &[u8]) -> Result<Item, EwsError> {
    GetItemResponse::parse_response(bytes)?.into_single()
}

#[allow(clippy::result_large_err)]
fn parse_update(bytes: &[u8]) -> Result<Item, EwsError> {
    UpdateItemResponse::parse_response(bytes)?.into_single()
}

#[allow(clippy::result_large_err)]
fn parse_delete(bytes: &[u8]) -> Result<(), EwsError> {
    DeleteItemResponse::parse_response(bytes)?.into_single()
}

/// A response object's CreateItem answers with a message and, often, no items.
#[allow(clippy::result_large_err)]
fn parse_response_object(bytes: &[u8]) -> Result<(), EwsError> {
    match CreateItemResponse::parse_response(bytes)?
        .responses
        .into_iter()
        .next()
    {
        Some(Ok(_)) => Ok(()),
        Some(Err(error)) => Err(EwsError::Response(error)),
        None => Err(EwsError::Malformed {
            path: "CreateItemResponse/ResponseMessages".into(),
            message: "no response message".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_checks_the_change_key_and_any_overwrites() {
        let (id, rule) = versioned("AAMk", &ItemVersion::Exactly("CQAA".into()));
        assert_eq!(id.change_key.as_deref(), Some("CQAA"));
        assert_eq!(rule, ConflictResolution::NeverOverwrite);
        let (id, rule) = versioned("AAMk", &ItemVersion::Any);
        assert_eq!(id.change_key, None);
        assert_eq!(rule, ConflictResolution::AlwaysOverwrite);
    }
}
