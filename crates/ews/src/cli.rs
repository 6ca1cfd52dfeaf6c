//! Helpers for the proxy's `ews decode FILE` / `ews encode OPERATION FILE.json` commands.

use serde_json::{Value, json};

use crate::error::{EwsError, ParseLimits};
use crate::operations::create_item::{CreateItem, CreateItemResponse};
use crate::operations::find_item::{FindItem, FindItemResponse};
use crate::operations::get_item::{GetItem, GetItemResponse};
use crate::response::MessageResult;
use crate::soap::RequestHeaders;
use crate::xml::Ns;

fn split<T: serde::Serialize>(results: &[MessageResult<T>], flatten: bool) -> (Vec<Value>, Vec<Value>) {
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for (i, r) in results.iter().enumerate() {
        match r {
            Ok(v) => {
                let v = serde_json::to_value(v).unwrap_or(Value::Null);
                match (flatten, v) {
                    (true, Value::Array(a)) => items.extend(a),
                    (_, v) => items.push(v),
                }
            }
            Err(e) => {
                let mut v = serde_json::to_value(e).unwrap_or(Value::Null);
                if let Value::Object(m) = &mut v {
                    m.insert("index".into(), json!(i));
                }
                errors.push(v);
            }
        }
    }
    (items, errors)
}

/// Detects the operation from the soap:Body element and returns
/// `{ "operation": "...", "items": [...], "errors": [...] }` (plus paging fields for
/// FindItem). A SOAP fault is returned as `Err(EwsError::Fault{..})`.
pub fn decode_response(bytes: &[u8]) -> Result<Value, EwsError> {
    let op = detect_body(bytes)?;
    let out = match op.as_str() {
        "CreateItemResponse" => {
            let r = CreateItemResponse::parse_response(bytes)?;
            let (items, errors) = split(&r.responses, true);
            json!({"operation": "CreateItem", "items": items, "errors": errors, "serverVersionInfo": r.server_version_info})
        }
        "GetItemResponse" => {
            let r = GetItemResponse::parse_response(bytes)?;
            let (items, errors) = split(&r.responses, true);
            json!({"operation": "GetItem", "items": items, "errors": errors, "serverVersionInfo": r.server_version_info})
        }
        "FindItemResponse" => {
            let r = FindItemResponse::parse_response(bytes)?;
            let mut items = Vec::new();
            let mut folders = Vec::new();
            let mut errors = Vec::new();
            for (i, m) in r.responses.iter().enumerate() {
                match m {
                    Ok(f) => {
                        items.extend(f.items.iter().map(|x| serde_json::to_value(x).unwrap_or(Value::Null)));
                        folders.push(json!({
                            "totalItemsInView": f.total_items_in_view,
                            "includesLastItemInRange": f.includes_last_item_in_range,
                            "indexedPagingOffset": f.indexed_paging_offset,
                        }));
                    }
                    Err(e) => {
                        let mut v = serde_json::to_value(e).unwrap_or(Value::Null);
                        if let Value::Object(o) = &mut v {
                            o.insert("index".into(), json!(i));
                        }
                        errors.push(v);
                    }
                }
            }
            json!({"operation": "FindItem", "items": items, "errors": errors, "folders": folders, "serverVersionInfo": r.server_version_info})
        }
        other => return Err(EwsError::UnsupportedOperation(other.to_string())),
    };
    Ok(out)
}

/// Name of the soap:Body child (or a Fault error).
fn detect_body(bytes: &[u8]) -> Result<String, EwsError> {
    let (name, _) = crate::soap::read_envelope(bytes, &ParseLimits::default(), |r, e, _| {
        let n = if e.ns == Ns::Messages { e.local_str() } else { format!("{{non-EWS}}{}", e.local_str()) };
        r.skip()?;
        Ok(n)
    })?;
    Ok(name)
}

/// Builds the SOAP request for `operation` from our JSON model (the request struct's
/// camelCase JSON; an optional top-level `"headers"` object holds [`RequestHeaders`]).
pub fn encode_request(operation: &str, json_text: &str) -> Result<String, EwsError> {
    let jerr = |m: String| EwsError::Json { operation: operation.to_string(), message: m };
    let mut v: Value = serde_json::from_str(json_text).map_err(|e| jerr(e.to_string()))?;
    let headers: RequestHeaders = match v.as_object_mut().and_then(|o| o.remove("headers")) {
        Some(h) => serde_json::from_value(h).map_err(|e| jerr(format!("headers: {e}")))?,
        None => RequestHeaders::default(),
    };
    fn from<T: serde::de::DeserializeOwned>(v: Value, jerr: impl Fn(String) -> EwsError) -> Result<T, EwsError> {
        serde_json::from_value(v).map_err(|e| jerr(e.to_string()))
    }
    match operation {
        "CreateItem" => from::<CreateItem>(v, jerr)?.to_envelope(&headers),
        "GetItem" => from::<GetItem>(v, jerr)?.to_envelope(&headers),
        "FindItem" => from::<FindItem>(v, jerr)?.to_envelope(&headers),
        other => Err(EwsError::UnsupportedOperation(format!(
            "{other} (supported: {})",
            SUPPORTED_OPERATIONS.join(", ")
        ))),
    }
}

/// Operations `encode_request` accepts.
pub const SUPPORTED_OPERATIONS: &[&str] = &["CreateItem", "GetItem", "FindItem"];
