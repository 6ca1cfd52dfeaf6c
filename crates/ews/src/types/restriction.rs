//! FindItem `m:Restriction` (search expressions) and `m:SortOrder`.
//!
//! - [Restriction](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/restriction)
//! - [SortOrder](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/sortorder)

use serde::{Deserialize, Serialize};

use super::enums::SortDirection;
use super::extended_property::PropertyPath;
use crate::error::EwsError;
use crate::xml::XmlWriter;
#[cfg(feature = "server")]
use crate::xml::{Elem, XmlReader};

/// A search expression.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "op")]
pub enum SearchExpression {
    IsEqualTo { path: PropertyPath, value: String },
    IsNotEqualTo { path: PropertyPath, value: String },
    IsGreaterThan { path: PropertyPath, value: String },
    IsGreaterThanOrEqualTo { path: PropertyPath, value: String },
    IsLessThan { path: PropertyPath, value: String },
    IsLessThanOrEqualTo { path: PropertyPath, value: String },
    Exists { path: PropertyPath },
    And { items: Vec<SearchExpression> },
    Or { items: Vec<SearchExpression> },
    Not { item: Box<SearchExpression> },
}

/// `m:Restriction`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Restriction {
    pub expression: SearchExpression,
}

impl Restriction {
    /// `IsEqualTo(path, value)`, e.g. the client request id extended property.
    pub fn is_equal_to(path: PropertyPath, value: impl Into<String>) -> Self {
        Restriction {
            expression: SearchExpression::IsEqualTo {
                path,
                value: value.into(),
            },
        }
    }
}

impl SearchExpression {
    fn name(&self) -> &'static str {
        match self {
            SearchExpression::IsEqualTo { .. } => "t:IsEqualTo",
            SearchExpression::IsNotEqualTo { .. } => "t:IsNotEqualTo",
            SearchExpression::IsGreaterThan { .. } => "t:IsGreaterThan",
            SearchExpression::IsGreaterThanOrEqualTo { .. } => "t:IsGreaterThanOrEqualTo",
            SearchExpression::IsLessThan { .. } => "t:IsLessThan",
            SearchExpression::IsLessThanOrEqualTo { .. } => "t:IsLessThanOrEqualTo",
            SearchExpression::Exists { .. } => "t:Exists",
            SearchExpression::And { .. } => "t:And",
            SearchExpression::Or { .. } => "t:Or",
            SearchExpression::Not { .. } => "t:Not",
        }
    }

    pub(crate) fn write(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        let n = self.name();
        w.start(n, &[])?;
        match self {
            SearchExpression::IsEqualTo { path, value }
            | SearchExpression::IsNotEqualTo { path, value }
            | SearchExpression::IsGreaterThan { path, value }
            | SearchExpression::IsGreaterThanOrEqualTo { path, value }
            | SearchExpression::IsLessThan { path, value }
            | SearchExpression::IsLessThanOrEqualTo { path, value } => {
                path.write(w)?;
                w.start("t:FieldURIOrConstant", &[])?;
                w.empty("t:Constant", &[("Value", value)])?;
                w.end("t:FieldURIOrConstant")?;
            }
            SearchExpression::Exists { path } => path.write(w)?,
            SearchExpression::And { items } | SearchExpression::Or { items } => {
                if items.len() < 2 {
                    return Err(EwsError::InvalidRequest(format!(
                        "{n} needs at least two expressions"
                    )));
                }
                for i in items {
                    i.write(w)?;
                }
            }
            SearchExpression::Not { item } => item.write(w)?,
        }
        w.end(n)
    }

    #[cfg(feature = "server")]
    /// Reads an expression element (consumed); None for unknown ones.
    pub(crate) fn read(r: &mut XmlReader<'_>, e: &Elem<'_>) -> Result<Option<Self>, EwsError> {
        let local = e.local().to_vec();
        match local.as_slice() {
            b"And" | b"Or" | b"Not" => {
                let mut items = Vec::new();
                while let Some(c) = r.next_child()? {
                    if let Some(x) = SearchExpression::read(r, &c)? {
                        items.push(x);
                    }
                }
                Ok(Some(match local.as_slice() {
                    b"And" => SearchExpression::And { items },
                    b"Or" => SearchExpression::Or { items },
                    _ => {
                        let item = items
                            .into_iter()
                            .next()
                            .ok_or_else(|| r.err("Not without an expression"))?;
                        SearchExpression::Not {
                            item: Box::new(item),
                        }
                    }
                }))
            }
            b"Exists"
            | b"IsEqualTo"
            | b"IsNotEqualTo"
            | b"IsGreaterThan"
            | b"IsGreaterThanOrEqualTo"
            | b"IsLessThan"
            | b"IsLessThanOrEqualTo" => {
                let mut path = None;
                let mut value = None;
                while let Some(c) = r.next_child()? {
                    if c.local() == b"FieldURIOrConstant" {
                        while let Some(k) = r.next_child()? {
                            if k.local() == b"Constant" {
                                value = Some(r.required_attr::<String>(&k, "Value")?);
                                r.skip()?;
                            } else {
                                r.skip()?;
                            }
                        }
                    } else if let Some(p) = PropertyPath::read(r, &c)? {
                        path = Some(p);
                    }
                }
                let path =
                    path.ok_or_else(|| r.err("search expression without a property path"))?;
                if local == b"Exists" {
                    return Ok(Some(SearchExpression::Exists { path }));
                }
                let value = value.ok_or_else(|| {
                    r.err("search expression without FieldURIOrConstant/Constant")
                })?;
                Ok(Some(match local.as_slice() {
                    b"IsEqualTo" => SearchExpression::IsEqualTo { path, value },
                    b"IsNotEqualTo" => SearchExpression::IsNotEqualTo { path, value },
                    b"IsGreaterThan" => SearchExpression::IsGreaterThan { path, value },
                    b"IsGreaterThanOrEqualTo" => {
                        SearchExpression::IsGreaterThanOrEqualTo { path, value }
                    }
                    b"IsLessThan" => SearchExpression::IsLessThan { path, value },
                    _ => SearchExpression::IsLessThanOrEqualTo { path, value },
                }))
            }
            _ => {
                r.skip()?;
                Ok(None)
            }
        }
    }
}

impl Restriction {
    pub(crate) fn write(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        w.start("m:Restriction", &[])?;
        self.expression.write(w)?;
        w.end("m:Restriction")
    }

    #[cfg(feature = "server")]
    pub(crate) fn read(r: &mut XmlReader<'_>) -> Result<Self, EwsError> {
        let mut expr = None;
        while let Some(c) = r.next_child()? {
            if let Some(x) = SearchExpression::read(r, &c)? {
                expr = Some(x);
            }
        }
        Ok(Restriction {
            expression: expr.ok_or_else(|| r.err("Restriction without a search expression"))?,
        })
    }
}

/// `t:FieldOrder` in `m:SortOrder`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldOrder {
    pub path: PropertyPath,
    pub order: SortDirection,
}

impl FieldOrder {
    pub(crate) fn write_list(list: &[FieldOrder], w: &mut XmlWriter) -> Result<(), EwsError> {
        if list.is_empty() {
            return Ok(());
        }
        w.start("m:SortOrder", &[])?;
        for f in list {
            w.start("t:FieldOrder", &[("Order", f.order.as_str())])?;
            f.path.write(w)?;
            w.end("t:FieldOrder")?;
        }
        w.end("m:SortOrder")
    }

    #[cfg(feature = "server")]
    pub(crate) fn read_list(r: &mut XmlReader<'_>) -> Result<Vec<FieldOrder>, EwsError> {
        let mut v = Vec::new();
        while let Some(c) = r.next_child()? {
            if c.local() != b"FieldOrder" {
                r.skip()?;
                continue;
            }
            let order = r.required_attr(&c, "Order")?;
            let mut path = None;
            while let Some(p) = r.next_child()? {
                if let Some(p) = PropertyPath::read(r, &p)? {
                    path = Some(p);
                }
            }
            v.push(FieldOrder {
                path: path.ok_or_else(|| r.err("FieldOrder without a path"))?,
                order,
            });
        }
        Ok(v)
    }
}
