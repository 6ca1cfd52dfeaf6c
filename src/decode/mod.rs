//! Reading the JS values the browser parsed (`JSON.parse`, `sessionStorage`, `mount()`'s
//! options) into Rust types, field by field.
//!
//! Not serde: a derived `Deserialize` carries a visitor per struct, and a deserializer
//! instantiated for each of them (24 copies of `deserialize_struct` in the widget), which made
//! up an eighth of the wasm. Here a struct is a list of [`Fields::get`] calls and the generic
//! part is only the thin wrappers per field type; the messages keep serde's wording
//! ("missing field `id`", "invalid type: boolean `false`, expected a string"), prefixed with
//! where the value was.
//!
//! Names are the JSON names of the API types' serde attributes; the round trips in
//! `tests/decode.rs` (serde writes, this reads) keep the two in step.

mod directory_types;
mod model_types;
mod state_types;

use std::fmt;

use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

/// Why a value could not be read: serde's wording, with the path to the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError(String);

impl DecodeError {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }

    /// A value of the wrong JS type where `expected` belongs.
    pub fn invalid_type(value: &JsValue, expected: &str) -> Self {
        Self(format!(
            "invalid type: {}, expected {expected}",
            describe(value)
        ))
    }

    /// The same error, found in field or element `name` of the value being read.
    fn within(self, name: &str) -> Self {
        Self(format!("{name}: {}", self.0))
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub type Decoded<T> = Result<T, DecodeError>;

/// A type read from a JS value.
pub trait FromJs: Sized {
    fn from_js(value: &JsValue) -> Decoded<Self>;
}

/// Reads `value` as `T`.
pub fn from_js<T: FromJs>(value: &JsValue) -> Decoded<T> {
    T::from_js(value)
}

/// The fields of a JS object (not an array, not null).
pub struct Fields(JsValue);

impl Fields {
    pub fn of(value: &JsValue) -> Decoded<Self> {
        if is_object(value) {
            Ok(Self(value.clone()))
        } else {
            Err(DecodeError::invalid_type(value, "a map"))
        }
    }

    /// The field as the browser holds it: `undefined` when absent.
    pub fn raw(&self, name: &str) -> JsValue {
        js_sys::Reflect::get(&self.0, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
    }

    /// A field that must be there.
    pub fn get<T: FromJs>(&self, name: &str) -> Decoded<T> {
        let value = self.raw(name);
        if value.is_undefined() {
            return Err(missing(name));
        }
        T::from_js(&value).map_err(|e| e.within(name))
    }

    /// A field that may be absent (or `null`).
    pub fn opt<T: FromJs>(&self, name: &str) -> Decoded<Option<T>> {
        let value = self.raw(name);
        if value.is_null() || value.is_undefined() {
            return Ok(None);
        }
        T::from_js(&value).map(Some).map_err(|e| e.within(name))
    }

    /// A field whose absence means its type's default (serde's `#[serde(default)]`).
    pub fn or_default<T: FromJs + Default>(&self, name: &str) -> Decoded<T> {
        self.opt(name).map(Option::unwrap_or_default)
    }

    /// Reads field `name` into `slot` when it is there (not absent, not `null`); leaves
    /// `slot` as it is otherwise. For structs built from their `Default`: one value to drop
    /// when a field is bad, rather than every field read before it (smaller code).
    pub fn read<T: FromJs>(&self, name: &str, slot: &mut T) -> Decoded<()> {
        if let Some(value) = self.present(name) {
            *slot = T::from_js(&value).map_err(|e| e.within(name))?;
        }
        Ok(())
    }

    /// [`Fields::read`] of a field that must be there.
    pub fn require<T: FromJs>(&self, name: &str, slot: &mut T) -> Decoded<()> {
        let value = self.raw(name);
        if value.is_undefined() {
            return Err(missing(name));
        }
        *slot = T::from_js(&value).map_err(|e| e.within(name))?;
        Ok(())
    }

    fn present(&self, name: &str) -> Option<JsValue> {
        let value = self.raw(name);
        (!value.is_null() && !value.is_undefined()).then_some(value)
    }

    /// The object's fields in their order, each read as `T`: a map of names to values.
    pub fn entries<T: FromJs>(&self) -> Decoded<Vec<(String, T)>> {
        let mut entries = Vec::new();
        for name in self.names() {
            let value = self.get(&name)?;
            entries.push((name, value));
        }
        Ok(entries)
    }

    /// The names of the object's own fields.
    pub fn names(&self) -> Vec<String> {
        js_sys::Object::keys(self.0.unchecked_ref::<js_sys::Object>())
            .iter()
            .filter_map(|name| name.as_string())
            .collect()
    }
}

/// Fails on the first of `names` that is not `known`, in serde's words: a misspelt key is an
/// error rather than silently ignored.
pub fn refuse_unknown(names: Vec<String>, known: &[&str]) -> Decoded<()> {
    match names
        .into_iter()
        .find(|name| !known.contains(&name.as_str()))
    {
        Some(unknown) => Err(DecodeError(format!(
            "unknown field `{unknown}`, expected one of `{}`",
            known.join("`, `")
        ))),
        None => Ok(()),
    }
}

fn missing(name: &str) -> DecodeError {
    DecodeError(format!("missing field `{name}`"))
}

fn is_object(value: &JsValue) -> bool {
    value.is_object() && !js_sys::Array::is_array(value)
}

/// An externally tagged enum as serde writes it: `"name"` for a variant without data,
/// `{"name": data}` for one with; the name and the data (`undefined` for none).
pub fn tagged(value: &JsValue) -> Decoded<(String, JsValue)> {
    if let Some(name) = value.as_string() {
        return Ok((name, JsValue::UNDEFINED));
    }
    let fields = Fields::of(value)?;
    match <[String; 1]>::try_from(fields.names()) {
        Ok([name]) => {
            let data = fields.raw(&name);
            Ok((name, data))
        }
        _ => Err(DecodeError::new(
            "invalid type: map, expected an enum: one name, or a map of one name to its data",
        )),
    }
}

/// `name` was not one of the enum's variants.
pub fn unknown_variant(name: &str) -> DecodeError {
    DecodeError(format!("unknown variant `{name}`"))
}

/// One of `all`, a fieldless enum's variants, by the name serde gives it: the names are not
/// written twice (serde's attributes on the type stay the one place).
pub fn variant<T: Serialize + Copy>(value: &JsValue, all: &[T]) -> Decoded<T> {
    let name = variant_name(value)?;
    for candidate in all {
        if serde_name(candidate) == name {
            return Ok(*candidate);
        }
    }
    Err(unknown_variant(&name))
}

/// The text of a fieldless enum's value: kept out of the generic [`variant`], which each enum
/// compiles again.
fn variant_name(value: &JsValue) -> Decoded<String> {
    value
        .as_string()
        .ok_or_else(|| DecodeError::invalid_type(value, "a string"))
}

/// The name serde gives `value` (empty if it has none).
fn serde_name(value: &impl Serialize) -> String {
    let text = crate::json_writer::to_string(value).unwrap_or_default();
    text.trim_matches('"').to_owned()
}

/// serde's words for what a JS value is (numbers are JS numbers: serde calls them floating
/// point, and writes a whole one with `.0`).
fn describe(value: &JsValue) -> String {
    if let Some(flag) = value.as_bool() {
        format!("boolean `{flag}`")
    } else if let Some(number) = value.as_f64() {
        let mut text: String = value
            .unchecked_ref::<js_sys::Number>()
            .to_string_with_radix(10)
            .map(String::from)
            .unwrap_or_default();
        if number.is_finite() && !text.contains('.') {
            text.push_str(".0");
        }
        format!("floating point `{text}`")
    } else if value.is_string() {
        let quoted = js_sys::JSON::stringify(value)
            .ok()
            .and_then(|text| text.as_string())
            .unwrap_or_default();
        format!("string {quoted}")
    } else if value.is_null() || value.is_undefined() {
        "unit value".to_owned()
    } else if js_sys::Array::is_array(value) {
        "sequence".to_owned()
    } else {
        "map".to_owned()
    }
}

impl FromJs for String {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        value
            .as_string()
            .ok_or_else(|| DecodeError::invalid_type(value, "a string"))
    }
}

impl FromJs for bool {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        value
            .as_bool()
            .ok_or_else(|| DecodeError::invalid_type(value, "a boolean"))
    }
}

impl FromJs for u32 {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        whole_number(value, u32::MAX).ok_or_else(|| DecodeError::invalid_type(value, "u32"))
    }
}

impl FromJs for u8 {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        whole_number(value, u8::MAX.into())
            .and_then(|n| u8::try_from(n).ok())
            .ok_or_else(|| DecodeError::invalid_type(value, "u8"))
    }
}

/// A JS number that is a whole number from 0 to `max`.
fn whole_number(value: &JsValue, max: u32) -> Option<u32> {
    let number = value.as_f64()?;
    let whole = number.fract() == 0.0 && (0.0..=f64::from(max)).contains(&number);
    whole.then_some(number as u32)
}

/// Kept as the browser parsed it.
impl FromJs for JsValue {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        Ok(value.clone())
    }
}

impl<T: FromJs> FromJs for Option<T> {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        if value.is_null() || value.is_undefined() {
            Ok(None)
        } else {
            T::from_js(value).map(Some)
        }
    }
}

impl<T: FromJs> FromJs for Vec<T> {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        if !js_sys::Array::is_array(value) {
            return Err(DecodeError::invalid_type(value, "a sequence"));
        }
        // A plain loop: the iterator chain it replaces (enumerate, map, collect into a
        // Result) was instantiated for each element type, 0.5 KB each.
        let array = value.unchecked_ref::<js_sys::Array>();
        let mut items = Vec::new();
        for index in 0..array.length() {
            match T::from_js(&array.get(index)) {
                Ok(item) => items.push(item),
                Err(e) => return Err(e.within(&index.to_string())),
            }
        }
        Ok(items)
    }
}
