//! Meeting responses ([AcceptItem](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/acceptitem),
//! TentativelyAcceptItem, DeclineItem): the attendee's copy records the answer (a declined
//! meeting leaves the calendar, as Exchange moves it to Deleted Items) and the organizer's copy
//! records it on the attendee.

use chrono::Utc;
use ews::operations::create_item::CreateItemResponse;
use ews::operations::meeting_response::{MeetingResponse, MeetingResponseKind};
use ews::response::{MessageResult, ResponseError};
use ews::types::{EwsDateTime, Item, LegacyFreeBusy, ResponseType};

use super::item_not_found;
use crate::mailbox::SandboxError;
use crate::mailbox::items;
use crate::mailbox::meetings;
use crate::mailbox::store::ItemStore;

pub async fn meeting_response(
    store: &ItemStore,
    mailbox: &str,
    request: MeetingResponse,
) -> Result<CreateItemResponse, SandboxError> {
    let now = Utc::now();
    let (answer, organizer_code) = match request.response {
        MeetingResponseKind::Accept => (ResponseType::Accept, "ErrorCalendarIsOrganizerForAccept"),
        MeetingResponseKind::TentativelyAccept => (
            ResponseType::Tentative,
            "ErrorCalendarIsOrganizerForTentative",
        ),
        MeetingResponseKind::Decline => {
            (ResponseType::Decline, "ErrorCalendarIsOrganizerForDecline")
        }
    };
    let result: MessageResult<Vec<Item>> = async {
        let Some(record) = store.get(mailbox, &request.reference_item_id.id).await? else {
            return Ok(Err(item_not_found()));
        };
        let Item::CalendarItem(mut copy) = items::from_record(&record)? else {
            return Ok(Err(ResponseError::new(
                "ErrorItemNotFound",
                "The referenced item is not a meeting.",
            )));
        };
        if copy.my_response_type == Some(ResponseType::Organizer) {
            return Ok(Err(ResponseError::new(
                organizer_code,
                "The organizer cannot respond to their own meeting.",
            )));
        }
        if copy.is_cancelled == Some(true) {
            return Ok(Err(ResponseError::new(
                "ErrorMeetingRequestIsOutOfDate",
                "The meeting has been cancelled.",
            )));
        }
        if answer == ResponseType::Decline {
            store.delete(mailbox, &record.id, None).await?;
        } else {
            copy.my_response_type = Some(answer);
            copy.legacy_free_busy_status = Some(if answer == ResponseType::Accept {
                LegacyFreeBusy::Busy
            } else {
                LegacyFreeBusy::Tentative
            });
            copy.last_modified_time = Some(EwsDateTime::utc(now));
            if let Some(id) = copy.item_id.as_mut() {
                id.change_key = Some(items::new_change_key());
            }
            store
                .replace(
                    &items::to_record(&Item::CalendarItem(copy.clone()), mailbox, now)?,
                    None,
                )
                .await?;
        }
        if let Some((organizer_record, mut meeting)) =
            meetings::organizer_copy(store, &copy).await?
        {
            meetings::record_response(&mut meeting, mailbox, answer, now);
            if let Some(id) = meeting.item_id.as_mut() {
                id.change_key = Some(items::new_change_key());
            }
            let updated =
                items::to_record(&Item::CalendarItem(meeting), &organizer_record.mailbox, now)?;
            store.replace(&updated, None).await?;
        }
        Ok::<_, SandboxError>(Ok(Vec::new()))
    }
    .await?;
    Ok(CreateItemResponse::new(vec![result]))
}
