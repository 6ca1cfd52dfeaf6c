//! `CreateItem` (calendar items and tasks).
//!
//! [CreateItem](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/createitem-operation)

use serde::{Deserialize, Serialize};

use super::operation;
use crate::error::EwsError;
#[cfg(feature = "server")]
use crate::response::write_response_messages;
use crate::response::{MessageResult, first_item, first_message, read_response_messages};
use crate::soap::ServerVersionInfo;
use crate::types::{
    CalendarItem, FolderId, Item, MessageDisposition, SendMeetingInvitations, Task,
};
use crate::xml::{Ns, XmlReader, XmlWriter};

/// `m:CreateItem`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateItem {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_disposition: Option<MessageDisposition>,
    /// Required by Exchange for calendar items.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub send_meeting_invitations: Option<SendMeetingInvitations>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saved_item_folder_id: Option<FolderId>,
    pub items: Vec<Item>,
}

impl CreateItem {
    /// Create one calendar item in the calendar folder.
    pub fn calendar_item(item: CalendarItem, send: SendMeetingInvitations) -> Self {
        CreateItem {
            message_disposition: None,
            send_meeting_invitations: Some(send),
            saved_item_folder_id: Some(FolderId::calendar()),
            items: vec![Item::CalendarItem(item)],
        }
    }
    /// Create one task in the tasks folder.
    pub fn task(task: Task) -> Self {
        CreateItem {
            message_disposition: Some(MessageDisposition::SaveOnly),
            send_meeting_invitations: None,
            saved_item_folder_id: Some(FolderId::tasks()),
            items: vec![Item::Task(task)],
        }
    }

    pub(crate) fn write_body(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        if self.items.is_empty() {
            return Err(EwsError::InvalidRequest(
                "CreateItem needs at least one item".into(),
            ));
        }
        let mut a = Vec::new();
        if let Some(d) = &self.message_disposition {
            a.push(("MessageDisposition", d.as_str()));
        }
        if let Some(s) = &self.send_meeting_invitations {
            a.push(("SendMeetingInvitations", s.as_str()));
        }
        w.start("m:CreateItem", &a)?;
        if let Some(f) = &self.saved_item_folder_id {
            w.start("m:SavedItemFolderId", &[])?;
            f.write(w)?;
            w.end("m:SavedItemFolderId")?;
        }
        w.start("m:Items", &[])?;
        for i in &self.items {
            i.write(w)?;
        }
        w.end("m:Items")?;
        w.end("m:CreateItem")
    }

    #[cfg(feature = "server")]
    /// Reads the children of `m:CreateItem` (the element itself was checked by the caller).
    pub(crate) fn read_body(
        r: &mut XmlReader<'_>,
        e: &crate::xml::Elem<'_>,
    ) -> Result<Self, EwsError> {
        let mut v = CreateItem {
            message_disposition: r.attr_value(e, "MessageDisposition")?,
            send_meeting_invitations: r.attr_value(e, "SendMeetingInvitations")?,
            ..Default::default()
        };
        let mut saw_items = false;
        while let Some(c) = r.next_child()? {
            match (c.ns, c.local()) {
                (Ns::Messages, b"SavedItemFolderId") => {
                    v.saved_item_folder_id = FolderId::read_list(r)?.into_iter().next();
                }
                (Ns::Messages, b"Items") => {
                    saw_items = true;
                    v.items = Item::read_list(r)?;
                }
                _ => r.skip()?,
            }
        }
        if !saw_items {
            return Err(r.err("CreateItem without m:Items"));
        }
        Ok(v)
    }
}

/// Response of `CreateItem`: one result per created item, in request order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateItemResponse {
    /// Each message's items (normally one, carrying the new ItemId/ChangeKey).
    pub responses: Vec<MessageResult<Vec<Item>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_version_info: Option<ServerVersionInfo>,
}

impl CreateItemResponse {
    #[cfg(feature = "server")]
    pub fn new(responses: Vec<MessageResult<Vec<Item>>>) -> Self {
        CreateItemResponse {
            responses,
            server_version_info: None,
        }
    }

    /// The single created item (first message), or its error as `EwsError::Response`.
    pub fn into_single(self) -> Result<Item, EwsError> {
        first_item(first_message(self.responses, "CreateItem")?, "CreateItem")
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
        Ok(CreateItemResponse {
            responses,
            server_version_info: None,
        })
    }

    #[cfg(feature = "server")]
    pub(crate) fn write_body(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        write_response_messages(
            w,
            "CreateItemResponse",
            "CreateItemResponseMessage",
            &self.responses,
            write_items,
        )
    }
}

#[cfg(feature = "server")]
pub(crate) fn write_items(w: &mut XmlWriter, items: Option<&Vec<Item>>) -> Result<(), EwsError> {
    match items {
        Some(items) if !items.is_empty() => {
            w.start("m:Items", &[])?;
            for i in items {
                i.write(w)?;
            }
            w.end("m:Items")
        }
        _ => w.empty("m:Items", &[]),
    }
}

operation!(CreateItem, CreateItemResponse, "CreateItem");
