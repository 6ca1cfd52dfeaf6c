//! Whatever response our parser accepts, the sandbox's writer must turn back into an
//! envelope that parses to the same value: parse(write(parse(bytes))) == parse(bytes).
//! A mismatch means a field the parser reads but the writer drops or alters (escaping, line
//! ends, CDATA, non-ASCII), i.e. a value that would not survive the sandbox or the proxy.
//! Values are compared as JSON, so a NaN percentage compares equal to itself. One deliberate
//! normalisation is allowed: the writer always emits `DescriptiveLinkKey` (0 when the parsed
//! error had none), as Exchange does.
#![no_main]

use ews::operations::{
    create_item::CreateItemResponse, delete_item::DeleteItemResponse, find_item::FindItemResponse,
    get_item::GetItemResponse, get_room_lists::GetRoomListsResponse, get_rooms::GetRoomsResponse,
    get_user_availability::GetUserAvailabilityResponse, resolve_names::ResolveNamesResponse,
    update_item::UpdateItemResponse,
};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// JSON of a parsed response, with the writer's deliberate normalisations applied.
fn normalized(value: &impl serde::Serialize) -> Option<Value> {
    fn walk(value: &mut Value) {
        match value {
            Value::Object(map) => {
                if map.contains_key("responseCode") && map.contains_key("responseClass") {
                    map.entry("descriptiveLinkKey").or_insert(Value::from(0));
                }
                map.values_mut().for_each(walk);
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(value).ok()?;
    walk(&mut value);
    Some(value)
}

macro_rules! round_trip {
    ($data:expr, $($response:ty),+ $(,)?) => {$(
        if let Ok(parsed) = <$response>::parse_response($data) {
            // The writer may refuse a value (e.g. a control character XML 1.0 cannot carry);
            // what it writes must read back the same.
            if let Ok(xml) = parsed.to_envelope() {
                let again = <$response>::parse_response(xml.as_bytes()).unwrap_or_else(|error| {
                    panic!("our own {} does not parse: {error}\n{xml}", stringify!($response))
                });
                assert_eq!(
                    normalized(&parsed),
                    normalized(&again),
                    "{} changed in a write/read round trip; written:\n{xml}",
                    stringify!($response)
                );
            }
        }
    )+};
}

fuzz_target!(|data: &[u8]| {
    round_trip!(
        data,
        CreateItemResponse,
        DeleteItemResponse,
        FindItemResponse,
        GetItemResponse,
        GetRoomListsResponse,
        GetRoomsResponse,
        GetUserAvailabilityResponse,
        ResolveNamesResponse,
        UpdateItemResponse,
    );
});
