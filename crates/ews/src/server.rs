//! Server side (feature `server`; the sandbox mailbox): parse any supported request, write Exchange-shaped
//! responses and SOAP faults.
//!
//! ```ignore
//! let parsed = ews::server::parse_request(&body)?;          // Err -> answer with a fault
//! match parsed.request {
//!     ews::server::Request::GetItem(req) => {
//!         let resp = ews::operations::get_item::GetItemResponse::new(vec![
//!             Err(ews::ResponseError::new("ErrorItemNotFound", "The specified object was not found in the store.")),
//!         ]);
//!         resp.to_envelope()?   // HTTP 200, text/xml; charset=utf-8
//!     }
//!     _ => ews::server::fault_envelope(&ews::server::FaultSpec { .. })?,  // HTTP 500
//! }
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{EwsError, ParseLimits};
use crate::operations::cancel_calendar_item::CancelCalendarItem;
use crate::operations::create_item::CreateItem;
use crate::operations::delete_item::DeleteItem;
use crate::operations::find_item::FindItem;
use crate::operations::get_folder::GetFolder;
use crate::operations::get_item::GetItem;
use crate::operations::get_room_lists::GetRoomLists;
use crate::operations::get_rooms::GetRooms;
use crate::operations::get_user_availability::GetUserAvailability;
use crate::operations::meeting_response::MeetingResponse;
use crate::operations::resolve_names::ResolveNames;
use crate::operations::update_item::UpdateItem;
pub use crate::soap::{FaultSpec, fault_envelope};
use crate::soap::{RequestHeaders, read_envelope};
use crate::xml::Ns;

/// Any request this crate understands. A CreateItem that carries exactly one meeting
/// response (Accept/TentativelyAccept/Decline) or CancelCalendarItem object is reported
/// as [`Request::MeetingResponse`] / [`Request::CancelCalendarItem`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "operation", content = "request")]
pub enum Request {
    CreateItem(CreateItem),
    GetItem(GetItem),
    FindItem(FindItem),
    GetFolder(GetFolder),
    UpdateItem(UpdateItem),
    DeleteItem(DeleteItem),
    MeetingResponse(MeetingResponse),
    CancelCalendarItem(CancelCalendarItem),
    GetRoomLists(GetRoomLists),
    GetRooms(GetRooms),
    ResolveNames(ResolveNames),
    GetUserAvailability(GetUserAvailability),
}

impl Request {
    /// Operation name (`CreateItem`, ...; `MeetingResponse` and `CancelCalendarItem` travel as CreateItem).
    pub fn operation(&self) -> &'static str {
        match self {
            Request::CreateItem(_) => "CreateItem",
            Request::GetItem(_) => "GetItem",
            Request::FindItem(_) => "FindItem",
            Request::GetFolder(_) => "GetFolder",
            Request::UpdateItem(_) => "UpdateItem",
            Request::DeleteItem(_) => "DeleteItem",
            Request::MeetingResponse(_) => "MeetingResponse",
            Request::CancelCalendarItem(_) => "CancelCalendarItem",
            Request::GetRoomLists(_) => "GetRoomLists",
            Request::GetRooms(_) => "GetRooms",
            Request::ResolveNames(_) => "ResolveNames",
            Request::GetUserAvailability(_) => "GetUserAvailability",
        }
    }

    /// Request envelope for this request.
    pub fn to_envelope(&self, headers: &RequestHeaders) -> Result<String, EwsError> {
        match self {
            Request::CreateItem(r) => r.to_envelope(headers),
            Request::GetItem(r) => r.to_envelope(headers),
            Request::FindItem(r) => r.to_envelope(headers),
            Request::GetFolder(r) => r.to_envelope(headers),
            Request::UpdateItem(r) => r.to_envelope(headers),
            Request::DeleteItem(r) => r.to_envelope(headers),
            Request::MeetingResponse(r) => r.to_envelope(headers),
            Request::CancelCalendarItem(r) => r.to_envelope(headers),
            Request::GetRoomLists(r) => r.to_envelope(headers),
            Request::GetRooms(r) => r.to_envelope(headers),
            Request::ResolveNames(r) => r.to_envelope(headers),
            Request::GetUserAvailability(r) => r.to_envelope(headers),
        }
    }
}

/// A parsed request with its SOAP headers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParsedRequest {
    pub headers: RequestHeaders,
    /// Whether the request carried `t:RequestServerVersion` (Exchange requires it for
    /// Exchange2010+ features; the sandbox may fault without it).
    pub has_request_server_version: bool,
    pub request: Request,
}

/// Parses a request envelope (default limits).
pub fn parse_request(bytes: &[u8]) -> Result<ParsedRequest, EwsError> {
    parse_request_with(bytes, &ParseLimits::default())
}

pub fn parse_request_with(bytes: &[u8], limits: &ParseLimits) -> Result<ParsedRequest, EwsError> {
    let (request, info) = read_envelope(bytes, limits, |r, e, _| {
        if e.ns != Ns::Messages {
            return Err(r.err(format!(
                "body element '{}' is not in the EWS messages namespace",
                e.local_str()
            )));
        }
        Ok(match e.local() {
            b"CreateItem" => {
                let c = CreateItem::read_body(r, e)?;
                if let Some(m) = MeetingResponse::from_create_item(&c) {
                    Request::MeetingResponse(m)
                } else if let Some(x) = CancelCalendarItem::from_create_item(&c) {
                    Request::CancelCalendarItem(x)
                } else {
                    Request::CreateItem(c)
                }
            }
            b"GetItem" => Request::GetItem(GetItem::read_body(r, e)?),
            b"FindItem" => Request::FindItem(FindItem::read_body(r, e)?),
            b"GetFolder" => Request::GetFolder(GetFolder::read_body(r, e)?),
            b"UpdateItem" => Request::UpdateItem(UpdateItem::read_body(r, e)?),
            b"DeleteItem" => Request::DeleteItem(DeleteItem::read_body(r, e)?),
            b"GetRoomLists" => Request::GetRoomLists(GetRoomLists::read_body(r, e)?),
            b"GetRooms" => Request::GetRooms(GetRooms::read_body(r, e)?),
            b"ResolveNames" => Request::ResolveNames(ResolveNames::read_body(r, e)?),
            b"GetUserAvailabilityRequest" => {
                Request::GetUserAvailability(GetUserAvailability::read_body(r, e)?)
            }
            _ => return Err(EwsError::UnsupportedOperation(e.local_str())),
        })
    })?;
    Ok(ParsedRequest {
        headers: info.request,
        has_request_server_version: info.saw_request_version,
        request,
    })
}

/// The fault Exchange sends for a request that fails schema validation.
pub fn schema_validation_fault(message: impl Into<String>) -> FaultSpec {
    FaultSpec {
        response_code: "ErrorSchemaValidation".into(),
        message: format!("The request failed schema validation: {}", message.into()),
        back_off_milliseconds: None,
        line: None,
        position: None,
    }
}

/// The fault Exchange sends when throttled (HTTP 500, ErrorServerBusy + BackOffMilliseconds).
pub fn server_busy_fault(back_off_ms: u64) -> FaultSpec {
    FaultSpec {
        response_code: "ErrorServerBusy".into(),
        message: "The server cannot service this request right now. Try again later.".into(),
        back_off_milliseconds: Some(back_off_ms),
        line: None,
        position: None,
    }
}
