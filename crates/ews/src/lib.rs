//! EWS (Exchange Web Services) SOAP codec: typed request builders, streaming response
//! parsers, and with the `server` feature the server side (request parser, response and fault
//! writers) that the sandbox mailbox uses; a client builds without it.
//!
//! * Requests are written with quick-xml's `Writer`; every user string is escaped, and
//!   characters XML 1.0 cannot carry are refused ([`EwsError::InvalidText`]). Elements
//!   follow the `xs:sequence` order of Microsoft's types.xsd / messages.xsd.
//! * Responses are parsed with a namespace-resolving pull parser: any prefixes or default
//!   namespaces, unknown elements/attributes ignored, no DTD, no entities beyond XML's
//!   five + character references, a size limit ([`ParseLimits`], 32 MiB by default), and
//!   errors that name the element path. It never panics.
//! * SOAP faults become [`EwsError::Fault`] (with `response_code` such as
//!   `ErrorSchemaValidation`/`ErrorServerBusy` and `back_off_milliseconds`). Per-message
//!   errors (`ResponseClass="Error"`) stay in each response's `responses` list as
//!   `Err(ResponseError)`, so mixed success/error batches keep every result.
//! * Every public type is serde (camelCase JSON); see [`cli`] for `ews decode`/`ews encode`.
//!
//! ```ignore
//! use ews::operations::{create_item::*, find_item::*, get_item::*};
//! use ews::types::*;
//! use ews::{RequestHeaders, EwsError};
//!
//! // Headers: Exchange2016 by default; impersonation for the service-account mode
//! // (then also send HTTP `X-AnchorMailbox: headers.anchor_mailbox()`).
//! let headers = RequestHeaders::default()
//!     .impersonate("alice@example.com")
//!     .with_time_zone("Romance Standard Time");
//!
//! // CreateItem (calendar), stamped with a client request id for idempotent retries.
//! let item = CalendarItem {
//!     subject: Some("Project sync".into()),
//!     body: Some(Body::html("<p>Agenda</p>")),
//!     start: Some("2025-03-10T09:00:00Z".parse().unwrap()),
//!     end: Some("2025-03-10T10:00:00Z".parse().unwrap()),
//!     location: Some("Room 4.12".into()),
//!     required_attendees: vec![Attendee::new("bob@example.com")],
//!     start_time_zone: Some(TimeZoneRef::id("Romance Standard Time")),
//!     extended_properties: vec![ExtendedProperty::client_request_id("0b6f...")],
//!     ..Default::default()
//! };
//! let xml: String = CreateItem::calendar_item(item, SendMeetingInvitations::SendToAllAndSaveCopy)
//!     .to_envelope(&headers)?;
//! // POST xml; on HTTP 200 or 500 parse the body:
//! let created: Item = CreateItemResponse::parse_response(&body_bytes)?.into_single()?;
//! let id: &ItemId = created.item_id().unwrap();
//!
//! // Unknown outcome (timeout)? Look for the stamp before retrying:
//! let find = FindItem::by_client_request_id(FolderId::calendar(), "0b6f...");
//!
//! // Calendar view with paging information:
//! let req = FindItem::calendar_view(start, end, Some(500), ItemShape::default());
//! let page = FindItemResponse::parse_response(&bytes)?.into_single()?;
//! // page.items, page.includes_last_item_in_range, page.total_items_in_view
//!
//! // Errors: EwsError::Fault { response_code: Some("ErrorServerBusy"), back_off_milliseconds, .. }
//! // or EwsError::Response(ResponseError { response_code, message_text, back_off_milliseconds, .. });
//! // `err.is_server_busy()`, `err.back_off_milliseconds()` work on both.
//!
//! // Server side (feature `server`): ews::server::parse_request(&bytes)? -> ParsedRequest { headers, request }
//! // and XxxResponse::new(results).to_envelope(), ews::server::fault_envelope(&spec).
//! ```

// EwsError carries the whole SOAP fault / response error so callers can act on it; errors
// are the rare path, so its size is accepted.
#![allow(clippy::result_large_err)]

pub mod autodiscover;
pub mod cli;
pub mod error;
pub mod operations;
pub mod response;
#[cfg(feature = "server")]
pub mod server;
pub mod soap;
pub mod time_zone;
pub mod types;
pub(crate) mod xml;

pub use error::{EwsError, ParseLimits};
pub use response::{
    GenericResponse, MessageResult, MessageXmlValue, ResponseError, parse_generic_response,
};
pub use soap::{ConnectingSid, RequestHeaders, ServerVersionInfo};
