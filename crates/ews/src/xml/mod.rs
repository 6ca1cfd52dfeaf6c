//! Low-level XML: reading ([`reader`]: a namespace-resolving pull parser with path tracking and
//! safety checks) and writing ([`writer`]: quick-xml's `Writer`, escaping every user string),
//! and the simple values both carry as element text or attributes ([`XmlValue`]).

use std::borrow::Cow;

mod reader;
mod writer;

pub(crate) use reader::{Elem, XmlReader};
pub(crate) use writer::XmlWriter;

pub(crate) const NS_SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub(crate) const NS_SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
pub(crate) const NS_TYPES: &str = "http://schemas.microsoft.com/exchange/services/2006/types";
pub(crate) const NS_MESSAGES: &str = "http://schemas.microsoft.com/exchange/services/2006/messages";
pub(crate) const NS_ERRORS: &str = "http://schemas.microsoft.com/exchange/services/2006/errors";

/// Namespaces we care about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ns {
    Soap,
    Types,
    Messages,
    Errors,
    /// No namespace (unqualified), e.g. `faultcode`.
    None,
    Other,
}

pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `s.trim()`, skipping the Unicode-aware search when `s` neither starts nor ends with
/// whitespace (the usual case for values: dates, numbers, booleans, enums).
#[inline]
pub(crate) fn trim_value(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// A simple value carried as element text or attribute.
pub(crate) trait XmlValue: Sized {
    fn parse_xml(s: &str) -> Result<Self, String>;
    fn to_xml(&self) -> Cow<'_, str>;
}

impl XmlValue for String {
    fn parse_xml(s: &str) -> Result<Self, String> {
        Ok(s.to_owned())
    }
    fn to_xml(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl XmlValue for bool {
    fn parse_xml(s: &str) -> Result<Self, String> {
        match trim_value(s) {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err("invalid boolean".into()),
        }
    }
    fn to_xml(&self) -> Cow<'_, str> {
        Cow::Borrowed(if *self { "true" } else { "false" })
    }
}

macro_rules! num_value {
    ($($t:ty => $name:literal),*) => {$(
        impl XmlValue for $t {
            fn parse_xml(s: &str) -> Result<Self, String> {
                let s = $crate::xml::trim_value(s);
                let s = s.strip_prefix('+').unwrap_or(s);
                s.parse::<$t>().map_err(|_| concat!("invalid ", $name).to_string())
            }
            fn to_xml(&self) -> Cow<'_, str> {
                Cow::Owned(self.to_string())
            }
        }
    )*};
}
num_value!(i32 => "int", i64 => "long", u32 => "unsigned int", u64 => "unsigned long");

impl XmlValue for f64 {
    fn parse_xml(s: &str) -> Result<Self, String> {
        let v: f64 = trim_value(s)
            .parse()
            .map_err(|_| "invalid double".to_string())?;
        if v.is_finite() {
            Ok(v)
        } else {
            Err("invalid double".into())
        }
    }
    fn to_xml(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }
}

/// Defines a string enum used in EWS (serde and XML spelling = EWS spelling).
macro_rules! str_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $var:ident = $s:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name { $($(#[$vm])* #[serde(rename = $s)] $var),* }
        impl $name {
            /// All values, in schema order.
            pub const ALL: &'static [$name] = &[$($name::$var),*];
            /// The EWS spelling.
            pub fn as_str(&self) -> &'static str { match self { $($name::$var => $s),* } }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match $crate::xml::trim_value(s) {
                    $($s => Ok($name::$var),)*
                    _ => Err(format!("invalid {}", stringify!($name))),
                }
            }
        }
        impl $crate::xml::XmlValue for $name {
            fn parse_xml(s: &str) -> Result<Self, String> { s.parse() }
            fn to_xml(&self) -> std::borrow::Cow<'_, str> { std::borrow::Cow::Borrowed(self.as_str()) }
        }
    };
}
pub(crate) use str_enum;
