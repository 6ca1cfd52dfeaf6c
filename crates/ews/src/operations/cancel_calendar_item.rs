//! `CancelCalendarItem` (organizer cancels a meeting; sent with CreateItem; the response is
//! a [`CreateItemResponse`]).
//!
//! [CancelCalendarItem](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/cancelcalendaritem)

use serde::{Deserialize, Serialize};

use super::create_item::{CreateItem, CreateItemResponse};
use crate::error::EwsError;
use crate::soap::RequestHeaders;
use crate::types::{Body, Item, ItemId, MessageDisposition, ResponseObject, ResponseObjectKind};

/// Cancel a meeting and tell the attendees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelCalendarItem {
    pub reference_item_id: ItemId,
    /// Cancellation message (`t:NewBodyContent`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Body>,
    pub message_disposition: MessageDisposition,
}

impl CancelCalendarItem {
    pub fn new(reference_item_id: ItemId, body: Option<Body>) -> Self {
        CancelCalendarItem {
            reference_item_id,
            body,
            message_disposition: MessageDisposition::SendAndSaveCopy,
        }
    }

    pub fn to_create_item(&self) -> CreateItem {
        CreateItem {
            message_disposition: Some(self.message_disposition),
            send_meeting_invitations: None,
            saved_item_folder_id: None,
            items: vec![Item::ResponseObject(ResponseObject {
                kind: ResponseObjectKind::CancelCalendarItem,
                reference_item_id: Some(self.reference_item_id.clone()),
                body: self.body.clone(),
                proposed_start: None,
                proposed_end: None,
            })],
        }
    }

    /// Recognises a CreateItem that carries exactly one CancelCalendarItem object.
    #[cfg(feature = "server")]
    pub fn from_create_item(c: &CreateItem) -> Option<Self> {
        let [Item::ResponseObject(o)] = c.items.as_slice() else {
            return None;
        };
        if o.kind != ResponseObjectKind::CancelCalendarItem {
            return None;
        }
        Some(CancelCalendarItem {
            reference_item_id: o.reference_item_id.clone()?,
            body: o.body.clone(),
            message_disposition: c
                .message_disposition
                .unwrap_or(MessageDisposition::SendAndSaveCopy),
        })
    }

    pub fn to_envelope(&self, headers: &RequestHeaders) -> Result<String, EwsError> {
        self.to_create_item().to_envelope(headers)
    }

    pub fn parse_response(bytes: &[u8]) -> Result<CreateItemResponse, EwsError> {
        CreateItemResponse::parse_response(bytes)
    }
}
