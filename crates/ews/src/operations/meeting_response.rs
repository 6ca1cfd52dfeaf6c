//! Meeting responses: `AcceptItem`, `TentativelyAcceptItem`, `DeclineItem` (sent with
//! CreateItem; the response is a [`CreateItemResponse`]).
//!
//! - [AcceptItem](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/acceptitem)
//! - [TentativelyAcceptItem](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/tentativelyacceptitem)
//! - [DeclineItem](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/declineitem)

use serde::{Deserialize, Serialize};

use super::create_item::{CreateItem, CreateItemResponse};
use crate::error::EwsError;
use crate::soap::RequestHeaders;
use crate::types::{
    Body, EwsDateTime, Item, ItemId, MessageDisposition, ResponseObject, ResponseObjectKind,
};

/// Which response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MeetingResponseKind {
    Accept,
    TentativelyAccept,
    Decline,
}

impl MeetingResponseKind {
    pub fn object_kind(&self) -> ResponseObjectKind {
        match self {
            MeetingResponseKind::Accept => ResponseObjectKind::AcceptItem,
            MeetingResponseKind::TentativelyAccept => ResponseObjectKind::TentativelyAcceptItem,
            MeetingResponseKind::Decline => ResponseObjectKind::DeclineItem,
        }
    }
}

/// Accept / tentatively accept / decline a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MeetingResponse {
    pub response: MeetingResponseKind,
    /// The meeting request or calendar item.
    pub reference_item_id: ItemId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Body>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed_start: Option<EwsDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed_end: Option<EwsDateTime>,
    /// `SendAndSaveCopy` sends the response to the organizer; `SaveOnly` only updates the calendar.
    pub message_disposition: MessageDisposition,
}

impl MeetingResponse {
    pub fn new(response: MeetingResponseKind, reference_item_id: ItemId) -> Self {
        MeetingResponse {
            response,
            reference_item_id,
            body: None,
            proposed_start: None,
            proposed_end: None,
            message_disposition: MessageDisposition::SendAndSaveCopy,
        }
    }

    /// The CreateItem that carries this response.
    pub fn to_create_item(&self) -> CreateItem {
        CreateItem {
            message_disposition: Some(self.message_disposition),
            send_meeting_invitations: None,
            saved_item_folder_id: None,
            items: vec![Item::ResponseObject(ResponseObject {
                kind: self.response.object_kind(),
                reference_item_id: Some(self.reference_item_id.clone()),
                body: self.body.clone(),
                proposed_start: self.proposed_start,
                proposed_end: self.proposed_end,
            })],
        }
    }

    /// Recognises a CreateItem that carries exactly one Accept/Tentative/Decline object.
    #[cfg(feature = "server")]
    pub fn from_create_item(c: &CreateItem) -> Option<Self> {
        let [Item::ResponseObject(o)] = c.items.as_slice() else {
            return None;
        };
        let response = match o.kind {
            ResponseObjectKind::AcceptItem => MeetingResponseKind::Accept,
            ResponseObjectKind::TentativelyAcceptItem => MeetingResponseKind::TentativelyAccept,
            ResponseObjectKind::DeclineItem => MeetingResponseKind::Decline,
            ResponseObjectKind::CancelCalendarItem => return None,
        };
        Some(MeetingResponse {
            response,
            reference_item_id: o.reference_item_id.clone()?,
            body: o.body.clone(),
            proposed_start: o.proposed_start,
            proposed_end: o.proposed_end,
            message_disposition: c
                .message_disposition
                .unwrap_or(MessageDisposition::SendAndSaveCopy),
        })
    }

    pub fn to_envelope(&self, headers: &RequestHeaders) -> Result<String, EwsError> {
        self.to_create_item().to_envelope(headers)
    }

    /// The response is a CreateItem response.
    pub fn parse_response(bytes: &[u8]) -> Result<CreateItemResponse, EwsError> {
        CreateItemResponse::parse_response(bytes)
    }
}
