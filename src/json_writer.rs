//! Rust values as JSON text, written straight into a `String`: a serde `Serializer` with
//! serde_json's output for the shapes the widget sends and stores (structs and maps as
//! objects, `None` and unit as `null`, unit variants as their name, other variants as a
//! one-key object). Writing text costs the wasm less than building a JS object through
//! wasm-bindgen call by call and then stringifying it; a JS object, where one is wanted (an
//! event's `detail`), is this text through `JSON.parse`.
//!
//! Floats are refused rather than printed: nothing the widget sends holds one, and printing
//! them would bring Rust's float formatting (some 10 KB gzip) into the wasm.

use serde::ser::{self, Serialize};
use std::fmt::{self, Display, Write as _};

/// `value` as JSON text.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    let mut writer = JsonWriter { out: String::new() };
    value.serialize(&mut writer)?;
    Ok(writer.out)
}

/// Why a value has no JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: Display>(message: T) -> Self {
        Error(message.to_string())
    }
}

struct JsonWriter {
    out: String,
}

impl JsonWriter {
    /// `text` as a JSON string: quotes, backslashes and control characters escaped, the rest
    /// as is.
    fn string(&mut self, text: &str) {
        let out = &mut self.out;
        out.push('"');
        let mut rest = text;
        while let Some(at) = rest.find(|c: char| c == '"' || c == '\\' || c < ' ') {
            out.push_str(&rest[..at]);
            // Every character looked for is ASCII: one byte.
            match char::from(rest.as_bytes()[at]) {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                other => {
                    let _ = write!(out, "\\u{:04x}", other as u32);
                }
            }
            rest = &rest[at + 1..];
        }
        out.push_str(rest);
        out.push('"');
    }

    /// Starts an object or an array: `open` now, `close` when it ends.
    fn compound(&mut self, open: &str, close: &'static str) -> Compound<'_> {
        self.out.push_str(open);
        Compound {
            writer: self,
            first: true,
            close,
        }
    }

    /// `{"variant":` and a compound, closed by `close` (which also closes the outer object).
    fn variant_compound(&mut self, variant: &str, open: &str, close: &'static str) -> Compound<'_> {
        self.out.push('{');
        self.string(variant);
        self.out.push(':');
        self.compound(open, close)
    }

    fn integer(&mut self, digits: impl Display) {
        // Integer formatting only: core's, already in the wasm for other reasons.
        let _ = write!(self.out, "{digits}");
    }
}

/// An object or array being written: whether a comma comes before the next entry.
pub struct Compound<'a> {
    writer: &'a mut JsonWriter,
    first: bool,
    /// The closing text: `}`, `]`, or `]}` / `}}` for a variant's payload.
    close: &'static str,
}

impl Compound<'_> {
    fn comma(&mut self) {
        if !self.first {
            self.writer.out.push(',');
        }
        self.first = false;
    }

    fn key(&mut self, key: &str) {
        self.comma();
        self.writer.string(key);
        self.writer.out.push(':');
    }

    fn close(self) -> Result<(), Error> {
        self.writer.out.push_str(self.close);
        Ok(())
    }
}

/// Every integer is written as its digits, widened first so that the digits are written by
/// two functions, not eight.
macro_rules! widened_integers {
    ($($wide:ty: $($method:ident($type:ty)),*;)*) => {$($(
        fn $method(self, v: $type) -> Result<(), Error> {
            self.integer(<$wide>::from(v));
            Ok(())
        }
    )*)*};
}

impl<'a> ser::Serializer for &'a mut JsonWriter {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.out.push_str(if v { "true" } else { "false" });
        Ok(())
    }
    widened_integers!(
        i64: serialize_i8(i8), serialize_i16(i16), serialize_i32(i32), serialize_i64(i64);
        u64: serialize_u8(u8), serialize_u16(u16), serialize_u32(u32), serialize_u64(u64);
    );
    fn serialize_f32(self, _: f32) -> Result<(), Error> {
        Err(no_floats())
    }
    fn serialize_f64(self, _: f64) -> Result<(), Error> {
        Err(no_floats())
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.string(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        let mut seq = ser::Serializer::serialize_seq(self, Some(v.len()))?;
        for byte in v {
            ser::SerializeSeq::serialize_element(&mut seq, byte)?;
        }
        ser::SerializeSeq::end(seq)
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.out.push_str("null");
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.string(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.out.push('{');
        self.string(variant);
        self.out.push(':');
        value.serialize(&mut *self)?;
        self.out.push('}');
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'a>, Error> {
        Ok(self.compound("[", "]"))
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Compound<'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a>, Error> {
        Ok(self.variant_compound(variant, "[", "]}"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'a>, Error> {
        Ok(self.compound("{", "}"))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<'a>, Error> {
        self.serialize_map(None)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a>, Error> {
        Ok(self.variant_compound(variant, "{", "}}"))
    }
}

fn no_floats() -> Error {
    Error("a floating-point number has no JSON form here".to_owned())
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.comma();
        value.serialize(&mut *self.writer)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.comma();
        // JSON keys are strings: a key that is not written as one is refused.
        let at = self.writer.out.len();
        key.serialize(&mut *self.writer)?;
        if !self.writer.out[at..].starts_with('"') {
            return Err(Error("a map key must be a string".to_owned()));
        }
        self.writer.out.push(':');
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut *self.writer)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.key(key);
        value.serialize(&mut *self.writer)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

/// Tuples are written as arrays, element by element like a sequence; a struct variant's
/// fields like a struct's.
macro_rules! forwarded {
    ($($trait:ident::$method:ident($($arg:ident: $type:ty),*) => $target:ident::$target_method:ident),*) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, $($arg: $type,)* value: &T) -> Result<(), Error> {
                ser::$target::$target_method(self, $($arg,)* value)
            }
            fn end(self) -> Result<(), Error> {
                self.close()
            }
        }
    )*};
}
forwarded!(
    SerializeTuple::serialize_element() => SerializeSeq::serialize_element,
    SerializeTupleStruct::serialize_field() => SerializeSeq::serialize_element,
    SerializeTupleVariant::serialize_field() => SerializeSeq::serialize_element,
    SerializeStructVariant::serialize_field(key: &'static str) => SerializeStruct::serialize_field
);
