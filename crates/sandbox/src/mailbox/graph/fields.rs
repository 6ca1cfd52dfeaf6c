//! Properties events and To Do tasks share: bodies, importance, categories, and the
//! difference between an absent property and an explicit `null` in a PATCH body.

use ews::types::{Body, BodyType, Importance};
use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};

use super::error::{GraphError, GraphResult};

/// Longest subject, location or category the sandbox keeps (Exchange's limit is 255).
const MAX_SHORT_TEXT: usize = 255;
/// Longest body (Graph bodies may be large, but a sandbox need not store megabytes).
const MAX_BODY: usize = 1 << 20;

/// `Some(None)` for an explicit `null` (PATCH clears the property), `None` when absent.
pub fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ContentType {
    Text,
    Html,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemBody {
    #[serde(default)]
    pub content_type: Option<ContentType>,
    #[serde(default)]
    pub content: Option<String>,
}

impl ItemBody {
    pub fn to_ews(&self) -> GraphResult<Body> {
        let content = self.content.clone().unwrap_or_default();
        if content.len() > MAX_BODY {
            return Err(GraphError::invalid_property(
                "body.content",
                "is longer than 1 MiB",
            ));
        }
        Ok(match self.content_type {
            Some(ContentType::Html) => Body::html(content),
            _ => Body::text(content),
        })
    }
}

pub fn body_json(body: Option<&Body>) -> Value {
    match body {
        Some(body) => json!({
            "contentType": if body.body_type == BodyType::Html { "html" } else { "text" },
            "content": body.content,
        }),
        None => json!({"contentType": "text", "content": ""}),
    }
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum GraphImportance {
    Low,
    Normal,
    High,
}

impl GraphImportance {
    pub fn to_ews(self) -> Importance {
        match self {
            Self::Low => Importance::Low,
            Self::Normal => Importance::Normal,
            Self::High => Importance::High,
        }
    }
}

pub fn importance_name(importance: Option<Importance>) -> &'static str {
    match importance {
        Some(Importance::Low) => "low",
        Some(Importance::High) => "high",
        _ => "normal",
    }
}

pub fn short_text(property: &str, value: &str) -> GraphResult<String> {
    if value.chars().count() > MAX_SHORT_TEXT {
        return Err(GraphError::invalid_property(
            property,
            format!("is longer than {MAX_SHORT_TEXT} characters"),
        ));
    }
    Ok(value.to_owned())
}

pub fn categories(values: &[String]) -> GraphResult<Vec<String>> {
    if values.len() > 100 {
        return Err(GraphError::invalid_property(
            "categories",
            "has more than 100 entries",
        ));
    }
    values.iter().map(|c| short_text("categories", c)).collect()
}
