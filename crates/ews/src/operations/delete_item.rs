//! `DeleteItem`.
//!
//! [DeleteItem](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/deleteitem-operation)

use serde::{Deserialize, Serialize};

use super::operation;
use crate::error::EwsError;
#[cfg(feature = "server")]
use crate::response::write_response_messages;
use crate::response::{MessageResult, first_message, read_response_messages};
use crate::soap::ServerVersionInfo;
use crate::types::{
    AffectedTaskOccurrences, BaseItemId, DisposalType, ItemId, SendMeetingInvitations,
};
#[cfg(feature = "server")]
use crate::xml::{Elem, Ns};
use crate::xml::{XmlReader, XmlWriter};

/// `m:DeleteItem`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteItem {
    pub delete_type: DisposalType,
    /// Required by Exchange for calendar items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_meeting_cancellations: Option<SendMeetingInvitations>,
    /// Required by Exchange for tasks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affected_task_occurrences: Option<AffectedTaskOccurrences>,
    pub item_ids: Vec<BaseItemId>,
}

impl DeleteItem {
    /// Delete a calendar item (to Deleted Items), cancelling the meeting as told.
    pub fn calendar_item(id: ItemId, send: SendMeetingInvitations) -> Self {
        DeleteItem {
            delete_type: DisposalType::MoveToDeletedItems,
            send_meeting_cancellations: Some(send),
            affected_task_occurrences: None,
            item_ids: vec![id.into()],
        }
    }
    /// Delete a task (all occurrences).
    pub fn task(id: ItemId) -> Self {
        DeleteItem {
            delete_type: DisposalType::MoveToDeletedItems,
            send_meeting_cancellations: None,
            affected_task_occurrences: Some(AffectedTaskOccurrences::AllOccurrences),
            item_ids: vec![id.into()],
        }
    }

    pub(crate) fn write_body(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        if self.item_ids.is_empty() {
            return Err(EwsError::InvalidRequest(
                "DeleteItem needs at least one item id".into(),
            ));
        }
        let mut a = vec![("DeleteType", self.delete_type.as_str())];
        if let Some(s) = &self.send_meeting_cancellations {
            a.push(("SendMeetingCancellations", s.as_str()));
        }
        if let Some(s) = &self.affected_task_occurrences {
            a.push(("AffectedTaskOccurrences", s.as_str()));
        }
        w.start("m:DeleteItem", &a)?;
        w.start("m:ItemIds", &[])?;
        for id in &self.item_ids {
            id.write(w)?;
        }
        w.end("m:ItemIds")?;
        w.end("m:DeleteItem")
    }

    #[cfg(feature = "server")]
    pub(crate) fn read_body(r: &mut XmlReader<'_>, e: &Elem<'_>) -> Result<Self, EwsError> {
        let mut v = DeleteItem {
            delete_type: r.required_attr(e, "DeleteType")?,
            send_meeting_cancellations: r.attr_value(e, "SendMeetingCancellations")?,
            affected_task_occurrences: r.attr_value(e, "AffectedTaskOccurrences")?,
            item_ids: Vec::new(),
        };
        while let Some(c) = r.next_child()? {
            if c.ns == Ns::Messages && c.local() == b"ItemIds" {
                while let Some(i) = r.next_child()? {
                    if let Some(id) = BaseItemId::read(r, &i)? {
                        v.item_ids.push(id);
                    }
                }
            } else {
                r.skip()?;
            }
        }
        Ok(v)
    }
}

/// Response of `DeleteItem`: one result per id.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DeleteItemResponse {
    pub responses: Vec<MessageResult<()>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_version_info: Option<ServerVersionInfo>,
}

impl DeleteItemResponse {
    #[cfg(feature = "server")]
    pub fn new(responses: Vec<MessageResult<()>>) -> Self {
        DeleteItemResponse {
            responses,
            server_version_info: None,
        }
    }

    /// Ok if the (first) delete succeeded.
    pub fn into_single(self) -> Result<(), EwsError> {
        first_message(self.responses, "DeleteItem")
    }

    pub(crate) fn read_body(
        r: &mut XmlReader<'_>,
        _e: &crate::xml::Elem<'_>,
    ) -> Result<Self, EwsError> {
        let responses = read_response_messages(r, |_, _, _: &mut ()| Ok(false))?;
        Ok(DeleteItemResponse {
            responses,
            server_version_info: None,
        })
    }

    #[cfg(feature = "server")]
    pub(crate) fn write_body(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        write_response_messages(
            w,
            "DeleteItemResponse",
            "DeleteItemResponseMessage",
            &self.responses,
            |_, _| Ok(()),
        )
    }
}

operation!(DeleteItem, DeleteItemResponse, "DeleteItem");
