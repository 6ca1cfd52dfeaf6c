//! Helpers for the proxy's `ews decode FILE` / `ews encode OPERATION FILE.json` commands.
//!
//! * `decode_response(bytes)` detects the operation from the soap:Body element and returns
//!   `{ "operation": "...", "items": [...], "errors": [...] }` (plus operation-specific
//!   fields such as `folders` paging info for FindItem). A SOAP fault or a broken document
//!   is an `Err` whose `Display` is a readable one-line message.
//! * `encode_request(operation, json)` builds the SOAP request from our JSON model: the
//!   request struct in camelCase (see each operation module), plus an optional
//!   `"headers"` object ([`RequestHeaders`], e.g. `{"serverVersion": "Exchange2013",
//!   "impersonation": {"kind": "primarySmtpAddress", "value": "a@b.c"}, "timeZone": "..."}`).

use serde_json::{Value, json};

use crate::error::{EwsError, ParseLimits};
use crate::operations::cancel_calendar_item::CancelCalendarItem;
use crate::operations::create_item::{CreateItem, CreateItemResponse};
use crate::operations::delete_item::{DeleteItem, DeleteItemResponse};
use crate::operations::find_item::{FindItem, FindItemResponse};
use crate::operations::get_item::{GetItem, GetItemResponse};
use crate::operations::get_room_lists::{GetRoomLists, GetRoomListsResponse};
use crate::operations::get_rooms::{GetRooms, GetRoomsResponse};
use crate::operations::get_user_availability::{GetUserAvailability, GetUserAvailabilityResponse};
use crate::operations::meeting_response::MeetingResponse;
use crate::operations::resolve_names::{ResolveNames, ResolveNamesResponse};
use crate::operations::update_item::{UpdateItem, UpdateItemResponse};
use crate::response::MessageResult;
use crate::soap::RequestHeaders;
use crate::xml::Ns;

fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn error_json(e: &crate::response::ResponseError, index: usize) -> Value {
    let mut v = to_json(e);
    if let Value::Object(m) = &mut v {
        m.insert("index".into(), json!(index));
    }
    v
}

/// Splits per-message results into items and errors. `items_of` turns one successful
/// message into item values.
fn split<T>(
    results: &[MessageResult<T>],
    items_of: impl Fn(&T) -> Vec<Value>,
) -> (Vec<Value>, Vec<Value>) {
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for (i, r) in results.iter().enumerate() {
        match r {
            Ok(v) => items.extend(items_of(v)),
            Err(e) => errors.push(error_json(e, i)),
        }
    }
    (items, errors)
}

/// Decodes a response document into one JSON object (see the module doc).
pub fn decode_response(bytes: &[u8]) -> Result<Value, EwsError> {
    let op = detect_body(bytes)?;
    let out = match op.as_str() {
        "CreateItemResponse" => {
            let r = CreateItemResponse::parse_response(bytes)?;
            let (items, errors) = split(&r.responses, |v| v.iter().map(to_json).collect());
            json!({"operation": "CreateItem", "items": items, "errors": errors, "serverVersionInfo": r.server_version_info})
        }
        "GetItemResponse" => {
            let r = GetItemResponse::parse_response(bytes)?;
            let (items, errors) = split(&r.responses, |v| v.iter().map(to_json).collect());
            json!({"operation": "GetItem", "items": items, "errors": errors, "serverVersionInfo": r.server_version_info})
        }
        "UpdateItemResponse" => {
            let r = UpdateItemResponse::parse_response(bytes)?;
            let (items, errors) = split(&r.responses, |v| v.items.iter().map(to_json).collect());
            let conflicts: Vec<_> = r
                .responses
                .iter()
                .map(|m| m.as_ref().ok().and_then(|v| v.conflict_count))
                .collect();
            json!({"operation": "UpdateItem", "items": items, "errors": errors, "conflictCounts": conflicts, "serverVersionInfo": r.server_version_info})
        }
        "DeleteItemResponse" => {
            let r = DeleteItemResponse::parse_response(bytes)?;
            let (items, errors) = split(&r.responses, |_| vec![json!({"deleted": true})]);
            json!({"operation": "DeleteItem", "items": items, "errors": errors, "serverVersionInfo": r.server_version_info})
        }
        "FindItemResponse" => {
            let r = FindItemResponse::parse_response(bytes)?;
            let (items, errors) = split(&r.responses, |f| f.items.iter().map(to_json).collect());
            let folders: Vec<Value> = r
                .responses
                .iter()
                .filter_map(|m| m.as_ref().ok())
                .map(|f| {
                    json!({
                        "totalItemsInView": f.total_items_in_view,
                        "includesLastItemInRange": f.includes_last_item_in_range,
                        "indexedPagingOffset": f.indexed_paging_offset,
                        "itemCount": f.items.len(),
                    })
                })
                .collect();
            json!({"operation": "FindItem", "items": items, "errors": errors, "folders": folders, "serverVersionInfo": r.server_version_info})
        }
        "GetRoomListsResponse" => {
            let r = GetRoomListsResponse::parse_response(bytes)?;
            let (items, errors) = split(std::slice::from_ref(&r.result), |v| {
                v.iter().map(to_json).collect()
            });
            json!({"operation": "GetRoomLists", "items": items, "errors": errors, "serverVersionInfo": r.server_version_info})
        }
        "GetRoomsResponse" => {
            let r = GetRoomsResponse::parse_response(bytes)?;
            let (items, errors) = split(std::slice::from_ref(&r.result), |v| {
                v.iter().map(to_json).collect()
            });
            json!({"operation": "GetRooms", "items": items, "errors": errors, "serverVersionInfo": r.server_version_info})
        }
        "ResolveNamesResponse" => {
            let r = ResolveNamesResponse::parse_response(bytes)?;
            let (items, errors) = split(&r.responses, |v| {
                v.resolutions.iter().map(to_json).collect()
            });
            let warnings: Vec<Value> = r
                .responses
                .iter()
                .filter_map(|m| m.as_ref().ok()?.warning.as_ref().map(to_json))
                .collect();
            json!({"operation": "ResolveNames", "items": items, "errors": errors, "warnings": warnings, "serverVersionInfo": r.server_version_info})
        }
        "GetUserAvailabilityResponse" => {
            let r = GetUserAvailabilityResponse::parse_response(bytes)?;
            let (items, errors) = split(&r.free_busy_responses, |v| vec![to_json(v)]);
            json!({"operation": "GetUserAvailability", "items": items, "errors": errors, "serverVersionInfo": r.server_version_info})
        }
        _ => {
            // Not modelled: keep every message's status (e.g. ErrorServerBusy + BackOffMilliseconds).
            let r = crate::response::parse_generic_response(bytes)?;
            let (items, errors) = split(&r.responses, |_| vec![json!({"responseCode": "NoError"})]);
            let op = r
                .body_element
                .strip_suffix("Response")
                .unwrap_or(&r.body_element)
                .to_string();
            json!({"operation": op, "items": items, "errors": errors, "modelled": false})
        }
    };
    Ok(out)
}

/// Name of the soap:Body child (or a Fault error).
fn detect_body(bytes: &[u8]) -> Result<String, EwsError> {
    let (name, _) = crate::soap::read_envelope(bytes, &ParseLimits::default(), |r, e, _| {
        let n = if e.ns == Ns::Messages {
            e.local_str()
        } else {
            format!("{{non-EWS namespace}}{}", e.local_str())
        };
        r.skip()?;
        Ok(n)
    })?;
    Ok(name)
}

/// Operations `encode_request` accepts.
pub const SUPPORTED_OPERATIONS: &[&str] = &[
    "CreateItem",
    "GetItem",
    "FindItem",
    "UpdateItem",
    "DeleteItem",
    "MeetingResponse",
    "CancelCalendarItem",
    "GetRoomLists",
    "GetRooms",
    "ResolveNames",
    "GetUserAvailability",
];

/// Builds the SOAP request for `operation` from our JSON model (see the module doc).
pub fn encode_request(operation: &str, json_text: &str) -> Result<String, EwsError> {
    let jerr = |m: String| EwsError::Json {
        operation: operation.to_string(),
        message: m,
    };
    let mut v: Value = serde_json::from_str(json_text).map_err(|e| jerr(e.to_string()))?;
    let headers: RequestHeaders = match v.as_object_mut().and_then(|o| o.remove("headers")) {
        Some(h) => serde_json::from_value(h).map_err(|e| jerr(format!("headers: {e}")))?,
        None => RequestHeaders::default(),
    };
    fn from<T: serde::de::DeserializeOwned>(
        v: Value,
        jerr: impl Fn(String) -> EwsError,
    ) -> Result<T, EwsError> {
        serde_json::from_value(v).map_err(|e| jerr(e.to_string()))
    }
    match operation {
        "CreateItem" => from::<CreateItem>(v, jerr)?.to_envelope(&headers),
        "GetItem" => from::<GetItem>(v, jerr)?.to_envelope(&headers),
        "FindItem" => from::<FindItem>(v, jerr)?.to_envelope(&headers),
        "UpdateItem" => from::<UpdateItem>(v, jerr)?.to_envelope(&headers),
        "DeleteItem" => from::<DeleteItem>(v, jerr)?.to_envelope(&headers),
        "MeetingResponse" | "AcceptItem" | "TentativelyAcceptItem" | "DeclineItem" => {
            from::<MeetingResponse>(v, jerr)?.to_envelope(&headers)
        }
        "CancelCalendarItem" => from::<CancelCalendarItem>(v, jerr)?.to_envelope(&headers),
        "GetRoomLists" => from::<GetRoomLists>(v, jerr)?.to_envelope(&headers),
        "GetRooms" => from::<GetRooms>(v, jerr)?.to_envelope(&headers),
        "ResolveNames" => from::<ResolveNames>(v, jerr)?.to_envelope(&headers),
        "GetUserAvailability" => from::<GetUserAvailability>(v, jerr)?.to_envelope(&headers),
        other => Err(EwsError::UnsupportedOperation(format!(
            "{other} (supported: {})",
            SUPPORTED_OPERATIONS.join(", ")
        ))),
    }
}
