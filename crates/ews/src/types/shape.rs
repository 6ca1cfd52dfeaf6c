//! `m:ItemShape`.
//!
//! [ItemShape](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/itemshape)

use serde::{Deserialize, Serialize};

use super::enums::{BaseShape, BodyTypeResponse};
use super::extended_property::PropertyPath;
use crate::error::EwsError;
#[cfg(feature = "server")]
use crate::xml::XmlReader;
use crate::xml::XmlWriter;

/// Which properties to return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemShape {
    pub base_shape: BaseShape,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_type: Option<BodyTypeResponse>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub additional_properties: Vec<PropertyPath>,
}

impl Default for ItemShape {
    fn default() -> Self {
        ItemShape {
            base_shape: BaseShape::Default,
            body_type: None,
            additional_properties: Vec::new(),
        }
    }
}

impl ItemShape {
    pub fn id_only() -> Self {
        ItemShape {
            base_shape: BaseShape::IdOnly,
            ..Default::default()
        }
    }
    pub fn all_properties() -> Self {
        ItemShape {
            base_shape: BaseShape::AllProperties,
            ..Default::default()
        }
    }
    pub fn with(mut self, p: PropertyPath) -> Self {
        self.additional_properties.push(p);
        self
    }

    pub(crate) fn write(&self, w: &mut XmlWriter, name: &str) -> Result<(), EwsError> {
        w.start(name, &[])?;
        w.value("t:BaseShape", &self.base_shape)?;
        w.opt("t:BodyType", &self.body_type)?;
        if !self.additional_properties.is_empty() {
            w.start("t:AdditionalProperties", &[])?;
            for p in &self.additional_properties {
                p.write(w)?;
            }
            w.end("t:AdditionalProperties")?;
        }
        w.end(name)
    }

    #[cfg(feature = "server")]
    pub(crate) fn read(r: &mut XmlReader<'_>) -> Result<Self, EwsError> {
        let mut base_shape = None;
        let mut s = ItemShape::default();
        while let Some(c) = r.next_child()? {
            match c.local() {
                b"BaseShape" => base_shape = Some(r.value()?),
                b"BodyType" => s.body_type = Some(r.value()?),
                b"AdditionalProperties" => {
                    while let Some(p) = r.next_child()? {
                        if let Some(p) = PropertyPath::read(r, &p)? {
                            s.additional_properties.push(p);
                        }
                    }
                }
                _ => r.skip()?,
            }
        }
        s.base_shape = base_shape.ok_or_else(|| r.err("ItemShape without BaseShape"))?;
        Ok(s)
    }
}
