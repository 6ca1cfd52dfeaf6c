//! `GetItem`.
//!
//! [GetItem](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getitem-operation)

use serde::{Deserialize, Serialize};

#[cfg(feature = "server")]
use super::create_item::write_items;
use super::operation;
use crate::error::EwsError;
#[cfg(feature = "server")]
use crate::response::write_response_messages;
use crate::response::{MessageResult, first_item, first_message, read_response_messages};
use crate::soap::ServerVersionInfo;
use crate::types::{BaseItemId, Item, ItemId, ItemShape};
#[cfg(feature = "server")]
use crate::xml::Elem;
use crate::xml::{Ns, XmlReader, XmlWriter};

/// `m:GetItem`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GetItem {
    pub item_shape: ItemShape,
    pub item_ids: Vec<BaseItemId>,
}

impl GetItem {
    pub fn new(item_shape: ItemShape, ids: impl IntoIterator<Item = ItemId>) -> Self {
        GetItem {
            item_shape,
            item_ids: ids.into_iter().map(Into::into).collect(),
        }
    }

    pub(crate) fn write_body(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        if self.item_ids.is_empty() {
            return Err(EwsError::InvalidRequest(
                "GetItem needs at least one item id".into(),
            ));
        }
        w.start("m:GetItem", &[])?;
        self.item_shape.write(w, "m:ItemShape")?;
        w.start("m:ItemIds", &[])?;
        for id in &self.item_ids {
            id.write(w)?;
        }
        w.end("m:ItemIds")?;
        w.end("m:GetItem")
    }

    #[cfg(feature = "server")]
    pub(crate) fn read_body(r: &mut XmlReader<'_>, _e: &Elem<'_>) -> Result<Self, EwsError> {
        let mut shape = None;
        let mut ids = Vec::new();
        while let Some(c) = r.next_child()? {
            match (c.ns, c.local()) {
                (Ns::Messages, b"ItemShape") => shape = Some(ItemShape::read(r)?),
                (Ns::Messages, b"ItemIds") => {
                    while let Some(i) = r.next_child()? {
                        if let Some(id) = BaseItemId::read(r, &i)? {
                            ids.push(id);
                        }
                    }
                }
                _ => r.skip()?,
            }
        }
        let item_shape = shape.ok_or_else(|| r.err("GetItem without m:ItemShape"))?;
        Ok(GetItem {
            item_shape,
            item_ids: ids,
        })
    }
}

/// Response of `GetItem`: one result per requested id, in request order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GetItemResponse {
    pub responses: Vec<MessageResult<Vec<Item>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_version_info: Option<ServerVersionInfo>,
}

impl GetItemResponse {
    #[cfg(feature = "server")]
    pub fn new(responses: Vec<MessageResult<Vec<Item>>>) -> Self {
        GetItemResponse {
            responses,
            server_version_info: None,
        }
    }

    /// The items, one per message (a message with no item yields an error).
    pub fn items(&self) -> impl Iterator<Item = Result<&Item, &crate::response::ResponseError>> {
        self.responses.iter().flat_map(|m| match m {
            Ok(items) => items.iter().map(Ok).collect::<Vec<_>>(),
            Err(e) => vec![Err(e)],
        })
    }

    /// The single item of the first message, or its error.
    pub fn into_single(self) -> Result<Item, EwsError> {
        first_item(first_message(self.responses, "GetItem")?, "GetItem")
    }

    pub(crate) fn read_body(
        r: &mut XmlReader<'_>,
        _e: &crate::xml::Elem<'_>,
    ) -> Result<Self, EwsError> {
        let responses = read_response_messages(r, |r, c, items: &mut Vec<Item>| {
            if c.ns == Ns::Messages && c.local() == b"Items" {
                *items = Item::read_list(r)?;
                Ok(true)
            } else {
                Ok(false)
            }
        })?;
        Ok(GetItemResponse {
            responses,
            server_version_info: None,
        })
    }

    #[cfg(feature = "server")]
    pub(crate) fn write_body(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        write_response_messages(
            w,
            "GetItemResponse",
            "GetItemResponseMessage",
            &self.responses,
            write_items,
        )
    }
}

operation!(GetItem, GetItemResponse, "GetItem");
