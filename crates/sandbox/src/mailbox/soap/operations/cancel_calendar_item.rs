//! [CancelCalendarItem](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/cancelcalendaritem):
//! the organizer calls a meeting off (`meetings::cancel`); this module maps the outcome to
//! Exchange's response codes.

use chrono::Utc;
use ews::operations::cancel_calendar_item::CancelCalendarItem;
use ews::operations::create_item::CreateItemResponse;
use ews::response::ResponseError;

use super::item_not_found;
use crate::mailbox::SandboxError;
use crate::mailbox::meetings::{self, CancelOutcome};
use crate::mailbox::store::ItemStore;

pub async fn cancel_calendar_item(
    store: &ItemStore,
    mailbox: &str,
    request: CancelCalendarItem,
) -> Result<CreateItemResponse, SandboxError> {
    let reference = &request.reference_item_id;
    let outcome = meetings::cancel(
        store,
        mailbox,
        &reference.id,
        reference.change_key.as_deref(),
        Utc::now(),
    )
    .await?;
    let result = match outcome {
        CancelOutcome::Done => Ok(Vec::new()),
        CancelOutcome::NotFound => Err(item_not_found()),
        CancelOutcome::NotOrganizer => Err(ResponseError::new(
            "ErrorCalendarIsNotOrganizer",
            "Only the organizer can cancel a meeting.",
        )),
        CancelOutcome::Stale => Err(ResponseError::new(
            "ErrorIrresolvableConflict",
            "The change key passed in the request does not match the current change key for the item.",
        )),
    };
    Ok(CreateItemResponse::new(vec![result]))
}
