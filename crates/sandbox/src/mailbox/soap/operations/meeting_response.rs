//! Meeting responses ([AcceptItem](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/acceptitem),
//! TentativelyAcceptItem, DeclineItem): the answer is recorded by `meetings::respond`; this
//! module maps its outcome to Exchange's response codes.

use chrono::Utc;
use ews::operations::create_item::CreateItemResponse;
use ews::operations::meeting_response::{MeetingResponse, MeetingResponseKind};
use ews::response::ResponseError;
use ews::types::ResponseType;

use super::item_not_found;
use crate::mailbox::SandboxError;
use crate::mailbox::meetings::{self, RespondOutcome};
use crate::mailbox::store::ItemStore;

pub async fn meeting_response(
    store: &ItemStore,
    mailbox: &str,
    request: MeetingResponse,
) -> Result<CreateItemResponse, SandboxError> {
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
    let outcome = meetings::respond(
        store,
        mailbox,
        &request.reference_item_id.id,
        answer,
        Utc::now(),
    )
    .await?;
    let result = match outcome {
        RespondOutcome::Done => Ok(Vec::new()),
        RespondOutcome::NotFound => Err(item_not_found()),
        RespondOutcome::NotAMeeting => Err(ResponseError::new(
            "ErrorItemNotFound",
            "The referenced item is not a meeting.",
        )),
        RespondOutcome::IsOrganizer => Err(ResponseError::new(
            organizer_code,
            "The organizer cannot respond to their own meeting.",
        )),
        RespondOutcome::Cancelled => Err(ResponseError::new(
            "ErrorMeetingRequestIsOutOfDate",
            "The meeting has been cancelled.",
        )),
    };
    Ok(CreateItemResponse::new(vec![result]))
}
