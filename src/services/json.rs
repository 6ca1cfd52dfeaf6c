//! JSON text: written from Rust types by [`crate::json_writer`], read through the browser's own
//! `JSON.parse` and [`crate::decode`]: the wasm carries no JSON parser of its own (serde_json's
//! made up a tenth of the bundle).

use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::decode::FromJs;

/// `value` as JSON text; maps become objects and `None` becomes `null`, as serde_json does.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, String> {
    crate::json_writer::to_string(value).map_err(|e| e.to_string())
}

/// Parses JSON `text` into `T`.
pub fn from_str<T: FromJs>(text: &str) -> Result<T, String> {
    T::from_js(&parse(text)?).map_err(|e| e.to_string())
}

/// Parses JSON `text` into a JS value.
pub fn parse(text: &str) -> Result<JsValue, String> {
    js_sys::JSON::parse(text).map_err(js_message)
}

fn js_message(error: JsValue) -> String {
    js_sys::Reflect::get(&error, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| "not JSON".to_owned())
}
