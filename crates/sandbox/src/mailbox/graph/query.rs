//! The OData query options the sandbox understands (`$top`, `$skip`, `$filter`, `$orderby`,
//! `$search`) and Graph's `singleValueExtendedProperties` ids
//! (<https://learn.microsoft.com/en-us/graph/api/resources/singlevaluelegacyextendedproperty>).

use ews::types::{ExtendedFieldUri, ExtendedProperty, MapiPropertyType};
use serde::Deserialize;

use super::error::GraphError;

/// The most items one page may hold (Graph caps `$top` likewise).
pub const MAX_TOP: u32 = 1000;

#[derive(Debug, Default)]
pub struct Query {
    pub top: Option<u32>,
    pub skip: u32,
    pub filter: Option<String>,
    pub orderby: Option<String>,
    pub search: Option<String>,
    pub expand: Option<String>,
    /// Everything else, for operation parameters such as `startDateTime`.
    pub others: Vec<(String, String)>,
}

impl Query {
    pub fn parse(raw: Option<&str>) -> Result<Self, GraphError> {
        let mut query = Query::default();
        for (key, value) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let number = |name: &str| {
                value.trim().parse::<u32>().map_err(|_| {
                    GraphError::bad_request(format!(
                        "Invalid value '{}' for query option '{name}': a non-negative integer is expected.",
                        super::time::truncated(&value)
                    ))
                })
            };
            match key.trim_start_matches('$').to_ascii_lowercase().as_str() {
                "top" => query.top = Some(number("$top")?.clamp(1, MAX_TOP)),
                "skip" => query.skip = number("$skip")?,
                "filter" => query.filter = Some(value.into_owned()),
                "orderby" => query.orderby = Some(value.into_owned()),
                "search" => query.search = Some(value.into_owned()),
                "expand" => query.expand = Some(value.into_owned()),
                _ => query.others.push((key.into_owned(), value.into_owned())),
            }
        }
        Ok(query)
    }

    /// A parameter by name, case-insensitively (Graph's parameters are).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.others
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// Whether `$expand` asks for the extended properties.
    pub fn expands_extended_properties(&self) -> bool {
        self.expand.as_deref().is_some_and(|e| {
            e.to_ascii_lowercase()
                .contains("singlevalueextendedproperties")
        })
    }

    /// The `$skip`/`$top` window of `all`, and how many there are in all.
    pub fn window<T>(&self, all: Vec<T>, top: u32) -> (Vec<T>, u32) {
        let total = u32::try_from(all.len()).unwrap_or(u32::MAX);
        let page = all
            .into_iter()
            .skip(self.skip as usize)
            .take(top as usize)
            .collect();
        (page, total)
    }

    pub fn filter(&self) -> Result<Option<Filter>, GraphError> {
        self.filter.as_deref().map(Filter::parse).transpose()
    }
}

/// `$filter` forms the sandbox answers.
#[derive(Debug, PartialEq, Eq)]
pub enum Filter {
    /// `transactionId eq '…'`
    TransactionId(String),
    /// `singleValueExtendedProperties/Any(ep: ep/id eq '…' and ep/value eq '…')`
    ExtendedProperty {
        field: ExtendedFieldUri,
        value: String,
    },
    /// To Do: `status eq '…'` or `status ne '…'`.
    Status { equal: bool, status: String },
}

fn unsupported(filter: &str) -> GraphError {
    GraphError::new(
        axum::http::StatusCode::BAD_REQUEST,
        "ErrorInvalidUrlQueryFilter",
        format!(
            "The $filter '{}' is not supported. Supported: transactionId eq '…', singleValueExtendedProperties/Any(ep: ep/id eq '…' and ep/value eq '…'), and for tasks status eq|ne '…'.",
            super::time::truncated(filter)
        ),
    )
}

/// Words and OData string literals (`'it''s'` is `it's`).
fn tokens(text: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '\'' {
            chars.next();
            let mut literal = String::from("'");
            loop {
                match chars.next()? {
                    '\'' if chars.peek() == Some(&'\'') => {
                        chars.next();
                        literal.push('\'');
                    }
                    '\'' => break,
                    other => literal.push(other),
                }
            }
            out.push(literal);
        } else {
            let mut word = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == '\'' {
                    break;
                }
                word.push(c);
                chars.next();
            }
            out.push(word);
        }
    }
    Some(out)
}

fn literal(token: &str) -> Option<String> {
    token.strip_prefix('\'').map(str::to_owned)
}

impl Filter {
    pub fn parse(filter: &str) -> Result<Self, GraphError> {
        Self::try_parse(filter).ok_or_else(|| unsupported(filter))
    }

    fn try_parse(filter: &str) -> Option<Self> {
        let text = filter.trim();
        let lower = text.to_ascii_lowercase();
        if lower.starts_with("status ") {
            let toks = tokens(text)?;
            return match toks.as_slice() {
                [_, op, value] if op == "eq" || op == "ne" => Some(Filter::Status {
                    equal: op == "eq",
                    status: literal(value)?,
                }),
                _ => None,
            };
        }
        if lower.starts_with("transactionid") {
            let toks = tokens(text)?;
            return match toks.as_slice() {
                [name, eq, value] if name.eq_ignore_ascii_case("transactionId") && eq == "eq" => {
                    Some(Filter::TransactionId(literal(value)?))
                }
                _ => None,
            };
        }
        let prefix = "singlevalueextendedproperties/any(";
        if !lower.starts_with(prefix) || !text.ends_with(')') {
            return None;
        }
        let inner = &text[prefix.len()..text.len() - 1];
        let (var, body) = inner.split_once(':')?;
        let var = var.trim();
        let toks = tokens(body)?;
        let [a_path, a_eq, a_value, and, b_path, b_eq, b_value] = toks.as_slice() else {
            return None;
        };
        if a_eq != "eq" || b_eq != "eq" || !and.eq_ignore_ascii_case("and") {
            return None;
        }
        let member = |path: &str| {
            path.split_once('/')
                .filter(|(v, _)| *v == var)
                .map(|(_, m)| m.to_ascii_lowercase())
        };
        let (id, value) = match (member(a_path)?.as_str(), member(b_path)?.as_str()) {
            ("id", "value") => (literal(a_value)?, literal(b_value)?),
            ("value", "id") => (literal(b_value)?, literal(a_value)?),
            _ => return None,
        };
        Some(Filter::ExtendedProperty {
            field: parse_property_id(&id)?,
            value,
        })
    }
}

/// `String {guid} Name X`, `String {guid} Id 0x8005` or `String 0x007D`.
pub fn parse_property_id(id: &str) -> Option<ExtendedFieldUri> {
    let mut parts = id.trim().splitn(2, ' ');
    let kind: MapiPropertyType = parts.next()?.parse().ok()?;
    let rest = parts.next()?.trim();
    let mut field = ExtendedFieldUri {
        distinguished_property_set_id: None,
        property_set_id: None,
        property_tag: None,
        property_name: None,
        property_id: None,
        property_type: kind,
    };
    if let Some(tag) = rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
        u16::from_str_radix(tag, 16).ok()?;
        field.property_tag = Some(format!("0x{tag}"));
        return Some(field);
    }
    let rest = rest.strip_prefix('{')?;
    let (guid, rest) = rest.split_once('}')?;
    uuid::Uuid::parse_str(guid).ok()?;
    field.property_set_id = Some(guid.to_ascii_lowercase());
    let (how, name) = rest.trim().split_once(' ')?;
    let name = name.trim();
    match how {
        "Name" if !name.is_empty() => field.property_name = Some(name.to_owned()),
        "Id" => {
            let number = name.strip_prefix("0x")?;
            field.property_id = Some(i32::from_str_radix(number, 16).ok()?);
        }
        _ => return None,
    }
    Some(field)
}

/// The Graph id of a stored property (the inverse of [`parse_property_id`]).
pub fn property_id(field: &ExtendedFieldUri) -> String {
    let kind = field.property_type.as_str();
    if let Some(tag) = &field.property_tag {
        return format!("{kind} {tag}");
    }
    let guid = field.property_set_id.as_deref().unwrap_or_default();
    match (&field.property_name, field.property_id) {
        (Some(name), _) => format!("{kind} {{{guid}}} Name {name}"),
        (None, Some(id)) => format!("{kind} {{{guid}}} Id 0x{id:x}"),
        (None, None) => format!("{kind} {{{guid}}}"),
    }
}

/// `singleValueExtendedProperties` of a request body.
#[derive(Debug, Clone, Deserialize)]
pub struct SingleValueProperty {
    pub id: String,
    pub value: String,
}

pub fn extended_properties(
    input: &[SingleValueProperty],
) -> Result<Vec<ExtendedProperty>, GraphError> {
    input
        .iter()
        .map(|p| {
            parse_property_id(&p.id)
                .map(|field| ExtendedProperty::new(field, p.value.clone()))
                .ok_or_else(|| {
                    GraphError::invalid_property(
                        "singleValueExtendedProperties.id",
                        format!(
                            "'{}' is not a property id like 'String {{guid}} Name name'",
                            super::time::truncated(&p.id)
                        ),
                    )
                })
        })
        .collect()
}

/// Sets or replaces properties on an item's list.
pub fn merge_properties(existing: &mut Vec<ExtendedProperty>, new: Vec<ExtendedProperty>) {
    for property in new {
        existing.retain(|p| !p.field.same_property(&property.field));
        existing.push(property);
    }
}

/// Whether an item's properties match a filter on one of them.
pub fn has_property(
    properties: &[ExtendedProperty],
    field: &ExtendedFieldUri,
    value: &str,
) -> bool {
    properties
        .iter()
        .any(|p| p.field.same_property(field) && p.value.as_deref() == Some(value))
}

pub fn properties_json(properties: &[ExtendedProperty]) -> serde_json::Value {
    serde_json::Value::Array(
        properties
            .iter()
            .filter_map(|p| {
                Some(serde_json::json!({"id": property_id(&p.field), "value": p.value.as_deref()?}))
            })
            .collect(),
    )
}
