//! Extended (MAPI) properties and property paths (`t:FieldURI`, `t:ExtendedFieldURI`...).
//!
//! - [ExtendedProperty](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/extendedproperty)
//! - [ExtendedFieldURI](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/extendedfielduri)
//! - [FieldURI](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/fielduri)

use serde::{Deserialize, Serialize};

use super::enums::{DistinguishedPropertySet, MapiPropertyType};
use crate::error::EwsError;
use crate::xml::{Elem, XmlReader, XmlWriter};

/// The GUID of this project's named-property set (client request id etc.).
pub const EXCHANGE_FORMS_PROPERTY_SET: &str = "c11ff724-aa03-4555-9952-8fa248a11c3e";
/// Name of the named property that holds the client request id stamped on created items.
pub const CLIENT_REQUEST_ID_PROPERTY: &str = "ExchangeFormsClientRequestId";

/// `t:ExtendedFieldURI`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtendedFieldUri {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distinguished_property_set_id: Option<DistinguishedPropertySet>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property_set_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property_tag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property_id: Option<i32>,
    pub property_type: MapiPropertyType,
}

impl ExtendedFieldUri {
    /// Named string property in our GUID property set.
    pub fn named_string(name: impl Into<String>) -> Self {
        ExtendedFieldUri {
            distinguished_property_set_id: None,
            property_set_id: Some(EXCHANGE_FORMS_PROPERTY_SET.to_owned()),
            property_tag: None,
            property_name: Some(name.into()),
            property_id: None,
            property_type: MapiPropertyType::String,
        }
    }

    /// The property holding the client request id (idempotent CreateItem retries).
    pub fn client_request_id() -> Self {
        Self::named_string(CLIENT_REQUEST_ID_PROPERTY)
    }

    pub(crate) fn write(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        let id = self.property_id.map(|i| i.to_string());
        let mut a: Vec<(&str, &str)> = Vec::new();
        if let Some(v) = &self.distinguished_property_set_id {
            a.push(("DistinguishedPropertySetId", v.as_str()));
        }
        if let Some(v) = &self.property_set_id {
            a.push(("PropertySetId", v));
        }
        if let Some(v) = &self.property_tag {
            a.push(("PropertyTag", v));
        }
        if let Some(v) = &self.property_name {
            a.push(("PropertyName", v));
        }
        if let Some(v) = &id {
            a.push(("PropertyId", v));
        }
        a.push(("PropertyType", self.property_type.as_str()));
        w.empty("t:ExtendedFieldURI", &a)
    }

    pub(crate) fn read(r: &mut XmlReader<'_>, e: &Elem<'_>) -> Result<Self, EwsError> {
        let v = ExtendedFieldUri {
            distinguished_property_set_id: r.attr_value(e, "DistinguishedPropertySetId")?,
            property_set_id: r.attr(e, "PropertySetId")?,
            property_tag: r.attr(e, "PropertyTag")?,
            property_name: r.attr(e, "PropertyName")?,
            property_id: r.attr_value(e, "PropertyId")?,
            property_type: r.required_attr(e, "PropertyType")?,
        };
        r.skip()?;
        Ok(v)
    }

    /// Same property (GUID compared case-insensitively).
    pub fn same_property(&self, other: &ExtendedFieldUri) -> bool {
        self.distinguished_property_set_id == other.distinguished_property_set_id
            && self.property_set_id.as_deref().map(str::to_ascii_lowercase)
                == other
                    .property_set_id
                    .as_deref()
                    .map(str::to_ascii_lowercase)
            && self.property_tag == other.property_tag
            && self.property_name == other.property_name
            && self.property_id == other.property_id
    }
}

/// `t:ExtendedProperty`: a single value or a multi-value list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtendedProperty {
    pub field: ExtendedFieldUri,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

impl ExtendedProperty {
    pub fn new(field: ExtendedFieldUri, value: impl Into<String>) -> Self {
        ExtendedProperty {
            field,
            value: Some(value.into()),
            values: Vec::new(),
        }
    }
    /// The client request id property with this value.
    pub fn client_request_id(id: impl Into<String>) -> Self {
        Self::new(ExtendedFieldUri::client_request_id(), id)
    }

    pub(crate) fn write(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        w.start("t:ExtendedProperty", &[])?;
        self.field.write(w)?;
        if !self.values.is_empty() {
            w.start("t:Values", &[])?;
            for v in &self.values {
                w.elem("t:Value", v)?;
            }
            w.end("t:Values")?;
        } else {
            w.elem("t:Value", self.value.as_deref().unwrap_or(""))?;
        }
        w.end("t:ExtendedProperty")
    }

    pub(crate) fn read(r: &mut XmlReader<'_>) -> Result<Self, EwsError> {
        let mut field = None;
        let mut value = None;
        let mut values = Vec::new();
        while let Some(c) = r.next_child()? {
            match c.local() {
                b"ExtendedFieldURI" => field = Some(ExtendedFieldUri::read(r, &c)?),
                b"Value" => value = Some(r.text()?),
                b"Values" => {
                    while let Some(v) = r.next_child()? {
                        if v.local() == b"Value" {
                            values.push(r.text()?);
                        } else {
                            r.skip()?;
                        }
                    }
                }
                _ => r.skip()?,
            }
        }
        let field = field.ok_or_else(|| r.err("ExtendedProperty without ExtendedFieldURI"))?;
        Ok(ExtendedProperty {
            field,
            value,
            values,
        })
    }
}

/// A property path: `t:FieldURI`, `t:IndexedFieldURI` or `t:ExtendedFieldURI`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum PropertyPath {
    /// e.g. `item:Subject`, `calendar:Start`, `task:DueDate`.
    #[serde(rename_all = "camelCase")]
    Field { field_uri: String },
    #[serde(rename_all = "camelCase")]
    IndexedField {
        field_uri: String,
        field_index: String,
    },
    #[serde(rename_all = "camelCase")]
    Extended(ExtendedFieldUri),
}

impl PropertyPath {
    pub fn field(uri: impl Into<String>) -> Self {
        PropertyPath::Field {
            field_uri: uri.into(),
        }
    }

    pub(crate) fn write(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        match self {
            PropertyPath::Field { field_uri } => w.empty("t:FieldURI", &[("FieldURI", field_uri)]),
            PropertyPath::IndexedField {
                field_uri,
                field_index,
            } => w.empty(
                "t:IndexedFieldURI",
                &[("FieldURI", field_uri), ("FieldIndex", field_index)],
            ),
            PropertyPath::Extended(x) => x.write(w),
        }
    }

    #[cfg(feature = "server")]
    /// Reads a path element; None (skipped) if `e` is not one.
    pub(crate) fn read(r: &mut XmlReader<'_>, e: &Elem<'_>) -> Result<Option<Self>, EwsError> {
        let p = match e.local() {
            b"FieldURI" => PropertyPath::Field {
                field_uri: r.required_attr(e, "FieldURI")?,
            },
            b"IndexedFieldURI" => PropertyPath::IndexedField {
                field_uri: r.required_attr(e, "FieldURI")?,
                field_index: r.required_attr(e, "FieldIndex")?,
            },
            b"ExtendedFieldURI" => {
                return Ok(Some(PropertyPath::Extended(ExtendedFieldUri::read(r, e)?)));
            }
            _ => {
                r.skip()?;
                return Ok(None);
            }
        };
        r.skip()?;
        Ok(Some(p))
    }
}
