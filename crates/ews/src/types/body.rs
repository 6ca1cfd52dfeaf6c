//! `t:Body`.
//!
//! [Body](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/body)

use serde::{Deserialize, Serialize};

use super::enums::BodyType;
use crate::error::EwsError;
use crate::xml::{Elem, XmlReader, XmlWriter};

/// Item body: text or HTML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Body {
    pub body_type: BodyType,
    pub content: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_truncated: Option<bool>,
}

impl Body {
    pub fn text(content: impl Into<String>) -> Self {
        Body {
            body_type: BodyType::Text,
            content: content.into(),
            is_truncated: None,
        }
    }
    pub fn html(content: impl Into<String>) -> Self {
        Body {
            body_type: BodyType::Html,
            content: content.into(),
            is_truncated: None,
        }
    }

    pub(crate) fn write(&self, w: &mut XmlWriter, name: &str) -> Result<(), EwsError> {
        let mut attrs = vec![("BodyType", self.body_type.as_str())];
        if let Some(t) = self.is_truncated {
            attrs.push(("IsTruncated", if t { "true" } else { "false" }));
        }
        w.elem_with(name, &attrs, &self.content)
    }

    pub(crate) fn read(r: &mut XmlReader<'_>, e: &Elem<'_>) -> Result<Self, EwsError> {
        let [body_type, is_truncated] = r.attrs(e, ["BodyType", "IsTruncated"])?;
        let body_type = r
            .parse_attr("BodyType", body_type.as_deref())?
            .unwrap_or(BodyType::Text);
        let is_truncated = r.parse_attr("IsTruncated", is_truncated.as_deref())?;
        let content = r.text()?;
        Ok(Body {
            body_type,
            content,
            is_truncated,
        })
    }
}
