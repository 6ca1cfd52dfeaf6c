//! CreateItem: new calendar items (meeting copies for attendees and rooms) and tasks.

use chrono::Utc;
use ews::RequestHeaders;
use ews::operations::create_item::{CreateItem, CreateItemResponse};
use ews::response::{MessageResult, ResponseError};
use ews::types::{Item, SendMeetingInvitations};

use super::folder_name;
use crate::mailbox::SandboxError;
use crate::mailbox::items::{self, CALENDAR, TASKS};
use crate::mailbox::meetings;
use crate::mailbox::soap::shape;
use crate::mailbox::store::ItemStore;

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
        let send = request
            .send_meeting_invitations
            .unwrap_or(SendMeetingInvitations::SendToNone);
        let prepared = match prepared {
            // Invitations land in the attendees' and rooms' calendars, as Exchange delivers them.
            Ok(Item::CalendarItem(mut meeting)) if send != SendMeetingInvitations::SendToNone => {
                meetings::sync_copies(store, mailbox, &mut meeting, now).await?;
                Ok(Item::CalendarItem(meeting))
            }
            other => other,
        };
        match prepared {
            Ok(item) => {
                store
                    .insert(&items::to_record(&item, mailbox, now)?)
                    .await?;
                results.push(Ok(vec![shape::shaped(
                    &item,
                    &ews::types::ItemShape::id_only(),
                    false,
                )]));
            }
            Err(error) => results.push(Err(error)),
        }
    }
    Ok(CreateItemResponse::new(results))
}
